"""The generation step on small ledgers: pages, escaping, charts, data files, and nothing lost."""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from pathlib import Path

import markdown
import plotly.graph_objects as go
import pytest
from openpyxl import load_workbook

from generator.derivation.campaign import campaign_of, weekly_curve
from generator.rendering import charts
from generator.rendering.markup import md, text
from generator.validation.report import validate
from generator.writing.build import BuildError, build

from .conftest import AS_OF

XSS = "<script>alert('xss')</script> **星号** {{ 7*7 }} [链接](http://x) | 竖线 & 和 `代码` <b>粗</b>"


def render_markdown(source: str) -> str:
    return markdown.markdown(source, extensions=["tables", "attr_list", "admonition", "toc"])


def test_md_escape_shows_every_character_literally() -> None:
    html = render_markdown(f"| a |\n| --- |\n| {md(XSS)} |\n\n# {md(XSS)}\n")
    assert "<script>" not in html and "<b>" not in html and "<strong>" not in html and "<a " not in html
    assert "<code>" not in html
    assert "&lt;script&gt;alert('xss')&lt;/script&gt; **星号** {{ 7*7 }} [链接](http://x) | 竖线 &amp; 和 `代码`" in html


def test_text_escape_in_html_blocks_keeps_line_breaks_without_ending_the_block() -> None:
    value = "第一行\n\n第二行 <script>x</script> **不加粗**"
    html = render_markdown(f"<div class=\"x\"><p>{text(value)}</p></div>\n")
    assert "第一行<br>第二行 &lt;script&gt;x&lt;/script&gt; **不加粗**" in html
    assert "<strong>" not in html


def test_every_problem_becomes_a_page_and_a_row(base_ledger: Path, tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    result = build(base_ledger, docs, AS_OF, "test")
    ids = sorted(r.problem.id for r in result.campaign.rows)
    assert ids == ["JY-2026-001", "STHJ-2025-001", "STHJ-2025-002"]
    assert sorted(p.stem for p in (docs / "problems").glob("*.html")) == ids
    finder = json.loads((docs / "data" / "finder.json").read_text(encoding="utf-8"))
    assert sorted(p[0] for p in finder["problems"]) == ids
    raw = (docs / "data" / "problems.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf"), "CSV needs a BOM so that Excel reads Chinese correctly"
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0][0] == "问题编号" and sorted(r[0] for r in rows[1:]) == ids
    book = load_workbook(docs / "data" / "problems.xlsx")  # 汇总, one sheet per department, 工作记录, 节点
    assert sorted(row[0].value for sheet in book.worksheets[1:-2] for row in sheet.iter_rows(min_row=3)) == ids
    downloads = (docs / "downloads.md").read_text(encoding="utf-8")
    assert "problems.csv" in downloads and "2026年11月24日" in downloads


def test_problem_page_shows_the_original_deadline_and_the_extension(base_ledger: Path, tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    build(base_ledger, docs, AS_OF, "test")
    page = (docs / "problems" / "STHJ-2025-002.html").read_text(encoding="utf-8")
    assert "<del>2025年9月30日</del>（原定）" in page and "2025年12月31日" in page
    assert "已销号" in page and "市级挂牌督办" in page


def test_ledger_markup_is_escaped_on_every_page(base_ledger: Path, tmp_path: Path) -> None:
    path = base_ledger / "ecology-env" / "STHJ-2025-001.yml"
    source = path.read_text(encoding="utf-8")
    path.write_text(source.replace("title: 金矿区周边农用地土壤重金属超标", f"title: \"{XSS}\""), encoding="utf-8")
    docs = tmp_path / "docs"
    build(base_ledger, docs, AS_OF, "test")
    for page in docs.rglob("*.md"):
        html = render_markdown(page.read_text(encoding="utf-8").split("---", 2)[-1])
        assert "<script>alert" not in html, page
        assert "<b>粗</b>" not in html, page
    for page in (docs / "problems").glob("*.html"):  # problem pages: HTML the publisher stitches as it is
        html = page.read_text(encoding="utf-8")
        assert "<script>alert" not in html and "<b>粗</b>" not in html, page


def test_invalid_ledger_stops_the_build_and_writes_nothing(base_ledger: Path, tmp_path: Path) -> None:
    (base_ledger / "education" / "JY-2026-001.yml").write_text("id: JY-2026-001\n", encoding="utf-8")
    docs = tmp_path / "docs"
    with pytest.raises(BuildError) as caught:
        build(base_ledger, docs, AS_OF, "test")
    assert caught.value.report is not None and caught.value.report.errors
    assert not (docs / "problems").exists()


def test_charts_are_valid_plotly_figures_without_template(base_ledger: Path) -> None:
    campaign = campaign_of(validate(base_ledger, AS_OF).ledger, AS_OF)
    rows = list(campaign.rows)
    built = [charts.status_chart("s", rows), charts.light_chart("l", rows),
             charts.curve_chart("c", weekly_curve(campaign)), charts.steps_chart("t", campaign, rows),
             charts.stacked_status_chart("d", "部门", [("甲", rows)])]
    built.append(charts.milestone_chart(next(r for r in rows if r.problem.milestones)))
    for chart in built:
        assert "template" not in chart.figure["layout"]
        go.Figure(chart.figure)  # plotly validates every property; raises on a wrong one
        assert len(chart.rows) > 0 and all(len(row) == len(chart.columns) for row in chart.rows)
        assert not set(chart.json()) & set("<>&")


def test_ledger_text_in_a_chart_is_not_plotly_markup(base_ledger: Path) -> None:
    """Plotly draws <b>, <span style> and <a href> in labels; ledger text must show as written."""
    campaign = campaign_of(validate(base_ledger, AS_OF).ledger, AS_OF)
    rows = list(campaign.rows)
    name = '<a href="https://example.com">甲</a><b>乙</b>'
    figure = charts.stacked_status_chart("d", "部门", [(name, rows)]).figure
    assert figure["data"][0]["y"] == ['&lt;a href="https://example.com"&gt;甲&lt;/a&gt;&lt;b&gt;乙&lt;/b&gt;']
    assert figure["layout"]["yaxis"]["ticktext"] == figure["data"][0]["y"]


def test_weekly_curve_counts_found_and_closed_with_rebounds(base_ledger: Path) -> None:
    campaign = campaign_of(validate(base_ledger, AS_OF).ledger, AS_OF)
    points = weekly_curve(campaign)
    assert points[-1][0] == AS_OF
    assert points[-1][1] == 3 and points[-1][2] == 1
    assert all(a[1] <= b[1] for a, b in zip(points, points[1:], strict=False))


def test_xlsx_is_a_stable_zip(base_ledger: Path, tmp_path: Path) -> None:
    build(base_ledger, tmp_path / "docs", AS_OF, "test")
    with zipfile.ZipFile(tmp_path / "docs" / "data" / "problems.xlsx") as book:
        assert {info.date_time for info in book.infolist()} == {(2026, 11, 24, 0, 0, 0)}


# ---------------------------------------------------------------- getting around


def test_every_page_says_who_runs_the_portal_and_how_to_reach_them(sample_docs: Path) -> None:
    # problem pages are stitched into problems/_shell.md's page, footer included (tests/test_stitch.py
    # checks they are the pages MkDocs would render from their Markdown, which has the footer too)
    pages = list(sample_docs.rglob("*.md"))
    assert (sample_docs / "problems" / "_shell.md") in pages
    assert len(pages) > 30
    for page in pages:
        text = page.read_text(encoding="utf-8")
        assert "{: .rc-footer }" in text and "主办：" in text and "联系与反映问题：" in text, page.name


def test_every_problem_page_says_how_to_give_feedback_on_it(sample_docs: Path) -> None:
    for page in (sample_docs / "problems").glob("*.html"):  # problem pages are HTML content
        text = page.read_text(encoding="utf-8")
        assert f"并注明问题编号 <strong>{page.stem}</strong>" in text, page.name


def test_the_focus_tab_opens_every_list_with_its_count(sample_docs: Path) -> None:
    overview = (sample_docs / "lists" / "index.md").read_text(encoding="utf-8")
    # JY-2025-005 reopened on 2026-08-14 with a new deadline of 2026-11-15: overdue now, no longer a rebound
    for name, count in (("supervised", 16), ("overdue", 8), ("rebound", 2), ("notice", 4)):
        assert re.search(rf"\]\({name}\.md\) \| {count} \|", overview), name
    assert "](../inspections.md) | 16 |" in overview
    config = (Path(__file__).parent.parent / "mkdocs.yml").read_text(encoding="utf-8")
    assert config.index("概览: lists/index.md") < config.index("lists/supervised.md")
    assert "guide.md" not in config.split("not_in_nav")[0].split("nav:")[1], "the filing guide is not in the public menu"


def test_headline_figures_open_the_problems_behind_them(sample_docs: Path) -> None:
    home = (sample_docs / "index.md").read_text(encoding="utf-8")
    assert '<a class="rc-card rc-card--red" href="lists/overdue/">' in home
    department = (sample_docs / "departments" / "health.md").read_text(encoding="utf-8")
    assert '<a class="rc-card rc-card--red" href="../../finder/?status=overdue&amp;department=health">' in department


def test_the_footer_shows_the_site_code_and_icp_number_when_given(base_ledger: Path, tmp_path: Path) -> None:
    portal = base_ledger / "portal.yml"
    portal.write_text(portal.read_text(encoding="utf-8") + "site_code: \"0000000000\"\nicp: 某ICP备00000000号\n",
                      encoding="utf-8")
    build(base_ledger, tmp_path / "docs", AS_OF, "test", AS_OF)
    home = (tmp_path / "docs" / "index.md").read_text(encoding="utf-8")
    assert "政府网站标识码：0000000000 · 某ICP备00000000号\n{: .rc-footer__more }" in home


def test_the_campaign_s_own_words_are_explained_where_they_appear(sample_docs: Path) -> None:
    from generator.model.vocabulary import GLOSSARY, GLOSSARY_ANCHOR

    rules = (sample_docs / "rules.md").read_text(encoding="utf-8")
    for key, words, _ in GLOSSARY:
        assert f'<dt id="{GLOSSARY_ANCHOR.format(key)}">{words}</dt>' in rules
    for page in (sample_docs / "problems").glob("*.html"):  # problem pages are HTML content
        text = page.read_text(encoding="utf-8")
        assert '../../rules/#term-schedule">序时进度</a>' in text and '../../rules/#term-steps">' in text, page.name
    supervised = (sample_docs / "lists" / "supervised.md").read_text(encoding="utf-8")
    assert "（[名词解释](../rules.md#term-supervision)）" in supervised
