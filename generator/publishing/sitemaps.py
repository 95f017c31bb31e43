"""Search engines find problems through sitemaps: every problem page is listed, and robots.txt names the lists.

MkDocs writes sitemap.xml, and Material's instant navigation downloads it on every reader's first visit,
so it lists only the overview pages (overrides/sitemap.xml). The problem pages go in files of their own,
at most 50,000 addresses each as the sitemap protocol allows, which only crawlers read. No <lastmod>:
the pages say what was on record as of a date, and the same ledgers and date give the same bytes.
"""

from __future__ import annotations

from pathlib import Path
from xml.sax.saxutils import escape

from ..rendering import urls

PER_FILE = 50_000  # the sitemap protocol's limit


def write_sitemaps(site: Path, site_url: str, ids: list[str]) -> list[str]:
    """Write the problem pages' sitemaps and robots.txt into `site`; returns the sitemaps' file names."""
    base = site_url if site_url.endswith("/") else site_url + "/"
    names = []
    for n, start in enumerate(range(0, len(ids), PER_FILE), start=1):
        name = urls.PROBLEM_SITEMAP.format(n=n)
        entries = "".join(f"<url><loc>{escape(base + urls.site_url(urls.problem(problem_id)))}</loc></url>\n"
                          for problem_id in ids[start:start + PER_FILE])
        (site / name).write_text('<?xml version="1.0" encoding="UTF-8"?>\n'
                                 '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
                                 f"{entries}</urlset>\n", encoding="utf-8")
        names.append(name)
    lines = ["User-agent: *", "Allow: /", "", f"Sitemap: {base}sitemap.xml"]
    lines += [f"Sitemap: {base}{name}" for name in names]
    (site / "robots.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return names
