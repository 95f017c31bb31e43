"""The third-party files the site serves are the ones recorded, at the version the figures are built for."""

from __future__ import annotations

import hashlib
import html
import json
import re
from pathlib import Path

import plotly

from generator.rendering.pages import VENDOR, vendored


def test_each_vendored_file_matches_its_checksum_and_has_its_licence() -> None:
    for name, entry in json.loads((VENDOR / "vendored.json").read_text(encoding="utf-8")).items():
        data = (VENDOR / entry["file"]).read_bytes()
        assert hashlib.sha256(data).hexdigest() == entry["sha256"], name
        assert "MIT" in (VENDOR / entry["licence"]).read_text(encoding="utf-8")


def test_the_bundle_is_the_plotly_js_version_the_python_package_builds_figures_for() -> None:
    """`make constraints` may move plotly forward: then the partial bundle must be vendored again."""
    entry, data = vendored("plotly")
    bundled = (Path(plotly.__file__).parent / "package_data" / "plotly.min.js").read_text(encoding="utf-8")[:200]
    python_side = re.search(r"plotly\.js v(\d+\.\d+\.\d+)", bundled).group(1)
    assert python_side == entry["version"]
    assert f"v{entry['version']}" in data[:200].decode("utf-8")


def chart_trace_types(docs: Path) -> set[str]:
    """Every trace type the generated pages ask plotly to draw."""
    types = set()
    spec = re.compile(r'<template class="rc-chart__spec">(.*?)</template>', re.S)
    for page in [*docs.rglob("*.md"), *docs.rglob("*.html")]:
        for raw in spec.findall(page.read_text(encoding="utf-8")):
            figure = json.loads(html.unescape(raw))
            types |= {trace.get("type", "scatter") for trace in figure["data"]}
    return types


def test_the_charts_use_only_trace_types_of_the_basic_bundle(sample_docs: Path) -> None:
    used = chart_trace_types(sample_docs)
    assert used and used <= {"bar", "pie", "scatter"}, used  # what plotly.js-basic-dist-min registers
