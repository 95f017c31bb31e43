"""The third-party files the site serves are the ones recorded, at the version the figures are built for."""

from __future__ import annotations

import hashlib
import html
import json
import re
from pathlib import Path

import plotly

from generator.rendering.families.assets import VENDOR, vendored


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


# Every address written in the bundle, and why it is not a request to an outside host from the portal.
BUNDLE_ADDRESSES = {
    "http://www.w3.org/2000/svg": "an XML namespace name, never fetched",
    "http://www.w3.org/2000/xmlns/": "an XML namespace name, never fetched",
    "http://www.w3.org/1999/xlink": "an XML namespace name, never fetched",
    "http://www.w3.org/XML/1998/namespace": "an XML namespace name, never fetched",
    "http://www.w3.org/1999/xhtml": "an XML namespace name, never fetched",
    "https://plotly.com/javascript/animations/": "text of an error message",
    "https://github.com/voidqk/polybooljs": "a licence comment",
    "https://github.com/d3/d3-time-format/tree/v2.2.3": "a licence comment",
    "https://github.com/d3/d3-format/tree/v1.4.5": "a licence comment",
    "http://syntheti.cc": "a licence comment",
    "http://getify.mit-license.org": "a licence comment",
    "https://plotly.com/": "the mode bar's logo link: charts.js sets displaylogo false and hides the mode bar",
    "https://cloud.plotly.com/newchart": "plotlyServerURL's default: charts.js sets it to nothing",
    "https://cdn.plot.ly/un/": "topojsonURL's default: charts.js points it at the site itself",
}
# The settings charts.js must pass so that none of the defaults above can make a request.
SAFE_CONFIG = ("displayModeBar: false", "displaylogo: false", "showSendToCloud: false", 'plotlyServerURL: ""',
               'topojsonURL: new URL("../vendor/topojson/"')


def test_every_outside_address_in_the_bundle_is_accounted_for_and_switched_off() -> None:
    _, data = vendored("plotly")
    found = set(re.findall(rb"https?://[A-Za-z0-9./_-]+", data))
    assert {address.decode() for address in found} == set(BUNDLE_ADDRESSES), "a new address: account for it"
    charts = (Path(__file__).parent.parent / "docs" / "assets" / "js" / "charts.js").read_text(encoding="utf-8")
    missing = [setting for setting in SAFE_CONFIG if setting not in charts]
    assert not missing, missing
