"""Every label and colour a reader sees comes from the one declaration in generator/model/vocabulary.py."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from generator.model.vocabulary import LIGHT_TINT, VOCABULARIES, Light, Status, Supervision, Term, css_name

from .conftest import ROOT

HEX = re.compile(r"#[0-9a-fA-F]{3,8}\b")


def contrast(foreground: str, background: str) -> float:
    """WCAG 2 contrast ratio of two #rrggbb colours."""
    def luminance(colour: str) -> float:
        channels = [int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
        r, g, b = (c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
        return 0.2126 * r + 0.7152 * g + 0.0722 * b
    high, low = sorted((luminance(foreground), luminance(background)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def over(colour: str, background: str, percent: float) -> str:
    """A colour at `percent` opacity over an opaque background, as the browser blends it."""
    return "#" + "".join(f"{round(int(colour[i:i + 2], 16) * percent / 100 + int(background[i:i + 2], 16) * (1 - percent / 100)):02x}"
                         for i in (1, 3, 5))


# Material's page backgrounds: white, and slate (hsl(225, 15%, 14%) with the theme's default hue).
PAGE = "#ffffff"
SLATE = "#1e2129"


@pytest.fixture(scope="module")
def docs(sample_docs: Path) -> Path:
    return sample_docs


def test_the_hand_written_stylesheet_has_no_colour_of_its_own() -> None:
    css = (ROOT / "docs" / "assets" / "css" / "portal.css").read_text(encoding="utf-8")
    assert HEX.findall(css) == ["#fff"], "write colours in vocabulary.py, not in portal.css"


def test_every_colour_variable_the_stylesheet_uses_is_generated(docs: Path) -> None:
    portal = (ROOT / "docs" / "assets" / "css" / "portal.css").read_text(encoding="utf-8")
    generated = (docs / "assets" / "generated" / "vocabulary.css").read_text(encoding="utf-8")
    defined = set(re.findall(r"(--rc-[\w-]+):", generated))
    used = set(re.findall(r"var\((--rc-[\w-]+)\)", portal))
    assert used and used <= defined, used - defined


def test_generated_rules_use_the_declared_colours(docs: Path) -> None:
    css = (docs / "assets" / "generated" / "vocabulary.css").read_text(encoding="utf-8")
    for status in Status:
        assert f".rc-status--{status.value} {{ background: {status.badge}; }}" in css
    for light in Light:
        assert f".rc-light--{light.value} {{ color: {light.ink};" in css
        assert f'[data-md-color-scheme="slate"] .rc-light--{light.value} {{ color: {light.night_ink}; }}' in css
    for vocabulary in VOCABULARIES:
        for term in vocabulary:
            if term.colour:
                assert f"{css_name(term)}: {term.colour};" in css


@pytest.mark.parametrize("term", [*Status, *(s for s in Supervision if s.colour)], ids=str)
def test_white_text_on_a_badge_is_readable(term: Term) -> None:
    assert contrast("#ffffff", term.badge) >= 4.5, f"{term.value}: {term.badge}"


@pytest.mark.parametrize("light", Light, ids=str)
def test_a_light_badge_is_readable_on_both_palettes(light: Light) -> None:
    """The word on a light's tint reaches 4.5:1 (WCAG AA) on the light and on the dark palette."""
    assert contrast(light.ink, over(light.colour, PAGE, LIGHT_TINT)) >= 4.5, light.ink
    assert contrast(light.night_ink, over(light.colour, SLATE, LIGHT_TINT)) >= 4.5, light.night_ink


def test_the_finder_gets_the_declared_labels(docs: Path) -> None:
    index = json.loads((docs / "data" / "finder.json").read_text(encoding="utf-8"))
    assert index["statuses"] == {s.value: s.label for s in Status}
    assert list(index["lights"]) == [light.value for light in Light]
    assert index["lights"] == {light.value: light.label for light in Light}
    finder_js = (ROOT / "docs" / "assets" / "js" / "finder.js").read_text(encoding="utf-8")
    assert not [label for label in [*Status.labels().values(), *Light.labels().values()] if label in finder_js]


def test_every_badge_on_every_page_says_its_declared_label(docs: Path) -> None:
    badge = re.compile(r'class="rc-(status|light) rc-\1--(\w+)">([^<]*)<')
    vocabularies = {"status": Status, "light": Light}
    seen = 0
    for page in [*docs.rglob("*.md"), *docs.rglob("*.html")]:
        for kind, value, label in badge.findall(page.read_text(encoding="utf-8")):
            assert vocabularies[kind](value).label == label, f"{page.name}: {kind} {value} says {label}"
            seen += 1
    assert seen > 100


def test_the_rules_page_names_every_status_and_light(docs: Path) -> None:
    rules = (docs / "rules.md").read_text(encoding="utf-8")
    for term in [*Status, *Light]:
        assert term.label in rules
