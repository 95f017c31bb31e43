"""Pass the generated pages' large HTML blocks through `mkdocs build` untouched instead of parsed.

The generated Markdown pages (departments, categories, lists, 旬 and monthly reports) are mostly HTML
blocks: tables of hundreds of problems, charts and their data tables. MkDocs parses every byte of them
twice with Python's pure-Python HTMLParser (once to find anchor ids, once in Python-Markdown's raw-HTML
preprocessor), only to copy them into the page unchanged: at 10,000 problems that was about 11 of the
12 s MkDocs spent on pages. This MkDocs hook (overrides/hooks/passthrough.py, named in mkdocs.yml) takes
each large top-level HTML block out of the Markdown before MkDocs renders it, leaves a placeholder
(a tiny HTML block) in its place, puts the block back into the rendered HTML, and gives MkDocs the block's anchor ids
for its link checks. The page is the same bytes as without the hook (tests/test_passthrough.py renders
every generated page both ways).

A block is taken out only where Python-Markdown would copy it verbatim anyway: a blank-line-separated
chunk at the top level that starts with a block-level start tag and whose first element closes exactly at
the chunk's end (so no Markdown follows it on its lines).
"""

from __future__ import annotations

import re

# Blocks below this size cost MkDocs little; leaving them keeps the small hand-written pages as they were.
MIN_BYTES = 2000
_BLOCK_TAGS = ("div", "figure", "table", "details", "section", "nav", "ol", "ul", "dl", "aside", "form")
_START = re.compile(r"<(" + "|".join(_BLOCK_TAGS) + r")[\s>]")
_ID = re.compile(r'<[a-zA-Z][^>]*?\sid="([^"]*)"')
_NAME = re.compile(r'<a\s[^>]*?\bname="([^"]*)"')
# itself a (tiny) HTML block, so that Python-Markdown spaces it as it spaced the block it stands for
_PLACEHOLDER = "<div>rcpassthrough{:06d}x</div>"
_MARK = "rcpassthrough"


def _closes_at_end(chunk: str, tag: str) -> bool:
    """The chunk's first element (`<tag`) closes at the chunk's very end and not before."""
    if not chunk.endswith(f"</{tag}>"):
        return False
    depth = 0
    for match in re.finditer(rf"<(/?){tag}[\s>]", chunk):
        depth += -1 if match.group(1) else 1
        if depth == 0:
            return match.end() == len(chunk)
    return False


def take_out(markdown: str) -> tuple[str, list[str]]:
    """The Markdown with each large top-level HTML block replaced by a placeholder block, and the blocks."""
    if _MARK in markdown:  # a page that already shows the placeholder's text: leave it to MkDocs
        return markdown, []
    chunks = markdown.split("\n\n")
    blocks: list[str] = []
    for i, chunk in enumerate(chunks):
        if len(chunk) < MIN_BYTES or "<!--" in chunk:
            continue
        start = _START.match(chunk)
        if start is None or not _closes_at_end(chunk, start.group(1)):
            continue
        chunks[i] = _PLACEHOLDER.format(len(blocks))
        blocks.append(chunk)
    return ("\n\n".join(chunks), blocks) if blocks else (markdown, [])


def put_back(html: str, blocks: list[str]) -> str:
    """The rendered HTML with each placeholder replaced by its block."""
    for number, block in enumerate(blocks):
        placeholder = _PLACEHOLDER.format(number)
        if html.count(placeholder) != 1:
            raise RuntimeError(f"passthrough: placeholder {number} is not in the rendered page once")
        html = html.replace(placeholder, block)
    return html


def anchor_ids(blocks: list[str]) -> set[str]:
    """The ids (and <a name>) in the blocks, which MkDocs' link check would have found in them."""
    return {match.group(1) for block in blocks for pattern in (_ID, _NAME) for match in pattern.finditer(block)}


# MkDocs hook events (https://www.mkdocs.org/user-guide/configuration/#hooks)
_TAKEN: dict[str, list[str]] = {}


def on_page_markdown(markdown: str, page, config, files) -> str:
    text, blocks = take_out(markdown)
    if blocks:
        _TAKEN[page.file.src_uri] = blocks
    return text


def on_page_content(html: str, page, config, files) -> str:
    blocks = _TAKEN.pop(page.file.src_uri, None)
    if not blocks:
        return html
    if page.present_anchor_ids is not None:
        page.present_anchor_ids |= anchor_ids(blocks)
    return put_back(html, blocks)
