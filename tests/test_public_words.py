"""The public's words on the public pages: no tool names (those stay in the staff's filing guide), no 上旬 that
could be read as days 1-10, overdue look-backs said as overdue, and a past day's portal that says it is one."""

from __future__ import annotations

import re
from pathlib import Path

from generator.rendering import urls

# Words of the tools behind the portal: the filing guide (填报指南) is for department staff and may use them,
# no page the public reads may.
TOOL_WORDS = re.compile(r"portal\.yml|departments\.yml|rectify|yaml|\bgit\b", re.IGNORECASE)
STAFF_PAGES = {urls.GUIDE}


def public_pages(docs: Path) -> list[Path]:
    return sorted(p for p in docs.rglob("*") if p.suffix in (".md", ".html") and not p.name.startswith(".")
                  and p.relative_to(docs).as_posix() not in STAFF_PAGES and "assets" not in p.parts)


def test_no_public_page_names_the_tools(sample_docs) -> None:
    pages = public_pages(sample_docs)
    named = {urls.HOME, urls.RULES, urls.REPORTS, urls.DOWNLOADS, urls.HISTORY, urls.FINDER, urls.LOOKBACK}
    assert named <= {p.relative_to(sample_docs).as_posix() for p in pages}
    assert any(p.parent.name == "monthly" for p in pages) and any(p.parent.name == "xun" for p in pages)
    found = {}
    for page in pages:
        text = page.read_text(encoding="utf-8")
        hits = sorted({m.group(0) for m in TOOL_WORDS.finditer(text)})
        if hits:
            found[page.relative_to(sample_docs).as_posix()] = hits
    assert found == {}


def test_the_staff_guide_keeps_the_tools_and_explains_verifying(sample_docs) -> None:
    guide = (sample_docs / urls.GUIDE).read_text(encoding="utf-8")
    assert "rectify import" in guide and "{ #verify }" in guide and "rectify verify" in guide
    history = (sample_docs / urls.HISTORY).read_text(encoding="utf-8")
    assert "(guide.md#verify)" in history  # where the history page sends a reader who wants to check


def test_a_xun_report_compares_with_the_previous_xun_not_with_the_first_xun_of_the_month(sample_docs) -> None:
    reports = sorted((sample_docs / "reports" / "xun").glob("*.md"))
    with_marks = [r.read_text(encoding="utf-8") for r in reports if "完成度（" in r.read_text(encoding="utf-8")]
    assert with_marks
    for text in with_marks:
        assert "完成度（上一旬末→期末）" in text and "上旬末" not in text
