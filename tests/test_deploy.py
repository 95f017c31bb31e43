"""Deploying to a plain web server (issue 21): deploy/rsync.sh uploads only what changed, and nginx with
deploy/nginx-site.conf serves the compressed copies the build wrote, with the right headers.

The portal is built twice, the second time after one problem's new progress entry; both are uploaded to a folder
with the script as the README says, and the second upload must send exactly the files whose bytes changed. Then
nginx (Debian's nginx-light with the brotli_static module) serves that folder with the repository's own server
block, on a port of 127.0.0.1, as a non-root user would run it.
"""

from __future__ import annotations

import gzip
import os
import re
import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import brotli
import pytest

from .conftest import AS_OF, ROOT
from .sitebuild import build_site

SCRIPT = ROOT / "deploy" / "rsync.sh"
SERVER_BLOCK = ROOT / "deploy" / "nginx-site.conf"
NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
BROTLI_MODULE = Path("/usr/lib/nginx/modules/ngx_http_brotli_static_module.so")
PROBLEM = "ledgers/ecology-env/STHJ-2026-001.yml"
INSTALL = "apt-get install nginx-light libnginx-mod-http-brotli-static rsync"


def _needs(tool: str | None, what: str) -> None:
    if tool is None:
        if os.environ.get("CI") == "true":
            raise RuntimeError(f"CI=true but {what} is missing: {INSTALL}")
        pytest.skip(f"{what} is not installed; the deploy tests are skipped. Install: {INSTALL}")


@pytest.fixture(scope="module")
def two_builds(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The sample portal, and the same portal after STHJ-2026-001's new progress entry (a repository each, as
    deploy/rsync.sh runs from one)."""
    _needs(shutil.which("rsync"), "rsync")
    out = []
    for name, entry in (("before", ""), ("after", """\
  - date: 2026-11-20
    type: progress
    step: implement
    percent: 70
    summary: 完成二期清淤主体工程。
""")):
        repository = tmp_path_factory.mktemp(name)
        shutil.copytree(ROOT / "ledgers", repository / "ledgers")
        shutil.copytree(ROOT / "snapshots", repository / "snapshots")  # published: the newest week, deltas before
        problem = repository / PROBLEM
        problem.write_text(problem.read_text(encoding="utf-8") + entry, encoding="utf-8")
        site = build_site(repository / "ledgers", repository / "work", AS_OF)
        shutil.copytree(site, repository / "site")
        (repository / "deploy").mkdir()
        shutil.copy(SCRIPT, repository / "deploy" / "rsync.sh")
        out.append(repository)
    return out[0], out[1]


def _files(site: Path) -> dict[str, bytes]:
    return {str(p.relative_to(site)): p.read_bytes() for p in site.rglob("*") if p.is_file()}


def _upload(repository: Path, target: Path) -> tuple[set[str], set[str]]:
    """deploy/rsync.sh into a local folder: (files sent, files deleted), from rsync's itemized changes."""
    done = subprocess.run(["bash", str(repository / "deploy" / "rsync.sh"), f"{target}/"], cwd=repository,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    sent = {line.split(maxsplit=1)[1] for line in done.stdout.splitlines() if line.startswith(">f")}
    deleted = {line.split(maxsplit=1)[1] for line in done.stdout.splitlines() if line.startswith("*deleting")}
    return sent, deleted


def test_an_upload_after_one_change_sends_only_the_files_that_changed(two_builds, tmp_path: Path) -> None:
    before, after = two_builds
    target = tmp_path / "www"
    sent, _ = _upload(before, target)
    old, new = _files(before / "site"), _files(after / "site")
    assert sent == set(old)  # the first upload sends everything
    assert _files(target) == old
    sent, deleted = _upload(after, target)
    changed = {path for path, data in new.items() if old.get(path) != data}
    assert sent == changed
    assert deleted == set(old) - set(new)
    assert _files(target) == new
    assert f"problems/{Path(PROBLEM).stem}/index.html" in sent
    assert len(sent) < len(new) / 5, f"{len(sent)} of {len(new)} files sent for one progress entry"
    # the same build uploaded again sends nothing
    assert _upload(after, target) == (set(), set())


@pytest.fixture(scope="module")
def nginx(two_builds, tmp_path_factory: pytest.TempPathFactory):
    """nginx serving the deployed portal with deploy/nginx-site.conf (its listen and root set for the test)."""
    _needs(NGINX, "nginx")
    _needs(str(BROTLI_MODULE) if BROTLI_MODULE.exists() else None, "nginx's brotli_static module")
    _, after = two_builds
    work = tmp_path_factory.mktemp("nginx")
    www = work / "www"
    _upload(after, www)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    block = SERVER_BLOCK.read_text(encoding="utf-8")
    block = re.sub(r"^    listen 80;\n    listen \[::\]:80;", f"    listen 127.0.0.1:{port};", block, flags=re.MULTILINE)
    block = re.sub(r"^    root .*;", f"    root {www};", block, flags=re.MULTILINE)
    assert f"root {www};" in block and f"listen 127.0.0.1:{port};" in block
    (work / "site.conf").write_text(block, encoding="utf-8")
    for folder in ("client", "proxy", "fastcgi", "uwsgi", "scgi"):
        (work / folder).mkdir()
    # as root, nginx's workers would run as nobody, who cannot read pytest's private folders
    user = "user root;" if os.geteuid() == 0 else ""
    (work / "nginx.conf").write_text(f"""
load_module {BROTLI_MODULE};
{user}
daemon off;
worker_processes 1;
pid {work}/nginx.pid;
error_log {work}/error.log;
events {{ worker_connections 64; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log off;
    client_body_temp_path {work}/client;
    proxy_temp_path {work}/proxy;
    fastcgi_temp_path {work}/fastcgi;
    uwsgi_temp_path {work}/uwsgi;
    scgi_temp_path {work}/scgi;
    include {work}/site.conf;
}}
""", encoding="utf-8")
    server = subprocess.Popen([NGINX, "-p", str(work), "-c", str(work / "nginx.conf")], stderr=subprocess.PIPE)
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            time.sleep(0.05)
    else:
        server.kill()
        raise RuntimeError(f"nginx did not start: {(work / 'error.log').read_text(errors='replace')}")
    yield f"http://127.0.0.1:{port}", www
    server.terminate()
    server.wait(timeout=10)


def _get(url: str, encoding: str | None) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(url, headers={"Accept-Encoding": encoding} if encoding else {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, {k.lower(): v for k, v in response.headers.items()}, response.read()
    except urllib.error.HTTPError as error:
        return error.code, {k.lower(): v for k, v in error.headers.items()}, error.read()


PROBLEM_PAGE = f"problems/{Path(PROBLEM).stem}/index.html"


@pytest.mark.parametrize("path, file, kind", [
    ("/", "index.html", "text/html; charset=utf-8"),
    ("/data/problems.json", "data/problems.json", "application/json; charset=utf-8"),
    ("/feed.xml", "feed.xml", "text/xml; charset=utf-8"),
    ("/assets/css/portal.css", "assets/css/portal.css", "text/css; charset=utf-8"),
])
def test_nginx_serves_the_copy_the_browser_accepts_with_its_headers(nginx, path: str, file: str, kind: str) -> None:
    base, www = nginx
    original = (www / file).read_bytes()
    for accepted, encoding, decode in (("br, gzip", "br", brotli.decompress), ("gzip", "gzip", gzip.decompress),
                                       (None, None, lambda body: body)):
        status, headers, body = _get(base + path, accepted)
        assert status == 200, (path, accepted)
        assert headers.get("content-encoding") == encoding, (path, accepted, headers)
        assert headers.get("content-type") == kind
        assert decode(body) == original
        if encoding:  # the copy the build wrote, not compressed again on the fly
            assert body == (www / f"{file}.{'br' if encoding == 'br' else 'gz'}").read_bytes()
            assert "Accept-Encoding" in headers.get("vary", "")
        assert headers.get("x-content-type-options") == "nosniff"


def test_nginx_compresses_a_problem_page_as_it_serves_it(nginx) -> None:
    """The problem pages have no copies (too many to compress on every build): gzip on the fly."""
    base, www = nginx
    assert not (www / f"{PROBLEM_PAGE}.gz").exists()
    status, headers, body = _get(f"{base}/{PROBLEM_PAGE.removesuffix('index.html')}", "br, gzip")
    assert status == 200 and headers.get("content-encoding") == "gzip"
    assert headers.get("content-type") == "text/html; charset=utf-8"
    assert gzip.decompress(body) == (www / PROBLEM_PAGE).read_bytes()
    assert "完成二期清淤主体工程。" in gzip.decompress(body).decode("utf-8")  # the deployed build is the new one


def test_nginx_compresses_a_snapshot_delta_as_it_serves_it_as_text(nginx) -> None:
    """The older weeks are ed scripts (data/snapshots/*.json.delta): shown as text in a browser, sent gzipped."""
    base, www = nginx
    deltas = sorted((www / "data" / "snapshots").glob("*.json.delta"), key=lambda p: -p.stat().st_size)
    assert deltas, "the sample publishes its older weeks as deltas"
    delta = deltas[0]
    status, headers, body = _get(f"{base}/data/snapshots/{delta.name}", "gzip")
    assert status == 200 and headers.get("content-encoding") == "gzip"
    assert headers.get("content-type") == "text/plain; charset=utf-8"
    assert gzip.decompress(body) == delta.read_bytes()
    assert len(body) < len(delta.read_bytes()) / 2
    status, headers, body = _get(f"{base}/data/snapshots/SHA256SUMS", None)
    assert status == 200 and headers.get("content-type") == "text/plain; charset=utf-8"
    assert body == (www / "data" / "snapshots" / "SHA256SUMS").read_bytes()


def test_nginx_answers_a_missing_page_with_the_portals_404(nginx) -> None:
    base, www = nginx
    status, headers, body = _get(base + "/problems/NOPE-2026-999/", None)
    assert status == 404
    assert body == (www / "404.html").read_bytes()


def test_the_readme_says_how_to_deploy_and_ci_installs_what_the_tests_need() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    run = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "deploy/rsync.sh" in readme and "deploy/nginx-site.conf" in readme
    for package in ("nginx-light", "libnginx-mod-http-brotli-static", "rsync"):
        assert package in readme and package in run
