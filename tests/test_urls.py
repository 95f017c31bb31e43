"""Every path and link of the portal comes from rendering/urls.py, and agrees with how MkDocs publishes."""

from __future__ import annotations

import posixpath
import re

from hypothesis import assume, given
from hypothesis import strategies as st

from generator.rendering import urls

from .conftest import ROOT


def test_the_url_style_is_the_one_mkdocs_yml_sets() -> None:
    config = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    setting = re.search(r"^use_directory_urls:\s*(\w+)", config, re.MULTILINE)
    assert setting and (setting.group(1) == "true") == urls.USE_DIRECTORY_URLS


def test_site_urls_of_pages() -> None:
    assert urls.site_url(urls.HOME) == ""
    assert urls.site_url(urls.DEPARTMENTS) == "departments/"
    assert urls.site_url(urls.problem("STHJ-2025-001")) == "problems/STHJ-2025-001/"
    assert urls.site_url(urls.data("finder.json")) == "data/finder.json"


def test_links_from_a_page_are_relative_to_it() -> None:
    links = urls.Links(urls.department("ecology-env"))
    assert links.problem("STHJ-2025-001") == "../../problems/STHJ-2025-001/"
    assert links.to(urls.DEPARTMENTS) == "index.md"
    assert links.to(urls.INSPECTIONS, "dc-2025-001") == "../inspections.md#dc-2025-001"
    finder = urls.Links(urls.FINDER)
    assert finder.site(urls.data("finder.json")) == "../data/finder.json"
    assert finder.site(urls.DEPARTMENTS) == "../departments/"
    assert urls.Links(urls.HOME).problem("A-2025-001") == "problems/A-2025-001/"
    assert urls.Links(urls.problem("A-2025-001")).site(urls.INSPECTIONS, "dc-1") == "../../inspections/#dc-1"


def test_the_finder_resolves_problem_pages_from_its_json() -> None:
    """finder.js resolves problem_url against the JSON's own address: data/finder.json."""
    pattern = urls.finder_problem_url()
    assert pattern == "../problems/{id}/"
    assert urls.relative(urls.site_url(urls.problem("X-2025-001")), urls.DATA_FOLDER) == pattern.replace(
        "{id}", "X-2025-001")


_NAMES = st.sampled_from(["", ".", "problems", "JT-2025-001", "reports", "xun", "a.md", "index.html", "数据"])


@given(st.lists(_NAMES, max_size=5), st.lists(_NAMES, max_size=5), st.booleans(), st.booleans())
def test_relative_links_are_posixpaths_relpath(target: list[str], start: list[str], slash: bool, lead: bool) -> None:
    """The links the generator writes are what posixpath.relpath gives, trailing slash kept, a folder named like
    a file (index.html) taken for a folder. The site's paths are relative to its root: a path with a leading
    slash, which relpath would resolve against the working directory, is none of them."""
    to = "/".join(target) + ("/" if slash and target else "")
    start_dir = ("./" if lead else "") + "/".join(start)
    assume(not to.startswith("/") and not start_dir.startswith("/"))
    expected = posixpath.relpath(to or ".", start_dir or ".")
    expected = "./" if expected == "." else expected + "/" if to.endswith("/") and not expected.endswith("/") else expected
    assert urls.relative(to, start_dir) == expected
