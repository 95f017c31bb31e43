"""The scale benchmark (`make bench`): synthetic ledgers of 1,000 and 10,000 problems through the whole pipeline.

Prints, per size: PyYAML C-loader parse time (the floor), validate alone, and the full build as a user
runs it (`rectify site`: validate, generate, mkdocs build, problem pages written into the page shell),
peak memory of each, output bytes per problem page and of the whole site, search index bytes, and the
bytes a first visit to the home page downloads in headless Chromium. Then checks the targets of the
issues. Each step runs in its own process so that its peak memory is its own (with its children's).
"""

from __future__ import annotations

import argparse
import functools
import http.server
import json
import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
AS_OF = "2026-11-24"
PY = sys.executable

PARSE = """
import sys, pathlib, yaml
for path in sorted(pathlib.Path(sys.argv[1]).rglob('*.yml')):
    yaml.load(path.read_bytes(), Loader=yaml.CSafeLoader)
"""
VALIDATE = """
import sys, pathlib, datetime as dt
from generator.validation.report import validate
report = validate(pathlib.Path(sys.argv[1]), dt.date.fromisoformat(sys.argv[2]))
assert not report.errors, report.errors[:3]
"""
# issue 10: the 旬 reports, bulletins (with their Word files), look-back page and feeds, derived and rendered
# alone, as the build does (its share of the full build), printed as "seconds pages"
REPORTS = """
import sys, pathlib, datetime as dt, tempfile, time
from generator.loading.ledger import load_ledger
from generator.derivation.campaign import campaign_of
from generator.rendering import urls
from generator.rendering.pages import entry_summary, supervision_cycle
from generator.writing.writer import Writer
campaign = campaign_of(load_ledger(pathlib.Path(sys.argv[1])), dt.date.fromisoformat(sys.argv[2]))
common = {"campaign": campaign, "portal": campaign.portal, "commit": "bench", "as_of": campaign.as_of,
          "entry_summary": entry_summary, "urls": urls}
start = time.perf_counter()
pages, _, _ = Writer(pathlib.Path(tempfile.mkdtemp()), common)._write(supervision_cycle(campaign))
print(f"{time.perf_counter() - start:.2f} {len(pages)}")
"""
REPORT_PAGE_BYTES = 300 * 1024  # issue 10: each report page stays under 300 KB
# issue 9: the full build of 10,000 problems on a 2-core machine
FULL_BUILD_SECONDS = 30
FULL_BUILD_AT = 10_000


def run(args: list[str], cwd: Path | None = None, env: dict | None = None) -> tuple[float, int]:
    """Wall seconds and peak resident memory (MiB) of one child process."""
    start = time.perf_counter()
    process = subprocess.Popen(args, cwd=cwd, env=env)
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"step failed: {' '.join(args[:4])}")
    return elapsed, usage.ru_maxrss // 1024


def first_visit_bytes(site: Path) -> tuple[int, int] | None:
    """Bytes (as served, uncompressed) and requests of a first visit to the home page, in Chromium."""
    chromium = shutil.which("chromium")
    if chromium is None:
        return None
    from playwright.sync_api import sync_playwright

    handler = functools.partial(_Quiet, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    total = requests = 0
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=chromium, args=[
                "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                "--disable-sync"])
            page = browser.new_page()
            responses = []
            page.on("response", lambda response: responses.append(response))
            page.goto(f"http://127.0.0.1:{server.server_address[1]}/", wait_until="networkidle")
            page.wait_for_timeout(1000)
            for response in responses:
                try:
                    total += len(response.body())
                    requests += 1
                except Exception:  # noqa: BLE001 - redirects and aborted requests have no body
                    pass
            browser.close()
    finally:
        server.shutdown()
    return total, requests


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


def measure(size: int, departments: int) -> dict:
    work = OUT / str(size)
    if work.exists():
        shutil.rmtree(work)
    ledgers = work / "ledgers"
    subprocess.run([PY, "-m", "generator", "synth", "--problems", str(size), "--departments", str(departments),
                    "--out", str(ledgers), "--as-of", AS_OF], check=True, stdout=subprocess.DEVNULL)
    shutil.copyfile(ROOT / "mkdocs.yml", work / "mkdocs.yml")
    shutil.copytree(ROOT / "overrides", work / "overrides")
    shutil.copytree(ROOT / "docs" / "assets", work / "docs" / "assets", ignore=shutil.ignore_patterns("vendor"))
    result: dict = {"problems": size}
    result["parse_s"], result["parse_mib"] = run([PY, "-c", PARSE, str(ledgers)])
    result["validate_s"], result["validate_mib"] = run([PY, "-c", VALIDATE, str(ledgers), AS_OF], cwd=ROOT)
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "SITE_URL": "http://127.0.0.1/"}
    result["site_s"], result["site_peak_mib"] = run(
        [PY, "-m", "generator", "site", "--ledgers", str(ledgers), "--docs", str(work / "docs"), "--as-of", AS_OF,
         "--today", AS_OF, "--commit", "bench", "--config", str(work / "mkdocs.yml")], cwd=work, env=env)
    reports = subprocess.run([PY, "-c", REPORTS, str(ledgers), AS_OF], cwd=ROOT, check=True, capture_output=True,
                             text=True).stdout.split()
    result["reports_s"], result["report_pages"] = float(reports[0]), int(reports[1])
    site = work / "site"
    result["report_page_bytes"] = max(p.stat().st_size for p in (site / "reports").rglob("index.html"))
    pages = list((site / "problems").glob("*/index.html"))
    assert len(pages) == size, f"{len(pages)} problem pages for {size} problems"
    result["page_bytes"] = sum(p.stat().st_size for p in pages) // len(pages)
    result["site_bytes"] = sum(p.stat().st_size for p in site.rglob("*") if p.is_file())
    result["search_bytes"] = (site / "search" / "search_index.json").stat().st_size
    visit = first_visit_bytes(site)
    result["home_bytes"], result["home_requests"] = visit if visit else (None, None)
    return result


def table(results: list[dict]) -> str:
    rows = [
        ("problems", lambda r: f"{r['problems']:,}"),
        ("PyYAML C parse (s)", lambda r: f"{r['parse_s']:.1f}"),
        ("validate (s)", lambda r: f"{r['validate_s']:.1f}"),
        ("validate / parse", lambda r: f"{r['validate_s'] / r['parse_s']:.2f}×"),
        ("full build, rectify site (s)", lambda r: f"{r['site_s']:.1f}"),
        ("reports: derive + write, alone (s; pages)", lambda r: f"{r['reports_s']:.1f}; {r['report_pages']}"),
        ("largest report page (bytes)", lambda r: f"{r['report_page_bytes']:,}"),
        ("peak memory: validate / full build (MiB)", lambda r: f"{r['validate_mib']} / {r['site_peak_mib']}"),
        ("bytes per problem page", lambda r: f"{r['page_bytes']:,}"),
        ("whole site (MiB)", lambda r: f"{r['site_bytes'] / 2**20:.0f}"),
        ("search_index.json (bytes)", lambda r: f"{r['search_bytes']:,}"),
        ("home page first visit (bytes, requests)",
         lambda r: "no Chromium" if r["home_bytes"] is None else f"{r['home_bytes']:,} ({r['home_requests']})"),
    ]
    head = "| measure | " + " | ".join(f"{r['problems']:,}" for r in results) + " |"
    lines = [head, "| --- |" + " ---: |" * len(results)]
    for name, cell in rows[1:]:
        lines.append(f"| {name} | " + " | ".join(cell(r) for r in results) + " |")
    return "\n".join(lines)


def verdicts(small: dict, large: dict) -> list[tuple[str, bool]]:
    growth = 1.1 * large["problems"] / small["problems"]
    checks = [
        ("validate ≤ 3 × PyYAML C parse (largest)", large["validate_s"] <= 3 * large["parse_s"]),
        (f"time grows linearly (large / small ≤ {growth:.3g}×: {large['site_s'] / small['site_s']:.2f}×)",
         large["site_s"] / small["site_s"] <= growth),
        (f"output grows linearly (large / small ≤ {growth:.3g}×: {large['site_bytes'] / small['site_bytes']:.2f}×)",
         large["site_bytes"] / small["site_bytes"] <= growth),
        ("bytes per problem page flat (≤ 1.1 ×)", large["page_bytes"] <= 1.1 * small["page_bytes"]),
        ("peak memory < 1 GiB", max(large["validate_mib"], large["site_peak_mib"]) < 1024),
        (f"each report page < {REPORT_PAGE_BYTES // 1024} KB ({large['report_page_bytes']:,} bytes)",
         large["report_page_bytes"] < REPORT_PAGE_BYTES),
    ]
    if large["problems"] == FULL_BUILD_AT:
        checks.insert(1, (f"full build ≤ {FULL_BUILD_SECONDS} s at {FULL_BUILD_AT:,} problems ({large['site_s']:.1f} s)",
                          large["site_s"] <= FULL_BUILD_SECONDS))
    if small["home_bytes"] is not None and large["home_bytes"] is not None:
        checks.append(("home first visit does not grow (≤ 1.05 ×)", large["home_bytes"] <= 1.05 * small["home_bytes"]))
    return checks


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000", help="comma-separated problem counts (default 1000,10000)")
    parser.add_argument("--departments", type=int, default=20)
    options = parser.parse_args()
    sizes = [int(s) for s in options.sizes.split(",")]
    results = []
    for size in sizes:
        print(f"measuring {size:,} problems …", flush=True)
        results.append(measure(size, options.departments))
    print()
    print(table(results))
    (OUT / "results.json").write_text(json.dumps(results, indent=2), encoding="utf-8")
    if len(results) >= 2:
        print()
        failed = False
        for name, ok in verdicts(results[0], results[-1]):
            print(f"{'PASS' if ok else 'FAIL'}  {name}")
            failed |= not ok
        sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
