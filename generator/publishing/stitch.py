"""Write every problem page into the page shell MkDocs rendered, instead of having MkDocs render them.

MkDocs spends almost all of a large build on problem pages (Python-Markdown and the theme, about 9 ms
each). The build writes each problem page's content as HTML (`docs/problems/<ID>.html`, kept out of
MkDocs by `exclude_docs`) and one shell page MkDocs does render, with the same front matter
(`problems/_shell.md`). Here the shell's HTML becomes the template of every problem page: its title, description,
canonical URL, table of contents and content are replaced; everything else (navigation, header, search,
palette, scripts) is the theme's own. The shell sits in the problems folder, so its relative URLs hold
for every problem page. tests/test_stitch.py compares the result with what MkDocs renders itself.

Every problem page is also trimmed (`trim`): the indentation and blank lines the theme's templates leave
were a fifth of each page's bytes, and 10,000 pages carry them. The shell is rendered with the lean theme
template of the problem pages (overrides/problem.html).
"""

from __future__ import annotations

import functools
import re
import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from ..parallel import fork_map
from ..rendering import urls
from ..rendering.families.problems import SHELL_DESCRIPTION, SHELL_MARKS, SHELL_TITLE

# A content file is a small HTML document (templates/_fragment.html.j2): the head gives the title and
# description, the body is the content.
_HEAD = re.compile(r'<!doctype html>\n<html lang="zh">\n<head>\n<meta charset="utf-8">\n<title>(.*)</title>\n'
                   r'<meta name="description" content="(.*)">\n</head>\n<body>\n')
_TAIL = "</body>\n</html>\n"
_HEADING = re.compile(r'<h2(?: [a-z-]+="[^"]*")*? id="([^"]+)">(.*?)</h2>')
# The theme nests deeper headings under their h2 in the table of contents; the shell's one entry is flat.
_DEEPER = re.compile(r"<h[3-6][\s>]")
_SLOT = "\x00"  # never in HTML text: the separator between the shell's literal parts and its slots
# Whitespace with a line break in it, between tags or around text: HTML renders one line break the same
# (the bytes are indentation and blank lines). Kept as it is inside the elements where it is content.
_LINES = re.compile(r"[ \t\r]*\n[ \t\r\n]*")
_KEPT = re.compile(r"<(pre|textarea|script|style)\b.*?</\1>", re.S)
# Below this many pages, a second process costs more than it saves.
PARALLEL_FROM = 500


class StitchError(Exception):
    """The shell or a page's content is not what this module expects (a theme upgrade, a template change)."""


@dataclass(frozen=True)
class Shell:
    """The shell page's HTML cut into literal parts and named slots: title, description, url, toc, first
    (heading), content."""

    parts: tuple[str, ...]
    toc_item: str

    def page(self, title: str, description: str, url: str, headings: list[tuple[str, str]], content: str) -> str:
        toc = "".join(self.toc_item.replace(f"{_SLOT}id{_SLOT}", heading_id).replace(f"{_SLOT}text{_SLOT}", text)
                      for heading_id, text in headings)
        values = {"title": title, "description": description, "url": url, "toc": toc, "content": content,
                  "first": headings[0][0]}
        return "".join(part if i % 2 == 0 else values[part] for i, part in enumerate(self.parts))


def trim(html: str) -> str:
    """The page with every run of whitespace that holds a line break made one line break, except inside
    <pre>, <textarea>, <script> and <style>: the same page in the browser (no element of these pages is styled
    to keep its whitespace), without the templates' indentation."""
    parts, at = [], 0
    for kept in _KEPT.finditer(html):
        parts.append(_collapse(html[at:kept.start()]))
        parts.append(kept.group())
        at = kept.end()
    parts.append(_collapse(html[at:]))
    return "".join(parts)


def _collapse(text: str) -> str:
    if " \n" in text or "\n " in text or "\t" in text or "\r" in text:
        return _LINES.sub("\n", text)
    # only blank lines, if anything (a problem's content): the same result ten times faster than the pattern
    while "\n\n" in text:
        text = text.replace("\n\n", "\n")
    return text


def read_shell(html: str, shell_url: str) -> Shell:
    """Cut the shell's HTML, trimmed, at the placeholders that templates/shell.md.j2 put in it."""
    html = trim(html)
    start, end = f"<h1>{SHELL_MARKS['start']}</h1>", f"<p>{SHELL_MARKS['end']}</p>"
    if html.count(start) != 1 or html.count(end) != 1:
        raise StitchError("the shell page's content markers are missing or repeated")
    head, rest = html.split(start)
    _, tail = rest.split(end)
    html = f"{head}{_SLOT}content{_SLOT}{tail}"
    link = f'href="#{SHELL_MARKS["heading"]}"'
    toc = html.find('data-md-component="toc"')
    at = html.find(link, toc)
    if toc < 0 or at < 0 or html.count(link, at + 1):
        raise StitchError("the shell page's table of contents does not have its one entry")
    item_start = html.rindex("<li", 0, at)
    item_start = len(html[:item_start].rstrip())  # with the whitespace the theme puts before every entry
    item_end = html.index("</li>", at) + len("</li>")
    item = html[item_start:item_end]
    toc_item = item.replace(link, f'href="#{_SLOT}id{_SLOT}"').replace(SHELL_MARKS["heading"], f"{_SLOT}text{_SLOT}")
    html = f"{html[:item_start]}{_SLOT}toc{_SLOT}{html[item_end:]}"
    html = html.replace(link, f'href="#{_SLOT}first{_SLOT}"')  # the "skip to content" link: the first heading
    if SHELL_TITLE not in html or SHELL_DESCRIPTION not in html or shell_url not in html:
        raise StitchError("the shell page has no title, description or canonical URL to replace")
    html = (html.replace(SHELL_TITLE, f"{_SLOT}title{_SLOT}").replace(SHELL_DESCRIPTION, f"{_SLOT}description{_SLOT}")
            .replace(shell_url, f"{_SLOT}url{_SLOT}"))
    for leftover in (SHELL_MARKS["heading"], "_shell"):
        if leftover in html:
            raise StitchError(f"the shell page still shows “{leftover}” after stitching: the theme put it somewhere new")
    return Shell(tuple(html.split(_SLOT)), toc_item)


def stitch_page(shell: Shell, fragment: str, problem_id: str) -> str:
    """One problem page: its content file (a head with the title and description, then a body with the HTML
    MkDocs would have made) in the shell."""
    head = _HEAD.match(fragment)
    if head is None or not fragment.endswith(_TAIL):
        raise StitchError(f"{problem_id}: the page content is not the HTML document the build writes")
    content = trim(fragment[head.end():-len(_TAIL)].rstrip("\n"))
    headings = _HEADING.findall(content)
    if not headings:
        raise StitchError(f"{problem_id}: the page has no headings for its table of contents")
    if _DEEPER.search(content):
        raise StitchError(f"{problem_id}: the page has headings below h2, which this table of contents cannot nest")
    url = urls.site_url(urls.problem(problem_id))
    return shell.page(head.group(1), head.group(2), url, headings, content)


def _stitch_all(shell: Shell, docs: Path, site: Path, ids: Sequence[str]) -> int:
    for problem_id in ids:
        fragment = (docs / urls.fragment(urls.problem(problem_id))).read_text(encoding="utf-8")
        target = site / urls.site_url(urls.problem(problem_id)) / "index.html"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(stitch_page(shell, fragment, problem_id), encoding="utf-8")
    return len(ids)


def stitch(docs: Path, site: Path) -> list[str]:
    """Write every problem page whose content is in docs/ into site/, then remove the shell page.

    Returns the ids written. Forked processes share the pages at scale (generator/parallel.py); each page is
    the same bytes whichever process writes it."""
    shell_dir = site / urls.site_url(urls.PROBLEM_SHELL)
    shell_url = urls.site_url(urls.PROBLEM_SHELL)
    shell = read_shell((shell_dir / "index.html").read_text(encoding="utf-8"), shell_url)
    folder = docs / urls.PROBLEMS_FOLDER
    ids = sorted(p.stem for p in folder.glob("*.html"))
    fork_map(functools.partial(_stitch_all, shell, docs, site), ids, worth_it=len(ids) >= PARALLEL_FROM)
    shutil.rmtree(shell_dir)
    return ids
