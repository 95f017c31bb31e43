"""The `rectify` command as a department clerk and CI use it: exit codes, output formats, new, schema, synth."""

from __future__ import annotations

import datetime as dt
import json
import re
import subprocess
import sys
from pathlib import Path

import click
import pytest

from generator import clock
from generator.cli import AS_OF_HELP, TODAY_HELP, Day, cli, main
from generator.commands.new import ScaffoldError, create_problem
from generator.derivation.state import Status, state_of
from generator.validation.report import validate

from .conftest import AS_OF, ROOT

DATE = AS_OF.isoformat()


def rectify(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """Run the command in-process through its real entry point: (exit code, stdout, stderr)."""
    with pytest.raises(SystemExit) as exit_info:
        main(list(args))
        sys.exit(0)  # a command that returns normally exits 0
    out, err = capsys.readouterr()
    code = exit_info.value.code
    return (0 if code is None else code), out, err


def chinese(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


@pytest.fixture
def broken_ledger(base_ledger: Path) -> Path:
    """The base ledger with one wrong value (percent 120) in an otherwise valid problem."""
    path = base_ledger / "ecology-env" / "STHJ-2025-001.yml"
    path.write_text(path.read_text(encoding="utf-8").replace("percent: 80", "percent: 120"), encoding="utf-8")
    return base_ledger


@pytest.fixture
def warned_ledger(base_ledger: Path) -> Path:
    """The base ledger with a stray file: a warning (W403), no error."""
    (base_ledger / "ecology-env" / "notes.txt").write_text("草稿\n", encoding="utf-8")
    return base_ledger


# ---------------------------------------------------------------- validate: exit codes


def test_valid_ledger_exits_0(capsys, base_ledger: Path) -> None:
    code, out, _ = rectify(capsys, "validate", str(base_ledger), "--today", DATE)
    assert code == 0, out
    assert "校验通过" in out


def test_invalid_ledger_exits_1_with_file_line_and_code(capsys, broken_ledger: Path) -> None:
    code, out, _ = rectify(capsys, "validate", str(broken_ledger), "--today", DATE)
    assert code == 1
    assert "STHJ-2025-001.yml:40:14: E205" in out


def test_missing_folder_exits_2(capsys, tmp_path: Path) -> None:
    code, _, err = rectify(capsys, "validate", str(tmp_path / "nowhere"), "--today", DATE)
    assert code == 2
    assert "不存在" in err and "Traceback" not in err


def test_bad_option_exits_2(capsys, base_ledger: Path) -> None:
    code, _, err = rectify(capsys, "validate", str(base_ledger), "--format", "xml")
    assert code == 2
    assert "用法错误" in err and "Traceback" not in err
    code, _, err = rectify(capsys, "validate", str(base_ledger), "--no-such-option")
    assert code == 2


@pytest.mark.parametrize("value", ["2026-02-30", "tomorrow", "2026/11/24"])
def test_bad_date_exits_2_in_chinese(capsys, base_ledger: Path, value: str) -> None:
    code, _, err = rectify(capsys, "validate", str(base_ledger), "--today", value)
    assert code == 2
    assert value in err and "YYYY-MM-DD" in err and chinese(err)


def test_unknown_command_exits_2(capsys) -> None:
    code, _, err = rectify(capsys, "publish")
    assert code == 2 and chinese(err)


# ---------------------------------------------------------------- validate: formats and --strict


def test_json_format_lists_findings(capsys, broken_ledger: Path) -> None:
    code, out, _ = rectify(capsys, "validate", str(broken_ledger), "--today", DATE, "--format", "json")
    assert code == 1
    report = json.loads(out)
    assert report["valid"] is False
    assert report["stats"]["errors"] == 1
    [finding] = report["findings"]
    assert finding["code"] == "E205" and finding["line"] == 40 and finding["field"] == "log[1].percent"
    assert finding["file"].endswith("ecology-env/STHJ-2025-001.yml")
    assert chinese(finding["message"])


def test_json_format_of_a_valid_ledger(capsys, base_ledger: Path) -> None:
    code, out, _ = rectify(capsys, "validate", str(base_ledger), "--today", DATE, "--format", "json")
    assert code == 0
    report = json.loads(out)
    assert report["valid"] is True and report["findings"] == []
    assert report["stats"]["problem_files"] == 3


def test_github_format_gives_annotations(capsys, broken_ledger: Path) -> None:
    code, out, _ = rectify(capsys, "validate", str(broken_ledger), "--today", DATE, "--format", "github")
    assert code == 1
    *annotations, summary = out.strip().splitlines()
    assert annotations and chinese(summary)
    for line in annotations:
        assert line.startswith("::error file="), line
        assert ",line=40,col=14," in line and "title=E205" in line


def test_github_format_marks_warnings_as_warnings(capsys, warned_ledger: Path) -> None:
    code, out, _ = rectify(capsys, "validate", str(warned_ledger), "--today", DATE, "--format", "github")
    assert code == 0
    assert out.startswith("::warning file=")
    code, out, _ = rectify(capsys, "validate", str(warned_ledger), "--today", DATE, "--format", "github", "--strict")
    assert code == 1
    assert out.startswith("::error file=")


def test_strict_turns_a_warning_into_exit_1(capsys, warned_ledger: Path) -> None:
    code, out, _ = rectify(capsys, "validate", str(warned_ledger), "--today", DATE)
    assert code == 0 and "W403" in out
    code, out, _ = rectify(capsys, "validate", str(warned_ledger), "--today", DATE, "--strict")
    assert code == 1 and "W403" in out and "--strict" in out


# ---------------------------------------------------------------- new


def fill_in(path: Path, category: str = "") -> None:
    """What a clerk does with the scaffold: replace every 请填写… placeholder, set the deadline."""
    text = path.read_text(encoding="utf-8")
    text = re.sub(r"请填写([^\n]*)", lambda m: f"已填写的{m.group(1)}", text)
    text = text.replace("\ndeadline:\n", "\ndeadline: 2027-06-30\n")
    if category:
        text = text.replace("\ncategory:\n", f"\ncategory: {category}\n")
    path.write_text(text, encoding="utf-8")


def test_the_untouched_scaffold_names_every_field_left_to_fill(capsys, base_ledger: Path) -> None:
    code, out, _ = rectify(capsys, "new", "--department", "ecology-env", "--ledgers", str(base_ledger),
                           "--opened", DATE)
    assert code == 0, out
    created = base_ledger / "ecology-env" / "STHJ-2026-001.yml"
    assert created.is_file() and created.name in out
    text = created.read_text(encoding="utf-8")
    assert "id: STHJ-2026-001" in text and "department: ecology-env" in text
    assert "category: ecology\n" in text, "the department's usual category"
    lines = text.split("\n")
    findings = validate(base_ledger, AS_OF).findings
    assert {(f.code, f.field) for f in findings} == {
        ("E329", "title"), ("E329", "source.name"), ("E329", "description"), ("E329", "leader"),
        ("E329", "team"), ("E329", "section"), ("E329", "responsible"), ("E329", "target"),
        ("E329", "measures[0]"), ("E207", "deadline")}
    for f in findings:  # each at the line of its own placeholder, or of the empty field
        expected = "请填写" if f.code == "E329" else f"{f.field}:"
        assert expected in lines[f.line - 1], (f.field, lines[f.line - 1])
    fill_in(created)
    assert validate(base_ledger, AS_OF).findings == ()


def test_second_new_takes_002_and_never_overwrites(capsys, base_ledger: Path) -> None:
    args = ("new", "--department", "ecology-env", "--ledgers", str(base_ledger), "--opened", DATE)
    assert rectify(capsys, *args)[0] == 0
    first = base_ledger / "ecology-env" / "STHJ-2026-001.yml"
    fill_in(first)
    before = first.read_bytes()
    assert rectify(capsys, *args)[0] == 0
    second = base_ledger / "ecology-env" / "STHJ-2026-002.yml"
    assert second.is_file()
    assert first.read_bytes() == before
    fill_in(second)
    assert validate(base_ledger, AS_OF).findings == ()


def test_a_department_without_problems_leaves_the_category_to_fill(capsys, base_ledger: Path) -> None:
    (base_ledger / "education" / "JY-2026-001.yml").unlink()
    assert rectify(capsys, "new", "--department", "education", "--ledgers", str(base_ledger), "--opened", DATE)[0] == 0
    created = base_ledger / "education" / "JY-2026-001.yml"
    assert "\ncategory:\n" in created.read_text(encoding="utf-8")
    assert ("E207", "category") in {(f.code, f.field) for f in validate(base_ledger, AS_OF).findings}
    fill_in(created, "education")
    assert validate(base_ledger, AS_OF).findings == ()


def test_new_continues_numbering_per_department_and_year(capsys, base_ledger: Path) -> None:
    args = ("new", "--department", "education", "--ledgers", str(base_ledger), "--opened")
    assert rectify(capsys, *args, DATE)[0] == 0  # JY-2026-001 exists
    assert (base_ledger / "education" / "JY-2026-002.yml").is_file()
    assert rectify(capsys, *args, "2027-01-05")[0] == 0  # a new year starts at 001
    assert (base_ledger / "education" / "JY-2027-001.yml").is_file()


def test_create_problem_refuses_an_existing_path(base_ledger: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    existing = base_ledger / "ecology-env" / "STHJ-2025-001.yml"
    before = existing.read_bytes()
    monkeypatch.setattr("generator.commands.new.next_problem_id", lambda folder, prefix, year: "STHJ-2025-001")
    with pytest.raises((ScaffoldError, FileExistsError)):
        create_problem(base_ledger, "ecology-env", "STHJ", "ecology", AS_OF)
    assert existing.read_bytes() == before


def test_new_with_unknown_department_exits_2_in_chinese(capsys, base_ledger: Path) -> None:
    code, _, err = rectify(capsys, "new", "--department", "water", "--ledgers", str(base_ledger), "--opened", DATE)
    assert code == 2
    assert "water" in err and "ecology-env" in err and chinese(err)
    assert not (base_ledger / "water").exists()


def test_new_with_unknown_category_exits_2(capsys, base_ledger: Path) -> None:
    code, _, err = rectify(capsys, "new", "--department", "education", "--category", "traffic",
                           "--ledgers", str(base_ledger), "--opened", DATE)
    assert code == 2 and "traffic" in err and chinese(err)


# ---------------------------------------------------------------- help


def _options(command: click.Command) -> list[str]:
    names = []
    for param in command.params:
        if isinstance(param, click.Option):
            names += [name for name in param.opts if name.startswith("--")]
    return names


def test_help_lists_every_command(capsys) -> None:
    code, out, _ = rectify(capsys, "--help")
    assert code == 0
    for name in cli.commands:
        assert name in out
    assert "退出码" in out


@pytest.mark.parametrize("name", sorted(cli.commands))
def test_each_command_help_mentions_every_option(capsys, name: str) -> None:
    command = cli.commands[name]
    code, out, _ = rectify(capsys, name, "--help")
    assert code == 0
    assert chinese(out)
    for option in _options(command):
        assert option in out, f"{name} --help does not mention {option}"
    for param in command.params:
        if isinstance(param, click.Option):
            assert param.help and chinese(param.help), f"{name} {param.opts} has no Chinese help"


def test_entry_points_run(tmp_path: Path) -> None:
    """`python -m generator` and the installed `rectify` script are the same command."""
    module = subprocess.run([sys.executable, "-m", "generator", "validate", "--help"], capture_output=True,
                            text=True, cwd=ROOT)
    assert module.returncode == 0 and "--strict" in module.stdout
    script = Path(sys.executable).with_name("rectify")
    if script.exists():
        run = subprocess.run([str(script), "validate", str(tmp_path / "nowhere")], capture_output=True, text=True)
        assert run.returncode == 2 and "Traceback" not in run.stderr


# ---------------------------------------------------------------- schema


def test_committed_json_schemas_are_the_ones_the_models_generate(capsys, tmp_path: Path) -> None:
    code, _, _ = rectify(capsys, "schema", "--out", str(tmp_path))
    assert code == 0
    generated = {p.name: p.read_bytes() for p in tmp_path.glob("*.schema.json")}
    committed = {p.name: p.read_bytes() for p in (ROOT / "schema").glob("*.schema.json")}
    assert sorted(generated) == sorted(committed)
    for name, content in generated.items():
        assert content == committed[name], f"schema/{name} is stale: run `rectify schema` and commit it"


# ---------------------------------------------------------------- synth


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    base = tmp_path_factory.mktemp("synth")
    outs = base / "one", base / "two"
    for out in outs:
        try:
            main(["synth", "--problems", "60", "--departments", "5", "--out", str(out), "--today", DATE])
        except SystemExit as exc:
            assert exc.code in (0, None)
    return outs


def _tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_synth_is_deterministic(synthetic: tuple[Path, Path]) -> None:
    one, two = synthetic
    first = _tree(one)
    assert len([name for name in first if name.count("/") == 1]) == 60
    assert first == _tree(two)


def test_synth_validates_and_covers_every_status(synthetic: tuple[Path, Path]) -> None:
    report = validate(synthetic[0], AS_OF)
    assert report.errors == [], [f.message for f in report.errors[:5]]
    ledger = report.ledger
    assert len(ledger.problems) == 60 and len(ledger.departments) == 5
    statuses = {state_of(item.problem, AS_OF, ledger.portal.thresholds).status for item in ledger.problems}
    assert statuses == set(Status)


def test_synth_replaces_its_output_folder(capsys, tmp_path: Path) -> None:
    out = tmp_path / "synth"
    assert rectify(capsys, "synth", "--problems", "6", "--departments", "2", "--out", str(out), "--today", DATE)[0] == 0
    (out / "stray.txt").write_text("x", encoding="utf-8")
    assert rectify(capsys, "synth", "--problems", "6", "--departments", "2", "--out", str(out), "--today", DATE)[0] == 0
    assert not (out / "stray.txt").exists()



# ---------------------------------------------------------------- build: the as-of date


def test_build_for_a_day_after_today_is_a_usage_error(capsys, tmp_path: Path) -> None:
    code, _, err = rectify(capsys, "build", "--ledgers", str(ROOT / "ledgers"), "--docs", str(tmp_path / "docs"),
                           "--as-of", "2026-11-25", "--today", "2026-11-24")
    assert code == 2 and "晚于今天（2026-11-24）" in err and "Traceback" not in err
    assert not (tmp_path / "docs").exists()


def test_build_for_a_day_before_the_campaign_is_a_usage_error(capsys, tmp_path: Path) -> None:
    code, _, err = rectify(capsys, "build", "--ledgers", str(ROOT / "ledgers"), "--docs", str(tmp_path / "docs"),
                           "--as-of", "2025-02-17", "--today", "2026-11-24")
    assert code == 2 and "早于整改工作开始日期 2025-02-18" in err


def test_build_for_a_past_day_reports_that_day(capsys, tmp_path: Path) -> None:
    """Validation runs against today, so entries after the as-of date are not errors: they are cut off."""
    code, out, err = rectify(capsys, "build", "--ledgers", str(ROOT / "ledgers"), "--docs", str(tmp_path / "docs"),
                             "--as-of", "2025-06-30", "--today", "2026-11-24", "--commit", "x")
    assert code == 0, err
    assert "数据截至 2025-06-30" in out
    assert "数据截至 **2025年6月30日**" in (tmp_path / "docs" / "index.md").read_text(encoding="utf-8")


# ---------------------------------------------------------------- the two dates, the same on every command

ENTRY_AFTER = "2026-11-05"  # a day before the base ledger's inspection of 2026-11-10


def _date_options(command: click.Command) -> dict[str, click.Option]:
    return {param.opts[0]: param for param in command.params
            if isinstance(param, click.Option) and isinstance(param.type, Day)}


def test_every_date_option_is_as_of_or_today_or_named_for_another_date() -> None:
    """A day a command takes is --as-of (reported on) or --today (checked against); the two others are not
    either of them and say what they are: the new problem's listing date and the week to snapshot."""
    others = {(name, option) for name, command in cli.commands.items() for option in _date_options(command)
              if option not in ("--as-of", "--today")}
    assert others == {("new", "--opened"), ("snapshot", "--week")}
    assert {name for name, command in cli.commands.items() if "--as-of" in _date_options(command)} == {
        "build", "site", "serve", "export"}
    assert {name for name, command in cli.commands.items() if "--today" in _date_options(command)} == {
        "build", "site", "serve", "export", "validate", "import", "convert-submissions", "snapshot", "verify", "diff", "synth"}


@pytest.mark.parametrize("name", sorted(cli.commands))
def test_the_dates_have_one_help_text(capsys, name: str) -> None:
    options = _date_options(cli.commands[name])
    code, out, _ = rectify(capsys, name, "--help")
    assert code == 0
    shown = re.sub(r"\s", "", out)  # as wrapped for the terminal
    for option, text in (("--as-of", AS_OF_HELP), ("--today", TODAY_HELP)):
        if option in options:
            assert options[option].help == text
            assert re.sub(r"\s", "", text) in shown, f"{name} --help does not show the {option} text"


def test_the_dates_have_one_default_on_every_command(monkeypatch: pytest.MonkeyPatch) -> None:
    """--as-of: SOURCE_DATE_EPOCH's day when set, else today; --today: today in the city, never SOURCE_DATE_EPOCH."""
    monkeypatch.setattr(clock, "today", lambda: AS_OF)
    reproducible = dt.date(2026, 9, 30)
    for epoch, as_of in ((str(clock.epoch_of(reproducible)), reproducible), (None, AS_OF)):
        if epoch is None:
            monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
        else:
            monkeypatch.setenv("SOURCE_DATE_EPOCH", epoch)
        for name, command in cli.commands.items():
            params = command.make_context(name, [], resilient_parsing=True).params
            if "--as-of" in _date_options(command):
                assert params["as_of"] == as_of, name
            if "--today" in _date_options(command):
                assert params["today"] == AS_OF, name


@pytest.mark.parametrize("command", [
    ("validate", "{ledgers}"),
    ("build", "--ledgers", "{ledgers}", "--docs", "{tmp}/docs", "--as-of", "2026-06-30"),
    ("export", "{tmp}/out.xlsx", "--ledgers", "{ledgers}", "--as-of", "2026-06-30"),
    ("snapshot", "--ledgers", "{ledgers}", "--week", "2026-06-30"),
    ("verify", "{saved}", "--ledgers", "{ledgers}"),
], ids=lambda command: command[0])
def test_today_is_the_day_checks_run_against(capsys, base_ledger: Path, tmp_path: Path, command: tuple) -> None:
    """An entry dated after --today is an error (E319) whatever day the output reports on."""
    saved = min((ROOT / "snapshots").glob("*.json"))
    args = [a.format(ledgers=base_ledger, tmp=tmp_path, saved=saved) for a in command]
    code, out, err = rectify(capsys, *args, "--today", ENTRY_AFTER)
    assert code == 1 and "E319" in out + err and "2026-11-10" in out + err
    assert not (tmp_path / "docs").exists() and not (tmp_path / "out.xlsx").exists()


def test_validate_takes_no_as_of(capsys, base_ledger: Path) -> None:
    """validate checks against a day and reports on none: the old --as-of, which meant today, is refused
    rather than read with a new meaning."""
    code, _, err = rectify(capsys, "validate", str(base_ledger), "--as-of", ENTRY_AFTER)
    assert code == 2 and "--as-of" in err


def test_as_of_is_the_day_the_workbook_reports_on(capsys, base_ledger: Path, tmp_path: Path) -> None:
    code, out, err = rectify(capsys, "export", str(tmp_path / "out.xlsx"), "--ledgers", str(base_ledger),
                             "--as-of", "2026-06-30", "--today", DATE)
    assert code == 0, err
    assert "数据截至 2026-06-30" in out
    code, _, err = rectify(capsys, "export", str(tmp_path / "late.xlsx"), "--ledgers", str(base_ledger),
                           "--as-of", "2026-11-25", "--today", DATE)
    assert code == 2 and "晚于今天（2026-11-24）" in err


def test_serve_leaves_a_date_not_given_to_each_regeneration(capsys, base_ledger: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """A preview left running past midnight goes on with the day; a date given stays."""
    calls = []
    monkeypatch.setattr("generator.commands.serve.serve", lambda *args: calls.append(args[2:4]) or 0)
    assert rectify(capsys, "serve", "--ledgers", str(base_ledger))[0] == 0
    assert rectify(capsys, "serve", "--ledgers", str(base_ledger), "--as-of", "2026-06-30", "--today", DATE)[0] == 0
    assert calls == [(None, None), (dt.date(2026, 6, 30), AS_OF)]


def test_new_opened_is_the_listing_date(capsys, base_ledger: Path) -> None:
    code, _, err = rectify(capsys, "new", "--department", "education", "--ledgers", str(base_ledger),
                           "--opened", "2027-01-05")
    assert code == 0, err
    assert "\nopened: 2027-01-05\n" in (base_ledger / "education" / "JY-2027-001.yml").read_text(encoding="utf-8")


# ---------------------------------------------------------------- output formats carry any file name and value


def test_github_format_escapes_file_names_and_keeps_one_command_a_line(capsys, base_ledger: Path) -> None:
    odd = base_ledger / "ecology-env" / "STHJ-2025-001,x:y.yml"
    (base_ledger / "ecology-env" / "STHJ-2025-001.yml").rename(odd)
    code, out, _ = rectify(capsys, "validate", str(base_ledger), "--format", "github", "--today", DATE)
    assert code == 1
    line = next(line for line in out.splitlines() if "E302" in line)
    assert "file=" in line and "STHJ-2025-001%2Cx%3Ay.yml,line=" in line


def test_text_format_keeps_a_finding_on_one_line_whatever_the_value(capsys, base_ledger: Path) -> None:
    path = base_ledger / "ecology-env" / "STHJ-2025-001.yml"
    text = path.read_text(encoding="utf-8").replace("percent: 80", 'percent: "八十\\n::error file=x::注入"')
    path.write_text(text, encoding="utf-8")
    code, out, _ = rectify(capsys, "validate", str(base_ledger), "--today", DATE)
    assert code == 1
    lines = out.splitlines()
    assert len(lines) == 2 and lines[0].count("E203") == 1 and "\\n::error" in lines[0]
    assert not any(line.startswith("::error") for line in lines)


def test_json_format_gives_the_chinese_title(capsys, broken_ledger: Path) -> None:
    code, out, _ = rectify(capsys, "validate", str(broken_ledger), "--format", "json", "--today", DATE)
    finding = json.loads(out)["findings"][0]
    assert finding["title"] == "数值超出范围" and finding["code"] == "E205"
