"""Build a whole portal (generation plus `mkdocs build --strict`) in a scratch folder, and serve it as a web
server would (compressed), for tests and the benchmark."""

from __future__ import annotations

import datetime as dt
import functools
import http.server
import os
import shutil
import threading
from pathlib import Path

from generator.commands.site import EarlySearch, publish
from generator.writing.build import build

ROOT = Path(__file__).resolve().parent.parent


def build_site(ledgers: Path, work: Path, as_of: dt.date, commit: str = "test", site_url: str | None = None,
               today: dt.date | None = None, stitch: bool = True) -> Path:
    """Generate into work/docs and publish into work/site with the project's own mkdocs.yml.

    Material's instant navigation only works where the site is served at `site_url` (host and port),
    so a test server passes its own address here. `stitch=False` has MkDocs render the problem pages
    itself, as the live preview does."""
    work.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(ROOT / "mkdocs.yml", work / "mkdocs.yml")
    shutil.copytree(ROOT / "overrides", work / "overrides", dirs_exist_ok=True)
    shutil.copytree(ROOT / "docs" / "assets", work / "docs" / "assets", dirs_exist_ok=True,
                    ignore=shutil.ignore_patterns("vendor"))
    search = EarlySearch(work / "docs")  # as `rectify site` does: the index starts once the problem pages are written
    try:
        build(ledgers, work / "docs", as_of, commit, today, stitch, problem_pages_written=search.start,
              site_url=site_url or "")
        if publish(work / "mkdocs.yml", as_of, quiet=True, site_url=site_url, search=search.take()) != 0:
            raise RuntimeError("mkdocs build --strict failed; its messages are above")
    finally:
        search.cancel()
    return work / "site"


class CompressedFiles(http.server.SimpleHTTPRequestHandler):
    """Serves a built site as nginx with `gzip_static on` does: `X.gz` in place of `X`, with Content-Encoding
    gzip, when the browser accepts gzip and the copy exists (rectify site writes them); `X` itself otherwise."""

    def send_head(self):  # noqa: ANN201 - http.server's own signature
        path = self.translate_path(self.path)
        if os.path.isdir(path) and self.path.split("?")[0].endswith("/"):
            path = os.path.join(path, "index.html")
        packed = path + ".gz"
        if "gzip" not in self.headers.get("Accept-Encoding", "") or not os.path.isfile(packed):
            return super().send_head()
        body = open(packed, "rb")  # noqa: SIM115 - http.server closes what send_head returns
        self.send_response(200)
        self.send_header("Content-Type", self.guess_type(path))
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(os.fstat(body.fileno()).st_size))
        self.send_header("Vary", "Accept-Encoding")
        self.end_headers()
        return body

    def log_message(self, *args) -> None:
        pass


def serve(site: Path) -> http.server.ThreadingHTTPServer:
    """A local server for `site` on a free port, sending the compressed copies, running until shutdown()."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(CompressedFiles, directory=str(site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def first_visit(page, url: str) -> tuple[int, int, list[str]]:
    """Open `url` in a fresh Playwright page, scroll to each chart until it is drawn (so that plotly.js, which
    loads only then, counts) and return the bytes transferred (bodies as sent, and headers), the number of
    requests, and the text files over 1,000 bytes that were sent uncompressed."""
    finished = []
    page.on("requestfinished", lambda request: finished.append(request))
    page.goto(url, wait_until="networkidle")
    charts = page.locator(".rc-chart")
    for i in range(charts.count()):
        charts.nth(i).scroll_into_view_if_needed()
        page.wait_for_function("figure => figure.classList.contains('is-drawn')", arg=charts.nth(i).element_handle(),
                               timeout=20000)
    page.wait_for_load_state("networkidle")
    total, plain = 0, []
    for request in finished:
        sizes = request.sizes()
        response = request.response()
        # Chromium reports 0 for a worker's script (Material's search worker): take what the server sent
        sent = int((response.header_value("content-length") if response else None) or 0)
        body = max(sizes["responseBodySize"], sent)
        total += body + sizes["responseHeadersSize"]
        kind = (response.header_value("content-type") or "") if response else ""
        text = kind.startswith("text/") or any(t in kind for t in ("javascript", "json", "xml", "svg"))
        if text and body > 1000 and not response.header_value("content-encoding"):
            plain.append(f"{request.url} ({body:,} bytes)")
    return total, len(finished), plain
