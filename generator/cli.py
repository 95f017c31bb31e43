"""The `rectify` command: a thin click layer; the library never prints or exits, this module does.

Exit codes: 0 valid, 1 invalid ledgers, 2 usage error, 3 internal error. The two dates of a run
(generator/clock.py) are one option each, declared once below and shared by every command that takes
them: `--as-of`, the day the output reports on, and `--today`, the day checks run against.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
import traceback
from pathlib import Path
from urllib.parse import urlsplit

import click
from click.core import ParameterSource

from . import clock

EXIT_VALID, EXIT_INVALID, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 3


class Day(click.ParamType):
    """A day, written YYYY-MM-DD."""

    name = "YYYY-MM-DD"

    def convert(self, value, param, ctx):
        if isinstance(value, dt.date):
            return value
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            self.fail(f"“{value}”不是有效日期，应为 YYYY-MM-DD，如 2026-11-24。", param, ctx)


AS_OF_HELP = ("数据截至日期（YYYY-MM-DD）：输出反映台账在这一天结束时的样子，之后的记录不计入；可以是整改开始以来、"
              "不晚于 --today 的任何一天。默认：设置了 SOURCE_DATE_EPOCH 时取它在北京时间的日期，否则取北京时间今天。")
TODAY_HELP = ("检查所依据的“今天”（YYYY-MM-DD）：任何记录的日期都不得晚于这一天，哪些时限已过也按这一天判断。"
              "默认：北京时间今天（与 SOURCE_DATE_EPOCH 无关）。")
FORMAT_HELP = ("输出格式：text 供人阅读；json 供程序处理；github 生成 GitHub 拉取请求里的逐行批注；"
               "gitlab 生成 GitLab 的代码质量报告（Code Quality JSON），在合并请求的改动旁显示。")


def _as_of_or_default(ctx: click.Context, param: click.Parameter, value: dt.date | None) -> dt.date:
    return clock.default_as_of() if value is None else value


def _today_or_default(ctx: click.Context, param: click.Parameter, value: dt.date | None) -> dt.date:
    return clock.today() if value is None else value


# The two dates, as datasette shares its option decorators: one declaration, one default, one help text on every
# command. The command receives a date, never None.
as_of_option = click.option("--as-of", "as_of", type=Day(), default=None, callback=_as_of_or_default,
                            help=AS_OF_HELP)
today_option = click.option("--today", "today", type=Day(), default=None, callback=_today_or_default,
                            help=TODAY_HELP)


def _given(name: str) -> bool:
    """Whether the running command's option `name` was given (on the command line or in the environment)."""
    return click.get_current_context().get_parameter_source(name) is not ParameterSource.DEFAULT


def _ledger_root(path: str) -> Path:
    root = Path(path)
    if not root.is_dir():
        raise click.UsageError(f"台账目录“{path}”不存在或不是文件夹。")
    return root


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(package_name="rectify-portal", message="rectify %(version)s")
def cli() -> None:
    """整改公示：校验问题整改台账，生成公开门户。

    \b
    退出码：0 校验通过；1 台账有错误；2 用法错误；3 程序内部错误。
    """


@cli.command()
@click.argument("path", default="ledgers")
@click.option("--format", "output_format", type=click.Choice(["text", "json", "github", "gitlab"]), default="text",
              show_default=True, help=FORMAT_HELP)
@click.option("--strict", is_flag=True, help="把提醒（W 开头的代码）也视为错误。")
@today_option
@click.option("--history", is_flag=True,
              help="同时核验 snapshots/ 下已发布的周快照：快照链是否完整、有没有缺少的周、统计数字是否被改动，"
                   "按现在的台账重算每一周是否与快照相同，git 历史里提交过的快照版本是否都还在（E340–E345）。")
def validate(path: str, output_format: str, strict: bool, today: dt.date, history: bool) -> None:
    """校验台账目录 PATH（默认 ledgers）下的全部文件，一次列出所有问题。

    每个问题一行：文件:行:列: 代码 说明。代码的含义见填报指南的“校验代码”一节。
    """
    from .loading.layout import repository_of
    from .validation.report import FORMATS
    from .validation.report import validate as run

    root = _ledger_root(path)
    report = run(root, today, repository_of(root), history=history)
    click.echo(FORMATS[output_format](report, strict))
    sys.exit(EXIT_VALID if report.valid(strict) else EXIT_INVALID)


@cli.command()
@click.option("--department", required=True, help="牵头部门编号（departments.yml 中的 id），如 ecology-env。")
@click.option("--category", default=None, help="问题类别编号；默认取该部门已有问题中最常见的类别，没有时留空待填。")
@click.option("--ledgers", "path", default="ledgers", show_default=True, help="台账目录。")
@click.option("--opened", type=Day(), default=None,
              help="新问题列入台账的日期（YYYY-MM-DD，写入 opened 字段），也决定编号中的年份。默认：北京时间今天。")
def new(department: str, category: str | None, path: str, opened: dt.date | None) -> None:
    """为部门新建一个问题文件：取下一个空闲编号，列出全部字段并逐项注释；已存在的文件绝不覆盖。"""
    from .commands.new import ScaffoldError, new_problem
    from .validation.registered import NotRegistered

    try:
        created = new_problem(_ledger_root(path), department, category, opened or clock.today())
    except NotRegistered as exc:
        raise click.UsageError(str(exc)) from None
    except (ScaffoldError, FileExistsError) as exc:
        click.echo(f"没有创建文件：{exc}", err=True)
        sys.exit(EXIT_USAGE)
    click.echo(f"已创建 {created}：请逐项填写后提交拉取请求。")


@cli.command(name="import")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--department", required=True, help="导入到哪个部门（departments.yml 中的 id），如 ecology-env。")
@click.option("--sheet", default=None, help="工作表名称；默认取与部门同名的工作表，否则取第一个认得出表头的工作表。")
@click.option("--map", "map_path", default=None, type=click.Path(dir_okay=False),
              help="表头对照文件（YAML）：“表头:”写表格里的表头对应哪个标准表头，“默认值:”写全表共用的值。")
@click.option("--dry-run", is_flag=True, help="只检查并报告，不写任何文件。")
@click.option("--force", is_flag=True, help="缺少内容的行也写入，缺的地方写“待补充”（补齐之前校验不会通过）；含个人信息的行仍不写入。")
@click.option("--ledgers", "path", default="ledgers", show_default=True, help="台账目录。")
@today_option
def import_(file: str, department: str, sheet: str | None, map_path: str | None, dry_run: bool, force: bool,
            path: str, today: dt.date) -> None:
    """把 Excel 台账（.xlsx、.xls 或 .ods）导入台账：新问题的每一行导入为一个问题文件（取下一个空闲编号），
    台账中已有的问题，把表格中新增的内容按日期追加到它的工作记录末尾。绝不覆盖或改写已有的内容。

    \b
    新问题：自动找出标题行下面的表头行，认得常见的表头写法（见填报指南的“Excel 台账对照表”）；
    合并单元格按每行都有处理；每个单元格都检查个人信息。无法完整导入的行按单元格报告
    （台账.xlsx:Sheet1!F12: …），不写入，除非加 --force。
    已有问题（部门填报表的“本旬进展”、导出表的“工作记录”和“节点”、部门表、自己台账的“整改进展”等列）：
    新记录追加在最后一条已合并记录之后；改动已合并的记录、日期早于最后一条记录或落在已存档的一周、
    改动交办事实或完成时限、缺少必填栏的记录按单元格报告，不导入；改动整改承诺作为“调整”申请追加，
    待专班办公室审核。--dry-run 按拉取请求改动摘要的写法列出将追加的内容。
    再次导入同一张表不会重复写入。退出码：0 全部导入（或没有新内容）；1 有的行或单元格有错误没有导入。
    """

    from .commands.importing import changes, import_sheet
    from .spreadsheet.headings import read_map
    from .spreadsheet.report import ImportRefused

    try:
        heading_map = read_map(Path(map_path)) if map_path else None
        report = import_sheet(_ledger_root(path), Path(file), department, today, sheet,
                              heading_map, dry_run, force)
    except ImportRefused as exc:
        click.echo(f"没有导入：{exc}", err=True)
        sys.exit(EXIT_USAGE)
    for note in report.notes:
        click.echo(note.line())
    for result in report.rows:
        if result.path is not None:
            click.echo(f"{result.where} -> {result.path}")
    appended = changes(report, today, plain=True)
    if appended:
        click.echo(appended)
    click.echo(report.summary())
    sys.exit(EXIT_INVALID if report.failed else EXIT_VALID)


@cli.command()
@click.argument("out", type=click.Path(dir_okay=False))
@click.option("--department", default=None, help="导出这个部门（departments.yml 中的 id）的填报表：第一张“本旬进展”表每个问题留空行填写新记录，"
              "后面是本部门的台账、工作记录和节点；默认导出全部部门，每个部门一张工作表。")
@click.option("--ledgers", "path", default="ledgers", show_default=True, help="台账目录。")
@as_of_option
@today_option
def export(out: str, department: str | None, path: str, as_of: dt.date, today: dt.date) -> None:
    """把台账导出为 Excel 工作簿 OUT（.xlsx）：汇总表、每个部门一张表（表头与导入相同，状态和亮灯着色）、
    工作记录和节点；导出的文件可以再导入。

    加 --department 时导出这个部门下一旬的填报表：“本旬进展”表按问题分组，每个问题留几行填写新的进展、延期、
    销号等记录（有下拉选择和日期检查），已有内容锁定不能改；同一文件也可以像导出的台账一样再导入。"""
    from .commands.export import ExportError, export_workbook

    try:
        written = export_workbook(_ledger_root(path), Path(out), as_of, today, department)
    except ExportError as exc:
        if exc.report is not None:
            from .validation.report import format_text

            click.echo(format_text(exc.report), err=True)
        click.echo(f"没有导出：{exc}", err=True)
        sys.exit(EXIT_INVALID if exc.report is not None else EXIT_USAGE)
    if written.department is not None:
        click.echo(f"已把{written.department}的填报表（{written.problems} 个问题）导出到 {out}"
                   f"（数据截至 {written.as_of.isoformat()}）。")
    else:
        click.echo(f"已导出 {written.problems} 个问题到 {out}（数据截至 {written.as_of.isoformat()}）。")


@cli.command()
@click.option("--out", default="schema", show_default=True, help="写入 JSON Schema 的文件夹。")
def schema(out: str) -> None:
    """生成台账格式的 JSON Schema（供 VS Code 的 YAML 插件做补全和悬停说明）。"""
    from .model.jsonschema import write_schemas

    for written in write_schemas(Path(out)):
        click.echo(f"已写入 {written}")


@cli.command()
@click.option("--problems", type=click.IntRange(1, 1_000_000), required=True, help="问题数量。")
@click.option("--departments", type=click.IntRange(1, 676), default=10, show_default=True, help="部门数量。")
@click.option("--out", required=True, help="输出的台账目录（已存在时整个替换）。")
@today_option
@click.option("--seed", type=int, default=2025, show_default=True, help="随机种子；相同参数总是生成相同的文件。")
def synth(problems: int, departments: int, out: str, today: dt.date, seed: int) -> None:
    """生成一套可通过校验、覆盖全部状态的合成台账，用于规模测试和性能基准。

    合成的台账写到 --today 为止：没有晚于这一天的记录，按这一天校验通过，并且在这一天各种状态都有。
    """
    from .commands.synth import synthesize

    count = synthesize(Path(out), problems, departments, today, seed)
    click.echo(f"已在 {out} 生成 {count} 个问题、{departments} 个部门。")


@cli.command()
@click.option("--ledgers", "path", default="ledgers", show_default=True, help="台账目录。")
@click.option("--week", "week_of", type=Day(), default=None,
              help="为这一天（YYYY-MM-DD）所在的一周（周一到周日，北京时间）生成快照，截至该周周日；该周尚未结束时"
                   "截至 --today，是临时快照，周内可以重写。默认：--today 所在的一周。")
@click.option("--all", "every_week", is_flag=True, help="为整改开始以来每一个已经结束、还没有快照的周生成快照。")
@today_option
def snapshot(path: str, week_of: dt.date | None, every_week: bool, today: dt.date) -> None:
    """生成周快照 snapshots/YYYY-Www.json：每个问题的状态、亮灯、完成度、现行时限和工作记录摘要，
    以及前一份快照文件的 SHA-256，前后相连成链。已经结束的一周的快照不同时绝不覆盖。"""
    from .commands.snapshot import SnapshotError, take
    from .validation.report import format_text

    if week_of is not None and every_week:
        raise click.UsageError("--week 和 --all 只能用一个。")
    try:
        taken = take(_ledger_root(path), today, week_of, every_week)
    except SnapshotError as exc:
        if exc.report is not None:
            click.echo(format_text(exc.report), err=True)
        click.echo(f"没有写入快照：{exc}", err=True)
        sys.exit(EXIT_INVALID)
    words = {"written": "已写入", "unchanged": "未改变", "provisional": "已写入临时快照（本周尚未结束）"}
    for item in taken:
        click.echo(f"{words[item.outcome]} {item.path}（第 {item.week.label} 周，截至 {item.as_of}）")
    if not taken:
        click.echo("每个已经结束的周都已有快照，没有新的快照要写。")


@cli.command()
@click.argument("saved")
@click.option("--ledgers", "path", default="ledgers", show_default=True, help="台账目录；快照目录 snapshots/ 在它旁边。")
@today_option
def verify(saved: str, path: str, today: dt.date) -> None:
    """核验保存的周快照摘要：SAVED 是当时保存的订阅源（feed.xml）、快照文件夹（data/snapshots/）、
    一份快照文件，或它们的网址（文件夹的网址以 / 结尾）。逐周说明现在的仓库是否仍原样给出当时发布的
    每一个 SHA-256 摘要，列出不再能复现的每一周。退出码：0 全部复现；1 有不能复现的周；2 读不了 SAVED。"""
    from .commands.verify import VerifyError
    from .commands.verify import verify as run
    from .loading.snapshots import SavedCopyError
    from .validation.report import format_text

    try:
        result = run(_ledger_root(path), saved, today)
    except SavedCopyError as exc:
        raise click.UsageError(str(exc)) from None
    except VerifyError as exc:
        if exc.report is not None:
            click.echo(format_text(exc.report), err=True)
        click.echo(f"无法核验：{exc}", err=True)
        sys.exit(EXIT_INVALID)
    for line in result.lines():
        click.echo(line)
    sys.exit(EXIT_VALID if result.reproduced else EXIT_INVALID)


def _build_options(command):
    for option in reversed((
        click.option("--ledgers", "path", default="ledgers", show_default=True, help="台账目录。"),
        click.option("--docs", default="docs", show_default=True, help="MkDocs 的 docs 目录；生成的页面写在其中（由 git 忽略）。"),
        as_of_option,
        today_option,
        click.option("--commit", default=None, help="页面上显示的台账版本；默认取台账仓库在数据截至日（--as-of）当天或之前的最后一次 git 提交。"),
    )):
        command = option(command)
    return command


def _generate(path: str, docs: str, as_of: dt.date, today: dt.date, commit: str | None, **options):
    from .validation.report import format_text
    from .writing.build import AsOfError, BuildError
    from .writing.build import build as run

    try:
        return run(_ledger_root(path), Path(docs), as_of, commit, today, **options)
    except AsOfError as exc:
        raise click.UsageError(str(exc)) from None
    except BuildError as exc:
        if exc.report is not None:
            click.echo(format_text(exc.report), err=True)
        click.echo(str(exc), err=True)
        sys.exit(EXIT_INVALID)


def _is_address(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def _built(result) -> None:
    click.echo(f"已生成 {result.pages} 个页面（其中问题页面 {result.problem_pages} 个），"
               f"数据截至 {result.campaign.as_of.isoformat()}。")
    for warning in result.warnings:
        click.echo(f"提醒：{warning}", err=True)


@cli.command()
@_build_options
@click.option("--site-url", default="", envvar="SITE_URL", metavar="URL",
              help="门户发布的网址（默认取环境变量 SITE_URL）：订阅源里的链接写成完整网址；不设时写成相对链接。")
def build(path: str, docs: str, as_of: dt.date, today: dt.date, commit: str | None, site_url: str) -> None:
    """校验台账并生成门户页面、图表和数据文件，之后由 mkdocs build 发布。台账有错误时不生成。

    --as-of 可以是整改开始以来的任何一天：门户只显示那一天已经登记的内容。
    """
    _built(_generate(path, docs, as_of, today, commit, site_url=site_url))
    _read_a_ledger()


@cli.command()
@_build_options
@click.option("--config", default="mkdocs.yml", show_default=True, help="MkDocs 配置文件。")
@click.option("--require-site-url", is_flag=True, envvar="RECTIFY_REQUIRE_SITE_URL",
              help="发布用（CI 的发布任务设置环境变量 RECTIFY_REQUIRE_SITE_URL=1）：门户的网址（mkdocs.yml 的 site_url，"
                   "或环境变量 SITE_URL）不是完整的 http(s) 网址时不生成，以免订阅源里的链接只能写成相对链接。")
@click.option("--cache", "cache_dir", default=None, type=click.Path(file_okay=False), envvar="RECTIFY_CACHE",
              help="生成缓存的目录（默认在 $XDG_CACHE_HOME/rectify 或 ~/.cache/rectify 下，按仓库和 site 目录区分）。"
                   "上次生成之后只改了问题文件时，只重新生成受影响的页面，结果与完整生成逐字节相同。")
@click.option("--full", is_flag=True, help="不用缓存，完整生成（之后照样写缓存）。")
def site(path: str, docs: str, as_of: dt.date, today: dt.date, commit: str | None, config: str,
         require_site_url: bool, cache_dir: str | None, full: bool) -> None:
    """生成页面后运行 mkdocs build --strict，把门户发布到 site/；相同的台账和日期总是得到相同的文件。

    门户的网址取自 mkdocs.yml 的 site_url（其中可引用环境变量 SITE_URL）：订阅源里的链接用它写成完整网址。
    上次生成之后只改了问题文件时只重新生成受影响的部分（见 --cache）；其他任何改动都完整生成，并说明原因。
    """
    from .commands.site import EarlySearch, PublishError, make_site, site_address
    from .parallel import collector_paused
    from .validation.report import format_text
    from .writing.build import AsOfError, BuildError
    from .writing.incremental import BuildCache

    address = site_address(Path(config))
    if require_site_url and not _is_address(address):
        raise click.UsageError(f"门户的网址“{address}”不是完整的 http(s) 网址：请设置环境变量 SITE_URL（或 mkdocs.yml 的 site_url）为门户发布的地址，"
                               "订阅源里的链接要用它写成完整网址。")
    root = _ledger_root(path)
    cache = BuildCache(Path(cache_dir)) if cache_dir else BuildCache.default(root, Path(config))
    search = EarlySearch(Path(docs))
    try:
        with collector_paused():  # the build's objects live to the end (generator/parallel.py)
            made = make_site(root, Path(docs), Path(config), as_of, today, commit, address, cache, full,
                             problem_pages_written=search.start, search=search.take)
    except AsOfError as exc:
        raise click.UsageError(str(exc)) from None
    except BuildError as exc:
        if exc.report is not None:
            click.echo(format_text(exc.report), err=True)
        click.echo(str(exc), err=True)
        sys.exit(EXIT_INVALID)
    except PublishError as exc:
        click.echo(f"{exc}门户没有完整发布。", err=True)
        sys.exit(EXIT_INVALID)
    finally:
        search.cancel()
    if made.full is None:
        click.echo(f"增量生成：只重新生成了受改动影响的 {made.written} 个页面和文件，"
                   f"数据截至 {made.result.campaign.as_of.isoformat()}。")
    else:
        click.echo(f"完整生成：{made.full}。")
        _built(made.result)
    if made.code != 0:
        click.echo("mkdocs build 没有成功，门户没有发布（见上面的信息）。", err=True)
        sys.exit(EXIT_INVALID)
    click.echo("门户已发布（到 mkdocs.yml 的 site_dir，默认 site/）。")
    _read_a_ledger()


@cli.command()
@click.option("--ledgers", "path", default="ledgers", show_default=True, help="台账目录。")
@click.option("--docs", default="docs", show_default=True, help="MkDocs 的 docs 目录。")
@as_of_option
@today_option
@click.option("--port", type=click.IntRange(1, 65535), default=8000, show_default=True, help="本机预览端口。")
def serve(path: str, docs: str, as_of: dt.date, today: dt.date, port: int) -> None:
    """本机预览门户：运行 mkdocs serve，台账文件一有改动就重新生成页面。

    没有给出 --as-of、--today 时，每次重新生成都按当时取默认日期：预览过了午夜也跟着换到新的一天。
    """
    from .commands.serve import serve as run

    sys.exit(run(_ledger_root(path), Path(docs), as_of if _given("as_of") else None,
                 today if _given("today") else None, port))


def _check_options(command):
    for option in reversed((
        click.option("--base", default=None,
                     help="比较的基准提交（分支、标签或提交号，如 origin/main、HEAD~1）。在 GitHub Actions 或 GitLab CI "
                          "的合并请求里默认取基准提交。"),
        click.option("--head", default=None, help="与基准比较的提交（CI 里用 HEAD）；默认比较当前工作目录（包括尚未提交的改动；"
                                                  "台账和快照以外的文件比较已提交的 HEAD）。"),
        click.option("--repo", "repository", default=".", show_default=True, help="台账仓库的根目录。"),
        click.option("--format", "output_format", type=click.Choice(["text", "json", "github", "gitlab"]),
                     default="text", show_default=True, help=FORMAT_HELP),
    )):
        command = option(command)
    return command


def _report_check(run, output_format: str) -> None:
    from .commands.checks import CheckUsageError
    from .loading.tree import TreeError
    from .validation.report import FORMATS

    try:
        report = run()
    except (CheckUsageError, TreeError) as exc:
        raise click.UsageError(str(exc)) from None
    click.echo(FORMATS[output_format](report))
    sys.exit(EXIT_VALID if report.valid() else EXIT_INVALID)


@cli.command()
@click.option("--repo", "repository", default=".", show_default=True, help="台账仓库的根目录。")
def codeowners(repository: str) -> None:
    """根据 portal.yml 和 departments.yml 中登记的 owners 生成 .github/CODEOWNERS 和 .gitlab/CODEOWNERS：
    各部门文件夹由本部门审核，其余文件由专班办公室审核。修改 owners 后运行并提交。"""
    from .loading.layout import LEDGERS
    from .validation.codeowners import write_codeowners

    root = Path(repository)
    if not (root / LEDGERS).is_dir():
        raise click.UsageError(f"“{repository}”下没有 ledgers 文件夹；请在台账仓库的根目录运行，或用 --repo 指定。")
    for written in write_codeowners(root):
        click.echo(f"已写入 {written}")


@cli.command("check-history")
@_check_options
def check_history(base: str | None, head: str | None, repository: str, output_format: str) -> None:
    """检查拉取请求有没有改写历史：与基准提交相比，问题和督查文件不得删除或改名，log 只能在末尾追加，
    完成时限、列入日期和节点日期不得直接修改，新记录不得补记到已存档的周，已提交的每周快照不得改动。

    只读取改动过的文件。退出码：0 通过；1 有违反的改动；2 用法错误（如找不到基准提交）。
    """
    from .commands.checks import base_ref
    from .commands.checks import check_history as run

    _report_check(lambda: run(Path(repository), base_ref(base), head), output_format)


@cli.command("check-ownership")
@_check_options
@click.option("--author", default=None,
              help="改动的作者在 git 平台上的账号；默认取 CI 环境里拉取请求的作者（GitHub 取事件里的作者，"
                   "GitLab 向 API 查询合并请求的创建人，需要 RECTIFY_GITLAB_TOKEN）。")
@click.option("--team", "teams", multiple=True, envvar="RECTIFY_AUTHOR_TEAMS",
              help="作者所属的团队（可多次给出，如 @city/sthj）；owners 里写团队时用它判断作者是否属于该团队。"
                   "在 CI 里没有给出时向平台查询（GitHub 需要 RECTIFY_TEAMS_TOKEN，GitLab 需要 RECTIFY_GITLAB_TOKEN）。")
def check_ownership(base: str | None, head: str | None, repository: str, output_format: str,
                    author: str | None, teams: tuple[str, ...]) -> None:
    """检查改动的文件是否都归作者管理：部门文件夹归 departments.yml 中该部门的 owners，登记表、督查记录、
    每周快照以及台账以外的一切文件（代码、工作流、设置、.gitattributes 等）归 portal.yml 中专班办公室的 owners
    （以基准提交里的登记为准）；符号链接和子模块一律不接受。跨部门的改动列出每个部门和须审核的人。
    """
    from .commands.checks import base_ref
    from .commands.checks import check_ownership as run

    _report_check(lambda: run(Path(repository), base_ref(base), author, teams, head), output_format)


@cli.command("convert-submissions")
@click.option("--base", default=None,
              help="比较的基准提交（如 origin/main）；在 GitHub Actions 或 GitLab CI 的合并请求里默认取基准提交。")
@click.option("--head", default=None, help="与基准比较的提交（CI 里用 HEAD）；默认取已提交的 HEAD。")
@click.option("--repo", "repository", default=".", show_default=True, help="台账仓库的根目录。")
@click.option("--format", "output_format", type=click.Choice(["text", "github", "gitlab"]), default="text",
              show_default=True, help="输出格式：text 供人阅读；github 生成 GitHub 拉取请求里的批注（标在上传的表格上，"
                                      "标题是出错的单元格）；gitlab 生成 GitLab 的代码质量报告（Code Quality JSON）。")
@click.option("--artifact", default=None, type=click.Path(file_okay=False),
              help="把转换出的问题文件按它们在仓库里的路径（ledgers/部门编号/编号.yml）另外复制到这个文件夹，供 CI 作为附件上传。")
@click.option("--summary", "summary_path", default=None, type=click.Path(dir_okay=False),
              help="把给审核人看的转换结果（中文 Markdown）追加到这个文件，如 \"$GITHUB_STEP_SUMMARY\"。")
@today_option
def convert_submissions(base: str | None, head: str | None, repository: str, output_format: str,
                        artifact: str | None, summary_path: str | None, today: dt.date) -> None:
    """把拉取请求在 submissions/部门编号/ 下上传（新增或修改）的表格（.xlsx、.xls、.ods）逐个转换为问题文件，
    写入工作目录的 ledgers/部门编号/，与 rectify import 相同；之后 validate、check-history、check-ownership
    和 diff 像检查手写的改动一样检查转换结果。上传的表格本身不会发布。

    \b
    不在已登记部门文件夹里的文件、不是表格的文件、超过 20 MB 的文件不转换，指明文件报错；
    表格里的问题按单元格报告（台账.xlsx:Sheet1!F12: …），有错误的行不写入。
    退出码：0 全部转换（或没有上传表格）；1 有错误；2 用法错误。
    """
    from .commands.checks import CheckUsageError, base_ref
    from .commands.importing import import_sheet
    from .commands.submissions import FORMATS, SubmissionsUsageError, format_markdown
    from .commands.submissions import convert_submissions as run
    from .loading.tree import TreeError

    def converter(ledger_root: Path, file: Path, department: str, day: dt.date):
        return import_sheet(ledger_root, file, department, day)

    try:
        report = run(Path(repository), base_ref(base), head, today, converter,
                     Path(artifact) if artifact else None)
    except (CheckUsageError, SubmissionsUsageError, TreeError) as exc:
        raise click.UsageError(str(exc)) from None
    click.echo(FORMATS[output_format](report))
    if summary_path:
        with open(summary_path, "a", encoding="utf-8") as handle:
            handle.write(format_markdown(report))
    sys.exit(EXIT_VALID if report.valid() else EXIT_INVALID)


@cli.command()
@click.option("--base", default=None,
              help="比较的基准提交（如 origin/main）；在 GitHub Actions 或 GitLab CI 的合并请求里默认取基准提交。")
@click.option("--head", default=None, help="与基准比较的提交；默认比较当前工作目录。")
@click.option("--repo", "repository", default=".", show_default=True, help="台账仓库的根目录。")
@today_option
@click.option("--author", default=None, help="改动的作者；给出（或 CI 环境里能取到）时，摘要也列出修改权限的检查结果。")
@click.option("--team", "teams", multiple=True, envvar="RECTIFY_AUTHOR_TEAMS", help="作者所属的团队（可多次给出）。")
def diff(base: str | None, head: str | None, repository: str, today: dt.date, author: str | None,
         teams: tuple[str, ...]) -> None:
    """给审核人看的改动摘要（中文 Markdown）：新增问题、新增记录、合并后状态和亮灯的变化、新红灯、
    延期（原时限和新时限）、销号，以及 check-history、check-ownership 发现的问题。状态和亮灯按 --today 计算。

    在 GitHub Actions 里可写入作业摘要：rectify diff >> "$GITHUB_STEP_SUMMARY"。
    """
    from .commands.checks import CheckUsageError, base_ref, reviewed_author
    from .commands.diff import diff as run
    from .loading.tree import TreeError
    from .review.platforms import PlatformError

    try:
        who, is_member = reviewed_author(author)
    except (CheckUsageError, PlatformError):  # the summary is still worth reading; check-ownership reports it
        who, is_member = None, None
    try:
        click.echo(run(Path(repository), base_ref(base), today, who, teams, head, is_member), nl=False)
    except (CheckUsageError, TreeError) as exc:
        raise click.UsageError(str(exc)) from None


@cli.command()
@click.argument("config", default="province.yml", type=click.Path(dir_okay=False))
@click.option("--city", "city_id", default=None, help="只读取并核验这一个城市（province.yml 中的编号），把读到的文件存到 --save：CI 里每个城市一个作业。")
@click.option("--share", default=None, metavar="K/N",
              help="N 个并行作业中的第 K 个：读取并核验第 K、K+N、K+2N……个城市，每个城市存到 --save 下以编号命名的子文件夹（GitLab 的 parallel 作业用 $CI_NODE_INDEX/$CI_NODE_TOTAL）。")
@click.option("--save", "save_to", default=None, type=click.Path(file_okay=False), help="与 --city 或 --share 一起用：存放读到的文件的文件夹。")
@click.option("--fetched", default=None, type=click.Path(file_okay=False),
              help="各市已读取的文件所在的文件夹（其中每个城市一个以编号命名的子文件夹，即 --city --save 存下的）；不给时按 province.yml 读取各市。")
@click.option("--work", default=".province", show_default=True, type=click.Path(file_okay=False), help="生成页面和主题的工作文件夹（整个替换）。")
@click.option("--site", "site_dir", default="province-site", show_default=True, type=click.Path(file_okay=False), help="省级门户发布到这个文件夹。")
@click.option("--overrides", default="overrides", show_default=True, type=click.Path(file_okay=False), help="城市门户的主题文件夹。")
@click.option("--assets", default="docs/assets", show_default=True, type=click.Path(file_okay=False), help="城市门户的样式和脚本文件夹。")
@click.option("--site-url", default="", envvar="SITE_URL", metavar="URL", help="省级门户发布的网址（默认取 province.yml 的 site_url）。")
@click.option("--strict", is_flag=True, help="有城市未通过核验时退出码为 1（门户照常生成，并显示该市未通过核验）。")
@click.option("--list-cities", is_flag=True, help="只校验 CONFIG，并输出各城市编号的 JSON 数组（CI 按它为每个城市开一个作业）。")
def province(config: str, city_id: str | None, share: str | None, save_to: str | None, fetched: str | None, work: str,
             site_dir: str, overrides: str, assets: str, site_url: str, strict: bool, list_cities: bool) -> None:
    """省级门户：读取 CONFIG（默认 province.yml）列出的各市门户公开发布的数据，逐市核验快照链和统计数字，
    把通过核验的城市汇总成全省门户（统计、图表、城市排名、跨城市全文搜索）。未通过核验的城市醒目标出原因，不计入全省统计。

    \b
    加 --city ID --save DIR：只读取并核验这一个城市，把读到的文件存到 DIR（退出码 0 通过核验，1 未通过）。
    加 --share K/N --save DIR：读取并核验 N 份中第 K 份的城市，各存到 DIR/编号（退出码 0 都通过核验，1 有未通过的）。
    退出码：0 门户已生成；1 province.yml 有错误（或 --strict 时有城市未通过核验）；2 用法错误。
    """
    from .commands.province import build, fetch, fetch_share
    from .province.config import ConfigError
    from .province.portal import PortalError

    if city_id is not None and share is not None:
        raise click.UsageError("--city 和 --share 只能用一个。")
    if (city_id is None and share is None) != (save_to is None):
        raise click.UsageError("--save 要和 --city 或 --share 一起用。")
    try:
        if list_cities:
            import json

            from .province.config import read_config

            click.echo(json.dumps([c.id for c in read_config(Path(config)).cities]))
            return
        if city_id is not None:
            report = fetch(Path(config), city_id, Path(save_to))
            verdict = "通过核验" if report.verified else "未通过核验：" + report.reason_text
            click.echo(f"{report.city.name}（{report.city.id}）{verdict}")
            sys.exit(EXIT_VALID if report.verified else EXIT_INVALID)
        if share is not None:
            try:
                reports = fetch_share(Path(config), share, Path(save_to))
            except ValueError:
                raise click.UsageError(f"--share 应当是“K/N”，1 ≤ K ≤ N，如 2/4；收到的是“{share}”。") from None
            for report in reports:
                verdict = "通过核验" if report.verified else "未通过核验：" + report.reason_text
                click.echo(f"{report.city.name}（{report.city.id}）{verdict}", err=not report.verified)
            sys.exit(EXIT_VALID if all(r.verified for r in reports) else EXIT_INVALID)
        built = build(Path(config), Path(fetched) if fetched else None, Path(work), Path(site_dir), Path(overrides),
                      Path(assets), site_url)
    except ConfigError as exc:
        for line in exc.lines():
            click.echo(line, err=True)
        sys.exit(EXIT_INVALID)
    except KeyError as exc:
        raise click.UsageError(f"province.yml 里没有编号为 {exc.args[0]} 的城市。") from None
    except PortalError as exc:
        click.echo(str(exc), err=True)
        sys.exit(EXIT_INVALID)
    for report in built.province.reports:
        verdict = "通过核验" if report.verified else "未通过核验：" + report.reason_text
        click.echo(f"{report.city.name}（{report.city.id}）{verdict}", err=not report.verified)
    click.echo(f"省级门户已发布到 {site_dir}（通过核验的城市 {len(built.province.verified)} 个，共 {len(built.province.reports)} 个）。")
    sys.exit(EXIT_INVALID if strict and built.province.failing else EXIT_VALID)


# Set by the commands that hold a whole ledger in memory when they finish (build, site).
_READ_A_LEDGER = False


def _read_a_ledger() -> None:
    global _READ_A_LEDGER
    _READ_A_LEDGER = True


def main(argv: list[str] | None = None) -> None:
    """Entry point: usage errors in Chinese with exit 2, never a traceback for a user's mistake.

    Run as the `rectify` command (no `argv`), a command that read a whole ledger leaves without freeing its
    objects one by one (1.4 s at 10,000 problems) and lets the system take the memory back at once, as mypy
    does (mypy.util.hard_exit); its files are closed and its child processes ended by then. Called with
    `argv` (the tests), it returns."""
    try:
        cli.main(args=argv, prog_name="rectify", standalone_mode=False)
        if argv is None and _READ_A_LEDGER:
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(EXIT_VALID)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.exceptions.Abort:
        click.echo("已中止。", err=True)
        sys.exit(EXIT_USAGE)
    except click.UsageError as exc:
        hint = f"（运行 {exc.ctx.command_path} --help 查看用法）" if exc.ctx else ""
        click.echo(f"用法错误：{exc.format_message()}{hint}", err=True)
        sys.exit(EXIT_USAGE)
    except click.ClickException as exc:
        click.echo(f"错误：{exc.format_message()}", err=True)
        sys.exit(EXIT_USAGE)
    except SystemExit:
        raise
    except BaseException as exc:  # noqa: BLE001 - the one place that turns a crash into exit 3
        if isinstance(exc, KeyboardInterrupt):
            sys.exit(130)
        click.echo("内部错误：程序自身出了问题，这不是台账的错误。请把下面的信息报告给专班办公室的技术人员：", err=True)
        click.echo("".join(traceback.format_exception_only(type(exc), exc)).strip(), err=True)
        sys.exit(EXIT_INTERNAL)
