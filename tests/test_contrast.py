"""Every word the vocabulary colours is readable (WCAG AA, 4.5:1) in both palettes, whether or not a sample
page happens to show it: each text rule of vocabulary.stylesheet(), and each tint portal.css lays under a
term's words, computed against Material's own backgrounds (light and slate)."""

from __future__ import annotations

import colorsys
import re

import pytest

from generator.model.vocabulary import RED, stylesheet

from .conftest import ROOT

TEXT = 4.5  # WCAG 2 AA, normal-size text: every term's word is small (badges and tags are .68rem)


def hsla(hue: float, saturation: float, lightness: float, alpha: float = 1.0) -> tuple[float, float, float, float]:
    r, g, b = colorsys.hls_to_rgb(hue / 360, lightness / 100, saturation / 100)
    return r * 255, g * 255, b * 255, alpha


def parse(colour: str) -> tuple[float, float, float, float]:
    digits = colour.lstrip("#")
    if len(digits) == 3:
        digits = "".join(d * 2 for d in digits)
    alpha = int(digits[6:8], 16) / 255 if len(digits) == 8 else 1.0
    return int(digits[0:2], 16), int(digits[2:4], 16), int(digits[4:6], 16), alpha


def over(colour: tuple, background: tuple) -> tuple[float, float, float, float]:
    """`colour` drawn over an opaque `background`, as the browser blends it."""
    *rgb, alpha = colour
    return (*(c * alpha + b * (1 - alpha) for c, b in zip(rgb, background[:3], strict=True)), 1.0)


def luminance(colour: tuple) -> float:
    def channel(value: float) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4
    r, g, b = (channel(v) for v in colour[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(foreground: tuple, background: tuple) -> float:
    high, low = sorted((luminance(over(foreground, background)), luminance(background)), reverse=True)
    return (high + 0.05) / (low + 0.05)


# Material's colours (mkdocs-material 9.x, hue 225 for slate): the page, the grey of code and tags, the text.
PALETTES = {
    "light": {"page": parse("#ffffff"), "code": parse("#f5f5f5"), "text": parse("#000000de")},
    "slate": {"page": hsla(225, 15, 14), "code": hsla(225, 15, 18), "text": hsla(225, 15, 90, 0.82)},
}
for palette in PALETTES.values():
    palette["text"] = over(palette["text"], palette["page"])

# What portal.css gives each kind of term before the generated rule adds its colour: the word's colour (None:
# the page's text) and the background under it (None: the page; "code": Material's code grey, as .rc-tag).
BASES = {
    "rc-status": ("#fff", None),
    "rc-supervision": ("#fff", None),
    "rc-light": (None, None),
    "rc-tag": (None, "code"),
    "rc-reasons": (RED, None),  # portal.css writes a problem's reasons in --rc-red
}
SLATE = '[data-md-color-scheme="slate"] '
RULE = re.compile(r"^(?P<selector>[^{]+)\{(?P<body>[^}]*)\}", re.MULTILINE)
MIX = re.compile(r"color-mix\(in srgb, (?P<colour>#[0-9a-fA-F]+|var\((?P<var>--rc-[\w-]+)\)) (?P<percent>[\d.]+)%, transparent\)")


def uncommented(css: str) -> str:
    return re.sub(r"/\*.*?\*/", "", css, flags=re.DOTALL)


def declarations(body: str) -> dict[str, str]:
    return {k.strip(): v.strip() for k, v in (d.split(":", 1) for d in body.split(";") if ":" in d)}


def colour_of(value: str, variables: dict[str, str]) -> tuple[float, float, float, float]:
    """A colour as the stylesheets write it: #hex, var(--rc-...) or a tint of one over transparent."""
    mix = MIX.fullmatch(value)
    if mix:
        red, green, blue, _ = parse(variables[mix["var"]] if mix["var"] else mix["colour"])
        return red, green, blue, float(mix["percent"]) / 100
    variable = re.fullmatch(r"var\((--rc-[\w-]+)\)", value)
    return parse(variables[variable[1]] if variable else value)


def generated_terms() -> dict[str, dict]:
    """For each class the generated stylesheet colours words with: its colour and background in each palette."""
    css = uncommented(stylesheet())
    variables = dict(re.findall(r"(--rc-[\w-]+): (#[0-9a-fA-F]+);", css))
    terms: dict[str, dict] = {}
    for rule in RULE.finditer(css):
        selector = rule["selector"].strip()
        palette = "slate" if selector.startswith(SLATE) else "light"
        name = selector.removeprefix(SLATE).removeprefix(".md-typeset ").strip()
        if name.startswith(":root") or name.startswith(".md-typeset .rc-timeline") or "::before" in name or name.startswith(".rc-dot"):
            continue  # custom properties; dots and timeline marks are shapes beside a word, not text
        found = declarations(rule["body"])
        term = terms.setdefault(name.lstrip("."), {"light": {}, "slate": {}})
        for key in ("color", "background"):
            if key in found:
                term[palette][key] = colour_of(found[key], variables)
    return terms


def pairs() -> list[tuple[str, str, tuple, tuple]]:
    """(term, palette, word colour, opaque background) for every term a reader can meet in either palette."""
    result = []
    for name, term in generated_terms().items():
        base = BASES[name.split("--")[0]]
        for palette, colours in PALETTES.items():
            own = {**term["light"], **term[palette]} if palette == "slate" else term["light"]
            background = colours["code"] if base[1] == "code" else colours["page"]
            if "background" in own:
                background = over(own["background"], background)
            word = own.get("color") or (parse(base[0]) if base[0] else colours["text"])
            result.append((name, palette, word, background))
    return result


def tints() -> list[tuple[str, str, tuple, tuple]]:
    """The tinted entries and badges of portal.css (.rc-entry--review...): the page's text on a term's tint."""
    css = uncommented((ROOT / "docs" / "assets" / "css" / "portal.css").read_text(encoding="utf-8"))
    variables = dict(re.findall(r"(--rc-[\w-]+): (#[0-9a-fA-F]+);", stylesheet()))
    result = []
    for rule in RULE.finditer(css):
        background = declarations(rule["body"]).get("background", "")
        if MIX.fullmatch(background) and "color" not in declarations(rule["body"]):
            for palette, colours in PALETTES.items():
                result.append((rule["selector"].strip(), palette, colours["text"],
                               over(colour_of(background, variables), colours["page"])))
    return result


def test_every_generated_text_rule_is_a_kind_of_term_the_check_knows() -> None:
    """A new kind of coloured word in stylesheet() must say here what it is written on, or it goes unchecked."""
    kinds = {name.split("--")[0] for name in generated_terms()}
    assert kinds <= set(BASES), kinds - set(BASES)
    assert {"rc-status", "rc-supervision", "rc-light", "rc-tag"} <= kinds


@pytest.mark.parametrize(("term", "palette", "word", "background"), [*pairs(), *tints()],
                         ids=lambda value: value if isinstance(value, str) else "")
def test_every_coloured_word_reaches_4_5_to_1(term: str, palette: str, word: tuple, background: tuple) -> None:
    ratio = contrast(word, background)
    shown = "#" + "".join(f"{round(c):02x}" for c in over(word, background)[:3])
    ground = "#" + "".join(f"{round(c):02x}" for c in background[:3])
    assert ratio >= TEXT, f".{term} ({palette}): {shown} on {ground} is {ratio:.2f}:1"


def test_the_consolidated_tag_of_the_issue_is_checked() -> None:
    """The tag axe found on problem pages (整改成效巩固, #1e8e3e on #f5f5f5, 3.85:1) is among the pairs."""
    assert ("rc-tag--consolidated", "light") in {(term, palette) for term, palette, _, _ in pairs()}
