"""Compressed copies of the published site's text files (`X.gz` and `X.br` beside `X`) for a web server that
serves them as they are: nginx `gzip_static on` and `brotli_static on` (README, Publishing).

Debian's packaged nginx compresses only text/html on the fly unless `gzip_types` is set, so without these
copies the stylesheets, scripts and JSON of a first visit (plotly.js alone is 1.2 MB) travel uncompressed.
The problem pages are the exception: 10,000 of them are nearly nine tenths of the site's text and would take
about 10 s more of a build that must stay under 30 s, while each is 28 KB, HTML, which nginx's `gzip on`
(on by default) compresses as it serves it. So are the published weekly snapshots (data/snapshots/): mostly
SHA-256 digests, they shrink only to a third, and at 10,000 problems a hundred weeks of them (68 MB) took
3.8 s of compression on every build for files an auditor downloads now and then (a server that wants them
compressed can add application/json to `gzip_types`). Everything else is compressed, in one process per core at
scale (generator/parallel.py).

Deterministic: gzip without a name and with mtime 0, brotli at a fixed quality; the same file gives the same
bytes. A compressed copy that is not smaller than its file is not written (the server then sends the file).
"""

from __future__ import annotations

import gzip
import os
from collections.abc import Sequence
from pathlib import Path

import brotli

from ..parallel import fork_map
from ..rendering import urls

TEXT_SUFFIXES = frozenset({".html", ".css", ".js", ".json", ".xml", ".svg", ".txt", ".csv"})
# zlib's and brotli's middle levels: on the 10,000-problem site, 9 and 9 took 2.8 s instead of 1.3 s for
# 6-8 % less (plotly.js, the largest file of a first visit: 395 KB gzipped either way, 357 or 361 KB in
# brotli); brotli's 10 and 11 take 20 to 40 times as long again.
GZIP_LEVEL = 6
BROTLI_QUALITY = 6
# Below this, the headers of a compressed response cost about what compressing saves.
SMALLEST = 512
# Below this many bytes in all, a second process costs more than it saves.
PARALLEL_FROM = 4 * 2**20


def _gzip(data: bytes) -> bytes:
    return gzip.compress(data, compresslevel=GZIP_LEVEL, mtime=0)


def _brotli(data: bytes) -> bytes:
    return brotli.compress(data, quality=BROTLI_QUALITY)


COMPRESSORS = {".gz": _gzip, ".br": _brotli}


def candidates(site: Path, under: Path | None = None) -> list[Path]:
    """The text files to compress (in the folder `under` only, if given): every one but the problem pages
    (their folders are not even walked) and the weekly snapshots, and none that has its copy already (MkDocs
    writes sitemap.xml.gz itself)."""
    problems = site / urls.PROBLEMS_FOLDER
    snapshots = site / urls.snapshot("x").rpartition("/")[0]
    found = []
    for folder, subfolders, names in os.walk(under or site):
        if Path(folder) == problems:
            subfolders.clear()  # one folder per problem, holding its page
        if Path(folder) == snapshots:
            continue
        for name in names:
            path = Path(folder, name)
            if path.suffix in TEXT_SUFFIXES and path.stat().st_size >= SMALLEST \
                    and not Path(folder, name + ".gz").exists():
                found.append(path)
    return sorted(found)


def _compress(path: Path, suffix: str) -> int:
    """Write one compressed copy of `path`; returns the bytes written (0: not smaller, not written)."""
    target = path.with_name(path.name + suffix)
    data = path.read_bytes()
    packed = COMPRESSORS[suffix](data)
    if len(packed) >= len(data):
        return 0
    target.write_bytes(packed)
    return len(packed)


def _compress_many(jobs: Sequence[tuple[Path, str]]) -> int:
    return sum(1 for path, suffix in jobs if _compress(path, suffix))


def precompress(site: Path, under: Path | None = None) -> int:
    """Write `.gz` and `.br` beside the site's text files (those in the folder `under` only, if given; a
    file written after a first call gets its copies from a second); returns how many copies were written.

    Largest first, shared between forked processes when there is enough to share (generator/parallel.py):
    each copy is the same bytes whichever process writes it."""
    files = candidates(site, under)
    sizes = {path: path.stat().st_size for path in files}
    jobs = [(path, suffix) for path in sorted(files, key=lambda p: (-sizes[p], p)) for suffix in COMPRESSORS]
    # dealt out in turn, the jobs sorted by size give each process a like share of the largest files
    return sum(fork_map(_compress_many, jobs, worth_it=sum(sizes.values()) >= PARALLEL_FROM, dealt=True))
