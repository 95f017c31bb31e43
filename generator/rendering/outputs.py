"""What a page family makes: a `Page` (a template with its context and its place under docs/) or a `File`
(bytes with a place). Nothing here renders or writes: writing/writer.py does both."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Page:
    """A Markdown page: front matter from `title`, `hide` and `searchable`, the body from `template`."""

    path: str
    template: str
    title: str
    context: dict = field(default_factory=dict)
    # What a search engine or a shared link (WeChat, Weibo) says about the page; the site's description if None.
    description: str | None = None
    hide: tuple[str, ...] = ("navigation", "toc")
    searchable: bool = False
    # Pages MkDocs would spend most of a large build on: the build writes their content as HTML
    # (urls.fragment(path)) and the publisher writes each into the `shell` page's HTML, which MkDocs renders.
    # A build for the live preview writes them as Markdown instead, and no shell.
    stitched: bool = False
    shell: bool = False
    # The theme template MkDocs renders the page with (front matter `template:`, a file in overrides/); the
    # theme's main.html if None.
    theme_template: str | None = None


@dataclass(frozen=True)
class File:
    """A file written as it is: open data, the finder's index, a vendored script."""

    path: str
    data: bytes


Output = Page | File


def human_size(size: int) -> str:
    if size < 1024:
        return f"{size} B"
    if size < 1024 * 1024:
        return f"{size / 1024:.1f} KB"
    return f"{size / 1024 / 1024:.1f} MB"
