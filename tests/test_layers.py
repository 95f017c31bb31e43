"""Imports inside generator/ go only down the pipeline: no arrow up a layer, no cycle, no command importing another.

The folders are the stages of the pipeline, and a stage may use only what comes before it: the model is the
contract every stage shares; loading reads files into the model; derivation computes from what was loaded;
validation checks the ledger (and may use what derivation computes); review checks a change against its base;
rendering turns the derived figures into pages; writing puts them on disk; publishing finishes what MkDocs built;
the spreadsheet subsystem converts between Excel and ledgers; the commands sit on all of it, each on its own; and
cli.py is the click layer over the commands. The clock and the fork helper are utilities under everything.

An arrow up the order, or a circle, is where a concept sits in the wrong stage: move the concept down rather than
hide the import inside a function. Every import counts, including those under `if TYPE_CHECKING:` and in functions.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

from .conftest import ROOT

PACKAGE = ROOT / "generator"

# Bottom to top; a module may import from its own layer or one listed before it. Each entry is a module or package
# (a package stands for every module in it).
LAYERS: tuple[tuple[str, ...], ...] = (
    ("generator.clock", "generator.parallel"),
    ("generator.model",),
    ("generator.loading",),
    ("generator.derivation",),
    ("generator.validation",),
    ("generator.review",),
    ("generator.rendering",),
    ("generator.writing",),
    ("generator.publishing",),
    ("generator.spreadsheet",),
    ("generator.province",),  # the province portal: reads cities' published sites, renders with rendering/
    ("generator.commands",),
    ("generator.cli", "generator.__main__", "generator"),  # "generator": the package's own __init__
)

COMMANDS = "generator.commands"


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES: dict[str, Path] = {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def layer_of(module: str) -> int | None:
    """The index of the most specific layer entry that contains the module."""
    best: tuple[int, int] | None = None
    for index, entries in enumerate(LAYERS):
        for entry in entries:
            if module == entry or module.startswith(entry + "."):
                depth = entry.count(".")
                if best is None or depth > best[0]:
                    best = (depth, index)
    return None if best is None else best[1]


def imports_of(module: str) -> Iterator[tuple[str, int]]:
    """Each module of generator/ that `module` imports, with the line of the import."""
    path = MODULES[module]
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name == "generator" or alias.name.startswith("generator."):
                    yield alias.name, node.lineno
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                source = ".".join(base + ([node.module] if node.module else []))
            else:
                source = node.module or ""
            if source != "generator" and not source.startswith("generator."):
                continue
            for alias in node.names:
                # `from package import name` imports the submodule when there is one, else a name of the package.
                submodule = f"{source}.{alias.name}"
                yield (submodule if submodule in MODULES else source), node.lineno


GRAPH: dict[str, dict[str, int]] = {
    module: {target: line for target, line in imports_of(module) if target != module} for module in MODULES
}


def test_every_module_has_a_layer() -> None:
    assert [m for m in MODULES if layer_of(m) is None] == []


def test_every_import_goes_down_the_layers() -> None:
    upward = [
        f"{MODULES[module].relative_to(ROOT)}:{line}: {module} imports {target}, a higher layer"
        for module, targets in GRAPH.items()
        for target, line in sorted(targets.items())
        if layer_of(target) is not None and layer_of(target) > layer_of(module)  # type: ignore[operator]
    ]
    assert upward == [], "\n".join(upward)


def cycles(graph: dict[str, dict[str, int]]) -> list[str]:
    """One cycle through each strongly connected group of modules (Tarjan's algorithm), its modules in order."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[set[str]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        for target in sorted(graph.get(module, {})):
            if target not in index:
                visit(target)
                low[module] = min(low[module], low[target])
            elif target in on_stack:
                low[module] = min(low[module], index[target])
        if low[module] == index[module]:
            group = set()
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.add(member)
                if member == module:
                    break
            if len(group) > 1:
                groups.append(group)

    for module in sorted(graph):
        if module not in index:
            visit(module)
    return [cycle_within(group, graph) for group in sorted(groups, key=min)]


def cycle_within(group: set[str], graph: dict[str, dict[str, int]]) -> str:
    """A shortest path from the group's first module back to itself, staying inside the group, then the group's
    modules not on that path (each is in a circle with it too)."""
    start = min(group)
    paths = {start: [start]}
    frontier = [start]
    while frontier:
        following = []
        for module in frontier:
            for target in sorted(graph[module]):
                if target == start:
                    cycle = " -> ".join(paths[module] + [start])
                    rest = sorted(group - set(paths[module]))
                    return cycle + (f" (also in the circle: {', '.join(rest)})" if rest else "")
                if target in group and target not in paths:
                    paths[target] = paths[module] + [target]
                    following.append(target)
        frontier = following
    raise AssertionError(f"{sorted(group)} is not a cycle")


def test_no_import_cycle() -> None:
    found = cycles(GRAPH)
    assert found == [], "import cycles:\n" + "\n".join(found)


def test_no_command_imports_another() -> None:
    crossing = [
        f"{MODULES[module].relative_to(ROOT)}:{line}: {module} imports {target}"
        for module, targets in GRAPH.items()
        if module.startswith(COMMANDS + ".")
        for target, line in sorted(targets.items())
        if target.startswith(COMMANDS + ".")
    ]
    assert crossing == [], "\n".join(crossing)


def test_the_checker_reads_imports_and_finds_circles() -> None:
    """Relative, package and function-level imports are in the graph, and a planted circle is reported."""
    assert "generator.model.schema" in GRAPH["generator.derivation.state"]  # from ..model.schema import
    assert "generator.validation.rules.history" in GRAPH["generator.validation.rules"]  # from . import history
    assert "generator.commands.serve" in GRAPH["generator.cli"]  # inside a function
    assert layer_of("generator.model.schema") < layer_of("generator.cli")  # type: ignore[operator]
    planted = {"a": {"b": 1}, "b": {"c": 1, "d": 1}, "c": {"a": 1}, "d": {"b": 1}, "e": {"a": 1}}
    assert cycles(planted) == ["a -> b -> c -> a (also in the circle: d)"]
