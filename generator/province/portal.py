"""The province portal: pages, charts and the merged search, built with MkDocs Material in the city portal's look.

The city portal's theme override (overrides/) and hand-written assets (docs/assets/: its CSS, the chart and
table scripts) are copied into a work folder; the province's own override (theme/: no city feed, the header's
search box sent to 全省搜索) goes over them, its pages are written from templates/, and `mkdocs build --strict`
publishes them. Each verified city's Pagefind bundle(s) are then copied into the site under `cities/<id>/`,
which the search page merges in the browser (static/province-search.js). The same inputs give the same bytes.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

import jinja2

from .. import clock
from ..model import vocabulary
from ..model.vocabulary import Light
from ..rendering import markup, urls
from ..rendering.families.assets import VENDOR, vendored
from . import charts
from .figures import UNTYPED, WEIGHTS, Province, formula
from .sources import SEARCH

HERE = Path(__file__).parent
CITY_FOLDER = "cities"
PROBLEM_ROWS = 200  # red-light problems listed per city on 重点问题, the longest overdue first; the search finds every problem
PAGES = (("index.md", "首页"), ("cities.md", "各市核验"), ("ranking.md", "城市排名"), ("types.md", "各类部门"),
         ("problems.md", "重点问题"), ("search.md", "全省搜索"))

MKDOCS = """# The province portal's MkDocs configuration, written by `rectify province` (generator/province/portal.py).
site_name: {title}
site_description: {title}：各市问题整改情况汇总
site_url: {site_url}
docs_dir: docs
site_dir: {site_dir}
use_directory_urls: true
strict: true
theme:
  name: material
  custom_dir: overrides
  language: zh
  font: false
  features:
    - navigation.tabs
    - navigation.top
  palette:
    - media: "(prefers-color-scheme: light)"
      scheme: default
      primary: indigo
      accent: indigo
      toggle:
        icon: material/weather-night
        name: 切换到深色模式
    - media: "(prefers-color-scheme: dark)"
      scheme: slate
      primary: indigo
      accent: indigo
      toggle:
        icon: material/weather-sunny
        name: 切换到浅色模式
plugins:
  - search  # only for the header's search box, which theme/partials/search.html sends to 全省搜索
markdown_extensions:
  - tables
  - attr_list
  - admonition
  - toc:
      permalink: false
extra_css:
  - assets/css/portal.css
  - assets/generated/vocabulary.css
  - assets/css/province.css
extra_javascript:
  - assets/js/page.js
  - assets/js/charts.js
  - assets/js/tables.js
  - assets/js/province-search.js
extra:
  generator: false
validation:
  links:
    not_found: warn
    anchors: warn
    absolute_links: warn
    unrecognized_links: warn
nav:
{nav}
"""


class PortalError(Exception):
    """The province portal could not be built; the message says why, in Chinese."""


def problem_page(base: str) -> str:
    """The address pattern of a problem page on a city's portal ({id} filled in)."""
    return base + urls.site_url(urls.problem("{id}"))


def city_base(report, folder_link: Callable[[object], str | None]) -> str | None:
    """Where a city's pages are linked: its published address, else its local folder (a trial)."""
    return report.city.url or folder_link(report.city)


def render(province: Province, docs: Path, links: dict[str, str | None]) -> None:
    """Write the province's pages, charts and assets into `docs`."""
    env = markup.environment()
    env.loader = jinja2.ChoiceLoader([jinja2.FileSystemLoader(HERE / "templates"), env.loader])
    common = {"province": province, "links": links}
    searchable = [r for r in province.verified if r.bundles and links.get(r.city.id)]
    cities_json = json.dumps([{"id": r.city.id, "name": r.city.name, "base": links[r.city.id],
                               "page": problem_page(links[r.city.id]),
                               "bundles": [f"../{CITY_FOLDER}/{r.city.id}/{b}" for b in r.bundles]}
                              for r in searchable], ensure_ascii=False, separators=(",", ":"))
    groups = []
    total = shown = 0
    for r in province.verified:
        red = sorted((p for p in r.problems if p.light == Light.RED.value), key=lambda p: (p.deadline, p.id))
        total += len(red)
        base = links.get(r.city.id)
        rows = red[:PROBLEM_ROWS]
        shown += len(rows)
        groups.append({"city": r.city, "rows": rows, "more": len(red) - len(rows), "departments": r.department_names,
                       "page": (lambda i, b=base: problem_page(b).replace("{id}", i)) if base else (lambda i: "#")})
    names = {t.id: t.name for t in province.config.department_types}
    mapping = [(r.city.name, f"{r.department_names[d]}（{d}）" if d in r.department_names else d, names[k])
               for r in province.reports for d, k in sorted(r.city.departments.items())]
    pages = {
        "index.md": ("index.md.j2", {"status": charts.status_chart(province.tally),
                                     "lights": charts.light_chart(province.tally),
                                     "cities": charts.city_chart(province), "types": charts.type_chart(province)}),
        "cities.md": ("cities.md.j2", {}),
        "ranking.md": ("ranking.md.j2", {"formula": formula(), "weights": WEIGHTS,
                                         "scores": charts.score_chart(province)}),
        "types.md": ("types.md.j2", {"types": charts.type_chart(province), "untyped": UNTYPED, "mapping": mapping}),
        "problems.md": ("problems.md.j2", {"groups": groups, "total": total, "shown": shown}),
        "search.md": ("search.md.j2", {"searchable": searchable,
                                       "cities_json": cities_json.replace("<", "\\u003c").replace("&", "\\u0026")}),
    }
    titles = dict(PAGES)
    for name, (template, context) in pages.items():
        text = env.get_template(template).render(title=titles[name], hide=("navigation", "toc"), **common, **context)
        (docs / name).write_text(text, encoding="utf-8")
    generated = docs / "assets" / "generated"
    generated.mkdir(parents=True, exist_ok=True)
    (generated / "vocabulary.css").write_text(vocabulary.stylesheet(), encoding="utf-8")
    vendor = docs / urls.VENDOR_FOLDER
    vendor.mkdir(parents=True, exist_ok=True)
    entry, data = vendored("plotly")
    (vendor / "plotly.min.js").write_bytes(data)
    (vendor / "plotly.LICENSE.txt").write_bytes((VENDOR / entry["licence"]).read_bytes())
    (docs / "assets" / "js" / "province-search.js").write_bytes((HERE / "static" / "province-search.js").read_bytes())
    (docs / "assets" / "css" / "province.css").write_bytes((HERE / "static" / "province.css").read_bytes())


# A bundle's code: never taken from a city (it would run on the province's own site), always the province's own
# Pagefind's. Only the index data (entry, metadata, chunks, filters, fragments) are copied from the cities.
RUNTIME = re.compile(r"^(pagefind\.js|pagefind-worker\.js|wasm\.[a-z_-]+\.pagefind)$")


def pagefind_runtime() -> dict[str, bytes]:
    """The installed Pagefind's own browser code (pagefind.js, its worker and WebAssembly), from indexing one
    placeholder page."""
    with tempfile.TemporaryDirectory(prefix="rectify-province-") as folder:
        root = Path(folder)
        (root / "site").mkdir()
        (root / "site" / "index.html").write_text('<html lang="zh"><body><main>省</main></body></html>',
                                                  encoding="utf-8")
        done = subprocess.run([sys.executable, "-m", "pagefind", "--site", str(root / "site"), "--force-language",
                               "zh", "--output-path", str(root / "index"), "--silent"], capture_output=True, text=True,
                              check=False)
        if done.returncode != 0:
            raise PortalError("Pagefind 没有成功运行，无法生成全省搜索：\n" + (done.stderr or done.stdout)[-2000:])
        return {p.name: p.read_bytes() for p in (root / "index").iterdir() if p.is_file() and RUNTIME.match(p.name)}


def build(province: Province, work: Path, site: Path, overrides: Path, assets: Path,
          bundles: dict[str, dict[str, bytes]], links: dict[str, str | None], site_url: str = "") -> None:
    """Assemble the work folder, render the pages, run `mkdocs build --strict` into `site` and copy the cities'
    search bundles in. `bundles` holds, per city id, the bundle files by their path in the city's site."""
    if work.exists():
        shutil.rmtree(work)
    docs = work / "docs"
    if not overrides.is_dir() or not (assets / "css" / "portal.css").is_file():
        raise PortalError(f"找不到城市门户的主题文件（{overrides}、{assets}）：请在本项目的根目录运行，"
                          "或用 --overrides、--assets 指定。")
    shutil.copytree(overrides, work / "overrides", ignore=shutil.ignore_patterns("hooks", "__pycache__"))
    shutil.copytree(HERE / "theme", work / "overrides", dirs_exist_ok=True)
    shutil.copytree(assets, docs / "assets", ignore=shutil.ignore_patterns("vendor", "generated", "screenshots"))
    render(province, docs, links)
    nav = "\n".join(f"  - {title}: {name}" for name, title in PAGES)
    config = work / "mkdocs.yml"
    config.write_text(MKDOCS.format(title=province.config.portal_title, nav=nav,
                                    site_url=json.dumps(site_url or province.config.site_url or ""),
                                    site_dir=json.dumps(str(site.resolve()))), encoding="utf-8")
    days = [r.as_of for r in province.verified if r.as_of]
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    if days:
        env["SOURCE_DATE_EPOCH"] = str(clock.epoch_of(max(days)))
    done = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--quiet", "-f", str(config)],
                          env=env, cwd=work, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise PortalError("mkdocs build 没有成功，省级门户没有发布：\n" + (done.stderr or done.stdout)[-4000:])
    runtime = pagefind_runtime() if bundles else {}
    for city_id, files in sorted(bundles.items()):
        target = site / CITY_FOLDER / city_id
        for name, data in sorted(files.items()):
            if not name.startswith(SEARCH) or RUNTIME.match(name.rpartition("/")[2]):
                continue
            path = target / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
        for folder in sorted({name.rpartition("/")[0] for name in files if name.endswith("/pagefind-entry.json")}):
            for name, data in sorted(runtime.items()):
                (target / folder / name).write_bytes(data)
