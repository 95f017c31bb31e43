"""The site's own copy of plotly.js with its licence (never a CDN), and the vocabulary's colours as CSS."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Collection, Iterator
from pathlib import Path

from ...derivation.site import Site
from ...model import vocabulary
from .. import urls
from ..outputs import File, Output
from .family import INDEX, Family, Per

VENDOR = Path(__file__).parent.parent / "vendor"


def vendored(name: str) -> tuple[dict, bytes]:
    """A third-party file kept in rendering/vendor/, checked against the checksum recorded with it."""
    entry = json.loads((VENDOR / "vendored.json").read_text(encoding="utf-8"))[name]
    data = (VENDOR / entry["file"]).read_bytes()
    if hashlib.sha256(data).hexdigest() != entry["sha256"]:
        raise RuntimeError(f"{entry['file']} does not match the checksum in vendored.json")
    return entry, data


def outputs(site: Site, keys: Collection[str] | None) -> Iterator[Output]:
    """The partial plotly.js bundle of the trace types the charts use (a test checks that every one is in it),
    and the colours of the vocabulary (mkdocs.yml loads them after portal.css, so its colours win)."""
    if keys is not None and INDEX not in keys:
        return
    entry, data = vendored("plotly")
    yield File(f"{urls.VENDOR_FOLDER}/plotly.min.js", data)
    yield File(f"{urls.VENDOR_FOLDER}/plotly.LICENSE.txt", (VENDOR / entry["licence"]).read_bytes())
    yield File(urls.VOCABULARY_CSS, vocabulary.stylesheet().encode("utf-8"))


FAMILY = Family("assets", Per.SITE, frozenset(), outputs)
