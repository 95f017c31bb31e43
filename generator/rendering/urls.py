"""Where every page and file of the portal lives: the one owner of its paths and URLs.

A page is known by its source path under docs/ (`problems/STHJ-2025-001.md`); MkDocs publishes it at
its site URL (`problems/STHJ-2025-001/`, since mkdocs.yml sets `use_directory_urls: true`, which a test
checks). Templates, the finder's JSON and the build's checks get paths from here; none assembles one.
"""

from __future__ import annotations

import posixpath
from urllib.parse import urlencode, urljoin

from mkdocs.utils import get_relative_url

from ..model.delta import delta_name

HOME = "index.md"
DEPARTMENTS = "departments/index.md"
CATEGORIES = "categories/index.md"
INSPECTIONS = "inspections.md"
LISTS = "lists/index.md"  # 重点关注: every list with its count
FINDER = "finder.md"
DOWNLOADS = "downloads.md"
RULES = "rules.md"
GUIDE = "guide.md"
EXCEL_GUIDE = "excel-guide.md"  # 用 Excel 填报进展: the working sheet, filled and uploaded, for clerks without git
REPORTS = "reports/index.md"  # 督查通报: every 旬 report and monthly bulletin by period
LOOKBACK = "reports/lookback.md"  # 回头看
REPORTS_FOLDER = "reports"
FEED = "feed.xml"  # the city's Atom feed; one per department in feeds/
CHANGES = "changes.md"  # 本周变化: the difference between the last two weekly snapshots
HISTORY = "history.md"  # 历史记录核验: the published weekly snapshots checked against today's ledger
PROBLEMS_FOLDER = "problems"
DATA_FOLDER = "data"
VENDOR_FOLDER = "assets/vendor"
SCREENSHOTS_FOLDER = "assets/screenshots"  # committed PNGs the staff guides show (docs/assets/screenshots)
SEARCH_FOLDER = "pagefind"  # the full-text index, written into the site by generator/publishing/search.py
PROBLEM_SITEMAP = "sitemap-problems-{n}.xml"  # beside MkDocs' sitemap.xml; generator/publishing/sitemaps.py
VOCABULARY_CSS = "assets/generated/vocabulary.css"  # its own folder: the writer owns every file in it
USE_DIRECTORY_URLS = True


def problem(problem_id: str) -> str:
    return f"{PROBLEMS_FOLDER}/{problem_id}.md"


def fragment(source: str) -> str:
    """Where the content of a page that MkDocs does not render is written: its HTML, beside its source path.
    mkdocs.yml's `exclude_docs` keeps these files out of MkDocs' build; the publisher stitches them into
    the page shell (generator/publishing/stitch.py)."""
    return source.removesuffix(".md") + ".html"


# The one problem page MkDocs renders: the theme's page shell that every problem page is written into.
# It sits in the problems folder, so its relative URLs (assets, other pages) hold for every problem page.
PROBLEM_SHELL = f"{PROBLEMS_FOLDER}/_shell.md"


def department(department_id: str) -> str:
    return f"departments/{department_id}.md"


def category(category_id: str) -> str:
    return f"categories/{category_id}.md"


def problem_list(name: str) -> str:
    return f"lists/{name}.md"


def data(name: str) -> str:
    return f"{DATA_FOLDER}/{name}"


def working_sheet(department_id: str) -> str:
    """A department's working workbook for the next 旬 (its 填报表)."""
    return data(f"working/{department_id}.xlsx")


def screenshot(name: str) -> str:
    """A committed screenshot under docs/assets/screenshots/ (MkDocs copies it as it is)."""
    return f"{SCREENSHOTS_FOLDER}/{name}"


def xun_report(key: str) -> str:
    """A 旬 report by its period key (2026-11-2: the second 旬 of November 2026)."""
    return f"{REPORTS_FOLDER}/xun/{key}.md"


def bulletin(key: str) -> str:
    """A monthly bulletin by its month (2026-10)."""
    return f"{REPORTS_FOLDER}/monthly/{key}.md"


def bulletin_docx(key: str) -> str:
    """The bulletin as a Word document, beside its page (MkDocs copies it as it is)."""
    return f"{REPORTS_FOLDER}/monthly/{key}.docx"


def bulletin_data(key: str, suffix: str) -> str:
    """A bulletin's ranking inputs as open data: bulletin-2026-10.csv or .json."""
    return data(f"bulletins/bulletin-{key}.{suffix}")


def department_feed(department_id: str) -> str:
    return f"feeds/{department_id}.xml"
def snapshot(name: str) -> str:
    """A published weekly snapshot, offered for download as it is (snapshots/2025-W08.json): the newest week's,
    the digest list SHA256SUMS, and an older week whose file no delta can rebuild."""
    return data(f"snapshots/{name}")


def snapshot_delta(name: str) -> str:
    """An older week's snapshot as published: its delta from the next week's file (snapshots/2025-W08.json.delta,
    generator/model/delta.py)."""
    return data(f"snapshots/{delta_name(name)}")


def repository_file(repository: str, path: str) -> str:
    """A file of the ledger's repository on its default branch, as its host shows it (GitHub; any other host is
    taken for a GitLab, as feedback_issue does)."""
    if repository.startswith("https://github.com/"):
        return f"{repository}/blob/HEAD/{path}"
    return f"{repository}/-/blob/HEAD/{path}"


def inspection_anchor(inspection_id: str) -> str:
    """The heading id of an inspection on the inspections page."""
    return inspection_id.lower()


def site_url(source: str) -> str:
    """Where MkDocs publishes a source path, relative to the site root ("" is the home page)."""
    if not source.endswith(".md"):
        return source
    stem = source.removesuffix(".md")
    if stem == "index":
        return ""
    if stem.endswith("/index"):
        return stem.removesuffix("index")
    return f"{stem}/" if USE_DIRECTORY_URLS else f"{stem}.html"


def relative(target: str, start_dir: str) -> str:
    """`target` relative to the folder `start_dir` (both relative to the same root), keeping a trailing slash:
    MkDocs' own `get_relative_url`, with two differences. `start_dir` is always a folder (MkDocs takes a last
    part with a dot in it for a file name and drops it), and the folder itself is `./`, where MkDocs writes `.`
    for a target without a trailing slash (the home page's "", the feeds' link to it): the published pages
    have always said `./`. Like posixpath.relpath, but worked out on the names alone (relpath asks the
    system for the working directory twice per call, a quarter of a million times in a 10,000-problem
    build); unlike it, a `..` that climbs above the root stays at the root, which no path of the site does."""
    path = get_relative_url(target, start_dir + "/")
    return "./" if path == "." else path


def absolute(site_address: str, target: str) -> str:
    """`target` (a URL relative to the site root) at the site's published address (mkdocs.yml's site_url)."""
    return urljoin(site_address if site_address.endswith("/") else site_address + "/", target)


class Links:
    """Links from one page: `to` for Markdown (MkDocs rewrites .md links), `site` for raw HTML blocks and
    for pages written as HTML."""

    def __init__(self, source: str):
        self.source = source

    def to(self, target: str, anchor: str = "") -> str:
        path = relative(target, posixpath.dirname(self.source))
        return f"{path}#{anchor}" if anchor else path

    def site(self, target: str, anchor: str = "") -> str:
        here = site_url(self.source)
        path = relative(site_url(target), here if here.endswith("/") else posixpath.dirname(here))
        return f"{path}#{anchor}" if anchor else path

    def problem(self, problem_id: str) -> str:
        """A problem page by its published URL, for an HTML link (`<a href>`, also inside Markdown): MkDocs
        does not render problem pages (the publisher writes them), so a Markdown link to their source would
        not resolve, and it reports a link to a URL as unrecognised. `rectify site` checks that every
        problem page is published."""
        return self.site(problem(problem_id))

    def finder(self, **filters: str) -> str:
        """The finder, opened with its filters set (department=, category=, status=, light=, supervision=)."""
        query = urlencode({key: value for key, value in filters.items() if value})
        return self.site(FINDER) + (f"?{query}" if query else "")

    def department(self, department_id: str) -> str:
        return self.to(department(department_id))

    def category(self, category_id: str) -> str:
        return self.to(category(category_id))


def finder_problem_url() -> str:
    """The problem page URL pattern the finder fills in, relative to the finder's JSON file."""
    return relative(site_url(problem("{id}")), DATA_FOLDER)


FEEDBACK_FORM = "feedback.yml"  # .github/ISSUE_TEMPLATE/feedback.yml; its `problem` field takes the id
FEEDBACK_TEMPLATE = "群众反映"  # .gitlab/issue_templates/群众反映.md


def feedback_issue(repository: str, problem_id: str) -> str:
    """A new issue in the ledger's repository with the public-feedback template and the problem's id filled in.

    GitHub's issue forms take a field's value from the query (`problem=`); GitLab takes a template's name
    and a title. Any host but github.com is taken for a GitLab (self-managed or a domestic service)."""
    title = f"[群众反映] {problem_id} "
    if repository.startswith("https://github.com/"):
        return f"{repository}/issues/new?" + urlencode({"template": FEEDBACK_FORM, "title": title, "problem": problem_id})
    return f"{repository}/-/issues/new?" + urlencode({"issuable_template": FEEDBACK_TEMPLATE, "issue[title]": title})

