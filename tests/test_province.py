"""The province portal (`rectify province`): province.yml's checks, and five small synthetic cities built with
`rectify site`, read and verified as the CI jobs do (one `--city … --save …` each), two of them tampered with,
and the province portal built from the saved files, in a real browser: the search across cities, the failing
cities shown and left out, axe-core at 1280 and 390 px.

The cities are built once for the session (bench/province.py `simulate`, about two minutes on two cores) and
served, with the province portal, from one local server, so a search result's link can be followed to the
problem's page on its city's portal."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from bench.province import CITIES, SimulatedCity, province_yml, simulate
from generator.cli import main
from generator.province.config import ConfigError, read_config
from generator.province.figures import WEIGHTS, score
from generator.province.sources import AddressSource, FolderSource, read_published
from generator.province.verify import Tally

from .conftest import ROOT
from .sitebuild import serve

CHROMIUM = shutil.which("chromium") or ("/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None)
needs_browser = pytest.mark.skipif(CHROMIUM is None and os.environ.get("CI") != "true",
                                   reason="Chromium is not installed (/usr/bin/chromium)")
TAMPERED_CHAIN = "yizhou"  # its SHA256SUMS rewritten: the province's head is no longer in it
TAMPERED_FIGURES = "jiazhou"  # one problem's status changed in its problems.json (same day as its snapshot)
SHARDED = "wuzhou"  # its index in bundles listed in pagefind/bundles.json, as city portals publish it
UNSHARDED = "bingzhou"  # its index in pagefind/ itself, as city portals published it before the index had shards
VERIFIED = sorted({c for c, _ in CITIES} - {TAMPERED_CHAIN, TAMPERED_FIGURES})


# ---------------------------------------------------------------- province.yml


def _config(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "province.yml"
    path.write_text(text, encoding="utf-8")
    return path


HEAD = "a" * 64
GOOD = f"""province: 某某省
department_types:
  - id: ecology
    name: 生态环境部门
cities:
  - id: jiazhou
    name: 甲州市
    url: https://zhenggai.jiazhou.example.gov.cn/
    head: {HEAD}
    departments:
      ecology-env: ecology
"""


def _findings(path: Path) -> list[tuple[int, str, str, str]]:
    with pytest.raises(ConfigError) as caught:
        read_config(path)
    return [(f.line, f.code, f.field, f.message) for f in caught.value.findings]


def test_a_valid_province_yml_is_read(tmp_path: Path) -> None:
    config = read_config(_config(tmp_path, GOOD))
    assert config.portal_title == "某某省问题整改公示"
    assert [c.id for c in config.cities] == ["jiazhou"] and config.cities[0].departments == {"ecology-env": "ecology"}


def test_the_example_province_yml_is_valid() -> None:
    assert len(read_config(ROOT / "province" / "province.yml").cities) == 2


@pytest.mark.parametrize(("text", "line", "code", "field", "words"), [
    (GOOD.replace("    head:", "    hed:"), 9, "E202", "cities[0].hed", "你是否想写“head”"),
    (GOOD.replace(f"    head: {HEAD}\n", ""), 6, "E201", "cities[0].head", "“head”是必填字段"),
    (GOOD.replace(HEAD, "abc123"), 9, "E206", "cities[0].head", "64 位小写十六进制数"),
    (GOOD.replace("example.gov.cn/", "example.gov.cn"), 8, "E206", "cities[0].url", "应以 / 结尾"),
    (GOOD.replace("https://zhenggai", "zhenggai"), 8, "E206", "cities[0].url", "完整网址"),
    (GOOD.replace("    url: https://zhenggai.jiazhou.example.gov.cn/\n", ""), 6, "E201", "cities[0]", "至少写一项"),
    (GOOD.replace("ecology-env: ecology", "ecology-env: water"), 11, "E204", "cities[0].departments.ecology-env",
     "department_types 里没有它"),
    (GOOD + GOOD.split("cities:\n", 1)[1].replace("zhenggai.jiazhou", "zhenggai.other"), 12, "E303", "cities[1].id",
     "城市编号 jiazhou 重复"),
])
def test_a_mistake_in_province_yml_names_its_line_and_field_in_chinese(tmp_path: Path, text: str, line: int,
                                                                        code: str, field: str, words: str) -> None:
    found = _findings(_config(tmp_path, text))
    assert any(f[:3] == (line, code, field) and words in f[3] for f in found), found


def test_the_command_prints_each_mistake_on_its_line_and_exits_1(tmp_path: Path, capsys) -> None:
    path = _config(tmp_path, GOOD.replace(HEAD, "abc123").replace("    url:", "    address:"))
    with pytest.raises(SystemExit) as exited:
        main(["province", str(path)])
    assert exited.value.code == 1
    err = capsys.readouterr().err
    assert "province.yml:8:5: E202 未知字段：" in err and "province.yml:9:11: E206 格式不对：" in err
    assert "province.yml:6:5: E201 缺少必填字段：城市 jiazhou 既没有写 url" in err and "有 3 处错误，省级门户没有生成" in err


def test_the_ci_lists_the_cities_of_a_valid_province_yml(tmp_path: Path, capsys) -> None:
    main(["province", str(_config(tmp_path, GOOD)), "--list-cities"])
    assert json.loads(capsys.readouterr().out) == ["jiazhou"]


def test_the_ranking_formula_is_the_published_weights() -> None:
    tally = Tally()
    for status, light in [("closed", "green")] * 5 + [("overdue", "red")] * 3 + [("in_progress", "yellow")] * 2:
        tally.add(status, light)
    weight = {m.key: m.weight for m in WEIGHTS}
    assert score(tally) == round(weight["closed"] * 0.5 + weight["overdue"] * 0.7 + weight["red"] * 0.7, 1)
    assert sum(weight.values()) == 100


# ---------------------------------------------------------------- five cities, two tampered with


class Federation:
    def __init__(self, root: Path, address: str, cities: list[SimulatedCity]) -> None:
        self.root = root
        self.address = address  # the local server's root: each city at /<id>/site/, the province at /province-site/
        self.cities = {c.id: c for c in cities}
        self.fetch_codes: dict[str, int] = {}

    def city_url(self, city_id: str) -> str:
        return f"{self.address}/{city_id}/site/"

    def open_data(self, city_id: str) -> dict:
        return json.loads((self.cities[city_id].site / "data" / "problems.json").read_text(encoding="utf-8"))


def build_province(federation: Federation, site: str) -> str:
    """`rectify province` from the saved folders (as the CI's build job runs it); returns what it printed."""
    root = federation.root
    done = subprocess.run([str(ROOT / ".venv" / "bin" / "rectify"), "province", str(root / "province.yml"), "--fetched",
                           str(root / "fetched"), "--work", str(root / f".{site}"), "--site", str(root / site)],
                          capture_output=True, text=True, cwd=ROOT, env={**os.environ, "SITE_URL": ""})
    assert done.returncode == 0, done.stderr
    return done.stdout + done.stderr


@pytest.fixture(scope="session")
def federation(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Federation]:
    root = tmp_path_factory.mktemp("province")
    server = serve(root)
    address = f"http://127.0.0.1:{server.server_address[1]}"
    addresses = {city_id: f"{address}/{city_id}/site/" for city_id, _ in CITIES}
    cities = simulate(root, 24, 3, addresses, workers=3)
    federation = Federation(root, address, cities)
    # a city portal publishes its index in shards listed in pagefind/bundles.json (wuzhou, as built); bingzhou
    # publishes it as portals did before shards, pagefind/ itself the one bundle with its script in it
    search = federation.cities[UNSHARDED].site / "pagefind"
    (bundle,) = json.loads((search / "bundles.json").read_text(encoding="utf-8"))
    for item in list((search / bundle).iterdir()):
        shutil.move(str(item), search / item.name)
    (search / bundle).rmdir()
    (search / "bundles.json").unlink()
    for copy in (".gz", ".br"):
        (search / f"bundles.json{copy}").unlink(missing_ok=True)
    # a city's own script in its index folder must never run on the province's site
    script = search / "pagefind.js"
    script.write_text(script.read_text(encoding="utf-8") + "\n/* city code */\n", encoding="utf-8")
    config = root / "province.yml"
    config.write_text(province_yml(cities, addresses), encoding="utf-8")
    for city in cities:  # as the CI jobs do, one city each
        done = subprocess.run([str(ROOT / ".venv" / "bin" / "rectify"), "province", str(config), "--city", city.id,
                               "--save", str(root / "fetched" / city.id)], capture_output=True, text=True, cwd=ROOT)
        federation.fetch_codes[city.id] = done.returncode
    fetched = root / "fetched"
    sums = fetched / TAMPERED_CHAIN / "data" / "snapshots" / "SHA256SUMS"
    lines = sums.read_text(encoding="ascii").splitlines()
    lines[-1] = "f" * 64 + lines[-1][64:]  # the newest digest replaced: the chain was rewritten
    sums.write_text("\n".join(lines) + "\n", encoding="ascii")
    problems = fetched / TAMPERED_FIGURES / "data" / "problems.json"
    text = problems.read_text(encoding="utf-8")
    problems.write_text(text.replace('"status": "overdue"', '"status": "in_progress"', 1), encoding="utf-8")
    federation.output = build_province(federation, "province-site")
    yield federation
    server.shutdown()


def test_every_untouched_city_passes_its_own_job_and_the_tampered_ones_are_caught(federation: Federation) -> None:
    assert federation.fetch_codes == {city_id: 0 for city_id, _ in CITIES}  # as published, every city verifies
    assert "乙州市（yizhou）未通过核验：省里记录的快照链头" in federation.output
    assert "甲州市（jiazhou）未通过核验：公开数据的统计数字与该市" in federation.output
    for city_id in VERIFIED:
        assert f"（{city_id}）通过核验" in federation.output


def test_the_public_reads_no_tool_names_on_the_province_pages(federation: Federation) -> None:
    from .test_public_words import TOOL_WORDS

    for page in sorted((federation.root / "province-site").glob("**/index.html")):
        article = page.read_text(encoding="utf-8").split("<article", 1)[1].split("</article>", 1)[0]
        assert not TOOL_WORDS.search(re.sub(r"<[^>]+>", " ", article)), page


def test_the_same_published_data_give_the_same_portal_byte_for_byte(federation: Federation) -> None:
    build_province(federation, "province-again")
    first, again = federation.root / "province-site", federation.root / "province-again"
    files = sorted(p.relative_to(first) for p in first.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(again) for p in again.rglob("*") if p.is_file())
    assert [f for f in files if (first / f).read_bytes() != (again / f).read_bytes()] == []


def test_a_city_s_own_script_is_never_copied_into_the_province_site(federation: Federation) -> None:
    copied = federation.root / "province-site" / "cities" / UNSHARDED / "pagefind" / "pagefind.js"
    assert copied.exists() and "city code" not in copied.read_text(encoding="utf-8")
    assert "city code" in (federation.cities[UNSHARDED].site / "pagefind" / "pagefind.js").read_text("utf-8")
    assert not (federation.root / "fetched" / UNSHARDED / "pagefind" / "pagefind.js").exists()  # never even read


def test_a_city_that_cannot_be_read_fails_with_the_reason(tmp_path: Path) -> None:
    from generator.commands.province import read_city

    path = _config(tmp_path, GOOD.replace("    url: https://zhenggai.jiazhou.example.gov.cn/\n", "    folder: gone/site\n"))
    report, published = read_city(path, read_config(path).cities[0], None)
    assert published is None and not report.verified
    assert report.reasons == [f"无法读取该市发布的数据：文件夹 {tmp_path / 'gone' / 'site'} 不存在。"]


def test_a_city_read_from_its_address_reads_the_same_files_as_from_its_folder(federation: Federation) -> None:
    for city_id in (UNSHARDED, SHARDED):
        folder = read_published(FolderSource(federation.cities[city_id].site))
        over_http = read_published(AddressSource(federation.city_url(city_id)))
        as_file = read_published(AddressSource(federation.cities[city_id].site.as_uri() + "/"))
        assert folder.files == over_http.files == as_file.files
        assert len([n for n in folder.files if n.endswith(".pf_fragment")]) == 24  # one per problem page
    assert read_published(FolderSource(federation.cities[SHARDED].site)).bundles == ("pagefind/1-0/",)
    assert read_published(FolderSource(federation.cities[UNSHARDED].site)).bundles == ("pagefind/",)


def test_the_province_totals_and_ranking_are_the_verified_cities_only(federation: Federation) -> None:
    site = federation.root / "province-site"
    home = (site / "index.html").read_text(encoding="utf-8")
    expected = sum(len(federation.open_data(c)["problems"]) for c in VERIFIED)
    assert f'<span class="rc-card__value">{expected}</span><span class="rc-card__label">问题总数</span>' in home
    assert "2 个城市未通过核验，其数据未计入全省统计、图表和排名" in home
    ranking = (site / "ranking" / "index.html").read_text(encoding="utf-8")
    ranked = re.findall(r'<tr><td data-label="名次">\d+</td><td>([^<]+)</td>', ranking)
    assert sorted(ranked) == sorted(name for city_id, name in CITIES if city_id in VERIFIED)
    assert "得分 = 50 × 销号率 + 30 × （1 − 逾期率） + 20 × （1 − 红灯率）" in ranking


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--no-first-run", "--disable-quic"])
        yield chromium
        chromium.close()


@needs_browser
class TestInTheBrowser:
    def _page(self, browser, width: int = 1280):
        context = browser.new_context(viewport={"width": width, "height": 900})
        page = context.new_page()
        page.requests, page.errors = [], []
        page.on("request", lambda r: page.requests.append(r.url))
        page.on("pageerror", lambda e: page.errors.append(str(e)))
        page.on("console", lambda m: m.type == "error" and page.errors.append(m.text))
        return page

    def _search(self, page, federation: Federation, query: str) -> list[tuple[str, str, str]]:
        page.goto(f"{federation.address}/province-site/search/?keyword={query}", wait_until="networkidle")
        page.wait_for_function("document.querySelector('.rc-province-search__status').textContent.startsWith('找到')",
                               timeout=30000)
        return [(li.get_attribute("data-city"), li.locator("a").inner_text(), li.locator("a").get_attribute("href"))
                for li in page.locator(".rc-province-search__result").all()]

    def test_a_search_finds_problems_in_several_cities_each_linking_to_its_city_page(
            self, browser, federation: Federation) -> None:
        page = self._page(browser)
        results = self._search(page, federation, "医院")
        cities = {city for city, _, _ in results}
        assert len(cities) >= 2 and cities <= set(VERIFIED)  # never a city that failed verification
        for city, problem_id, href in results:
            assert href == f"{federation.city_url(city)}problems/{problem_id}/"
            titles = {p["id"]: p["title"] for p in federation.open_data(city)["problems"]}
            assert "医院" in titles[problem_id]
        assert any(city == SHARDED for city, _, _ in results)  # read through its bundles.json
        city, problem_id, _ = results[0]
        page.locator(".rc-province-search__result a").first.click()
        page.wait_for_url(f"{federation.city_url(city)}problems/{problem_id}/")
        assert problem_id in page.inner_text("article .rc-id")
        assert page.errors == []
        assert [u for u in page.requests if not u.startswith(federation.address)] == []

    def test_a_search_kept_to_one_city_lists_that_city_only(self, browser, federation: Federation) -> None:
        page = self._page(browser)
        results = self._search(page, federation, "医院&city=dingzhou")
        assert results and {city for city, _, _ in results} == {"dingzhou"}

    def test_a_failing_city_is_shown_as_failing_with_its_reason(self, browser, federation: Federation) -> None:
        page = self._page(browser)
        page.goto(f"{federation.address}/province-site/", wait_until="networkidle")
        notice = page.locator(".admonition.danger")
        assert "乙州市" in notice.inner_text() and "甲州市" in notice.inner_text()
        assert "快照链" in notice.inner_text() and "统计数字" in notice.inner_text()
        page.goto(f"{federation.address}/province-site/cities/", wait_until="networkidle")
        row = page.locator("#city-yizhou")
        assert "未通过核验" in row.inner_text() and "不计入" in row.inner_text()
        assert "通过核验" in page.locator("#city-dingzhou").inner_text()
        page.goto(f"{federation.address}/province-site/", wait_until="networkidle")
        charted = page.locator("#chart-province-cities tbody td:first-child").all_inner_texts()
        assert charted == [name for city_id, name in CITIES if city_id in VERIFIED]

    @pytest.mark.parametrize("width", [1280, 390])
    def test_every_province_page_is_axe_clean(self, browser, federation: Federation, width: int) -> None:
        from axe_playwright_python.sync_playwright import Axe

        axe = Axe()
        page = self._page(browser, width)
        for path in ("", "cities/", "ranking/", "types/", "problems/", "search/?keyword=医院"):
            page.goto(f"{federation.address}/province-site/{path}", wait_until="networkidle")
            for i in range(page.locator(".rc-chart").count()):
                figure = page.locator(".rc-chart").nth(i)
                figure.scroll_into_view_if_needed()
                page.wait_for_function("f => f.classList.contains('is-drawn')", arg=figure.element_handle(),
                                       timeout=20000)
            if path.startswith("search"):
                page.wait_for_selector(".rc-province-search__result")
            blocking = [v for v in axe.run(page).response["violations"] if v["impact"] in ("serious", "critical")]
            assert not blocking, f"{path or 'home'} at {width}px: " + "; ".join(
                f"{v['id']}: {[n['target'] for n in v['nodes'][:3]]}" for v in blocking)
        assert page.errors == []
        assert [u for u in page.requests if not u.startswith(federation.address)] == []


def test_the_gitlab_province_pipeline_reads_each_city_once_in_parallel_jobs_and_builds_from_their_artifacts(
        federation: Federation, tmp_path: Path) -> None:
    """province/gitlab-ci.yml's jobs, their scripts run as the runner runs them: the `city` job once per node of
    its `parallel`, then `pages` from what they saved; one city's head changed in province.yml fails its node only."""
    import yaml

    pipeline = yaml.safe_load((ROOT / "province" / "gitlab-ci.yml").read_text(encoding="utf-8"))
    city_job, pages_job = pipeline["city"], pipeline["pages"]
    assert city_job["allow_failure"] == {"exit_codes": [1]} and city_job["artifacts"]["when"] == "always"
    assert pages_job["needs"] == [{"job": "city", "artifacts": True}]
    assert "rectify province province.yml --fetched fetched" in " ".join(pages_job["script"])
    assert "secrets" not in json.dumps(pipeline) and "TOKEN" not in json.dumps(pipeline)
    work = tmp_path / "repository"
    work.mkdir()
    text = (federation.root / "province.yml").read_text(encoding="utf-8")
    text = re.sub(r"folder: (\S+)", lambda m: f"folder: {federation.root / m.group(1)}", text)  # the copy's folder
    first = CITIES[0][0]
    head = re.search(r"head: ([0-9a-f]{64})", text)
    (work / "province.yml").write_text(text[:head.start(1)] + "0" * 64 + text[head.end(1):], encoding="utf-8")
    env = {**os.environ, "PATH": f"{ROOT / '.venv' / 'bin'}{os.pathsep}{os.environ['PATH']}", "SITE_URL": "",
           "CI_PAGES_URL": "https://province.example.gitlab.io"}
    nodes = city_job["parallel"]
    assert nodes == len(CITIES)  # as the file says: one job a city of the example province
    codes, printed = {}, {}
    for node in range(1, nodes + 1):
        done = subprocess.run(["bash", "-e", "-c", "\n".join(city_job["script"])], cwd=work, capture_output=True,
                              text=True, env=env | {"CI_NODE_INDEX": str(node), "CI_NODE_TOTAL": str(nodes)})
        assert "Traceback" not in done.stderr, done.stderr
        codes[node], printed[node] = done.returncode, done.stdout + done.stderr
    assert codes == {node: 1 if node == 1 else 0 for node in codes}, printed
    assert f"（{first}）未通过核验：省里记录的快照链头" in printed[1]
    assert sorted(p.name for p in (work / "fetched").iterdir()) == sorted(c for c, _ in CITIES)  # each city once
    here = f"--work {tmp_path / 'w'} --overrides {ROOT / 'overrides'} --assets {ROOT / 'docs' / 'assets'}"
    script = [line.replace("rectify province province.yml", f"rectify province province.yml {here}")  # a project copy
              for line in pages_job["script"]]
    done = subprocess.run(["bash", "-e", "-c", "\n".join(script)], cwd=work, capture_output=True, text=True, env=env)
    assert done.returncode == 0, done.stderr
    assert f"（{first}）未通过核验" in done.stderr and f"共 {len(CITIES)} 个" in done.stdout
    home = (work / "public" / "index.html").read_text(encoding="utf-8")
    assert "未通过核验" in home and "https://province.example.gitlab.io/" in (work / "public" / "sitemap.xml").read_text(
        encoding="utf-8")


def test_a_share_that_is_not_k_of_n_is_a_usage_error(federation: Federation, tmp_path: Path) -> None:
    done = subprocess.run([str(ROOT / ".venv" / "bin" / "rectify"), "province", str(federation.root / "province.yml"),
                           "--share", "3/2", "--save", str(tmp_path / "fetched")], capture_output=True, text=True)
    assert done.returncode == 2 and "--share 应当是“K/N”" in done.stderr and "Traceback" not in done.stderr
    assert not (tmp_path / "fetched").exists()


def test_the_province_workflow_passes_zizmor_and_actionlint() -> None:
    workflow = ROOT / "province" / "workflow.yml"
    done = subprocess.run([str(ROOT / ".venv" / "bin" / "zizmor"), "--offline", "--format", "json", str(workflow)],
                          capture_output=True, text=True)
    findings = json.loads(done.stdout or "[]")
    assert [f for f in findings if f["determinations"]["severity"] in ("High", "Medium")] == []
    lint = subprocess.run([str(ROOT / ".venv" / "bin" / "actionlint"), "-no-color", str(workflow)], capture_output=True,
                          text=True)
    assert lint.returncode == 0, lint.stdout
    text = workflow.read_text(encoding="utf-8")
    assert "secrets." not in text and "persist-credentials: false" in text
    assert text.count("rectify province province.yml --fetched fetched") == 1  # the portal from the artifacts only
