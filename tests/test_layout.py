"""README's layout table names every module of the generator in its folder's row, and nothing that is not there:
the table a new engineer reads first cannot drift from the tree."""

from __future__ import annotations

import re
from pathlib import Path

from .conftest import ROOT

GENERATOR = ROOT / "generator"


def _rows() -> dict[str, str]:
    """The layout table's rows: path → what."""
    section = (ROOT / "README.md").read_text(encoding="utf-8").split("## Layout", 1)[1].split("\n## ", 1)[0]
    rows = {}
    for line in section.splitlines():
        match = re.match(r"^\| `([^`]+)` \| (.*) \|$", line)
        if match:
            rows[match.group(1)] = match.group(2)
    return rows


def _packages() -> list[Path]:
    return sorted(p.parent for p in GENERATOR.rglob("__init__.py"))


def test_every_package_of_the_generator_has_a_row_naming_each_of_its_modules() -> None:
    rows = _rows()
    for package in _packages():
        key = package.relative_to(ROOT).as_posix() + "/"
        if package == GENERATOR:
            continue
        assert key in rows, f"README's layout table has no row for {key}"
        named = set(re.findall(r"`([a-z_]+/?)`", rows[key]))
        modules = {p.stem for p in package.glob("*.py") if p.stem != "__init__"}
        subpackages = {f"{p.name}/" for p in package.iterdir() if (p / "__init__.py").is_file()}
        missing = (modules | subpackages) - named
        assert not missing, f"{key}: the row does not name {sorted(missing)}"
        unknown = {n for n in named if not n.endswith("/") and n not in modules | {"__init__"}}
        assert not unknown, f"{key}: the row names {sorted(unknown)}, which {key} does not hold"


def test_every_module_at_the_top_of_the_generator_has_its_own_row() -> None:
    rows = _rows()
    top = {p.name for p in GENERATOR.glob("*.py")} - {"__init__.py", "__main__.py"}
    assert {f"generator/{name}" for name in top} <= set(rows)
    assert {path for path in rows if path.startswith("generator/") and path.endswith(".py")} == \
        {f"generator/{name}" for name in top}
