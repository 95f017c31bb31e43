"""Rendering Markdown pages from Jinja2 templates, with every ledger text escaped as text.

Two escapes, one per context: `md` for text inside Markdown (table cells, headings), which neutralises
both HTML and Markdown syntax; `text` for text inside the HTML blocks of a page, which python-markdown
passes through untouched, so HTML escaping alone is exact there.
"""

from __future__ import annotations

import datetime as dt
import html
import re

import jinja2
from markdown.extensions.toc import slugify, unique

from ..derivation.revisions import summary as revision_summary
from ..model.calendar import week_name
from ..model.schema import Close, Extension, Notice, Progress, Review, Revision
from ..model.vocabulary import GLOSSARY, GLOSSARY_ANCHOR, EntryType, Figure, Light, Status, Supervision

# python-markdown's backslash escapes (plus `|` for tables); `<`, `>` and `&` become entities first.
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|])")


def md(value: object) -> str:
    """Ledger text for a Markdown context: shown literally, never interpreted."""
    text = html.escape(str(value), quote=False)
    text = _MD_SPECIAL.sub(r"\\\1", text)
    return re.sub(r"\s*[\r\n]\s*", " ", text).strip()


def inline(value: object) -> str:
    """Ledger text as HTML, exactly as python-markdown renders `md(value)`: for pages written as HTML."""
    return re.sub(r"\s*[\r\n]\s*", " ", html.escape(str(value), quote=False)).strip()


def text(value: object) -> str:
    """Ledger text for an HTML block: escaped, line breaks kept, no blank line that would end the block."""
    escaped = html.escape(str(value), quote=True).strip()
    return re.sub(r"\s*[\r\n]+\s*", "<br>", escaped)


def attr(value: object) -> str:
    return html.escape(str(value), quote=True).replace("\n", " ")


def cn_date(value: dt.date | None) -> str:
    return "—" if value is None else f"{value.year}年{value.month}月{value.day}日"


def iso(value: dt.date | None) -> str:
    return "—" if value is None else value.isoformat()


def pct(value: float | None, digits: int = 1) -> str:
    return "—" if value is None else f"{value * 100:.{digits}f}%"


def shown(value: object) -> str:
    """A column's value in an HTML block of a page: dates in Chinese, nothing as 无, text escaped."""
    if isinstance(value, dt.date):
        return cn_date(value)
    return text(value) if value != "" else "无"


def number(value: float | int) -> str:
    return f"{value:,.0f}"


def safe_title(value: str) -> str:
    """A page title for front matter: the theme puts it in <title> unescaped, so markup characters
    become their full-width look-alikes there (the page body shows the exact text)."""
    table = str.maketrans({"<": "＜", ">": "＞", "&": "＆", '"': "＂", "\\": "＼", "\n": " "})
    return value.translate(table)


def page_title(value: str) -> str:
    """A page's title as the theme shows it: what front matter gives, also for pages written as HTML."""
    return safe_title(value).replace("'", "’")


def yaml_string(value: str) -> str:
    """A double-quoted YAML scalar for front matter."""
    return '"' + page_title(value) + '"'


class Headings:
    """The ids python-markdown's toc extension gives the headings of one page (mkdocs.yml keeps its default
    slugify), for pages written as HTML: a Chinese title slugifies to "", so they count up from `_1`."""

    def __init__(self) -> None:
        self.used: set[str] = set()

    def id(self, title: str) -> str:
        return unique(slugify(title, "-"), self.used)


def entry_summary(entry) -> str:
    """One line for a log entry in tables of updates and in the feeds."""
    if isinstance(entry, Progress):
        return entry.summary
    if isinstance(entry, Extension):
        return f"完成时限延至 {entry.deadline.isoformat()}：{entry.reason}"
    if isinstance(entry, Notice):
        return f"{entry.summary}（公示至 {entry.until.isoformat()}）"
    if isinstance(entry, Close):
        return entry.summary
    if isinstance(entry, Review):
        return entry.findings + (f"（重新整改时限 {entry.deadline.isoformat()}）" if entry.deadline else "")
    if isinstance(entry, Revision):
        return f"调整{entry.field.label}：{entry.reason}（{entry.approved_by}{'，' + entry.document if entry.document else ''}同意）"
    return ""


def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("generator.rendering", "templates"),
        autoescape=False,  # Markdown output: every ledger value goes through `md` or `text` explicitly
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,  # templates are the package's own: no stat of each one on every page rendered
    )
    env.filters.update(md=md, text=text, attr=attr, cn_date=cn_date, iso=iso, pct=pct, number=number,
                       yaml_string=yaml_string, shown=shown, inline=inline,
                       page_title=page_title, week_name=week_name)
    env.tests["date"] = lambda value: isinstance(value, dt.date)  # a column's value `shown` as a Chinese date
    env.globals.update(
        Status=Status, Light=Light, EntryType=EntryType, Supervision=Supervision, Figure=Figure,
        GLOSSARY=GLOSSARY, GLOSSARY_ANCHOR=GLOSSARY_ANCHOR, revision_summary=revision_summary,
        entry_summary=entry_summary,
    )
    return env
