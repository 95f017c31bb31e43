"""The portal's page families, one per module, and the registry that lists them.

A family turns the site context (derivation/site.py) into pages and files (rendering/outputs.py); nothing in
a family derives what another could need, caches or writes. Each module declares its `FAMILY`:

- `name`;
- `per`: how its outputs divide: one set for the whole site, or one per problem, department, category, 旬
  or month (each with a key: the problem id, the department id…);
- `reads`: what those outputs are made from (derivation.site.Part: problem files, inspection records,
  departments.yml, portal.yml, the snapshots, and the derived cycle and history check);
- `index_reads`: what its site-wide outputs (an index page, the problem page shell) read, when it has any;
- `outputs(site, keys)`: its outputs, all of them or only those of `keys` (`INDEX` for the site-wide ones).

The declarations are used twice. The build schedules families by what they read: those reading neither the
cycle nor the history check are written while the check runs (writing/build.py). And `affected` says which
outputs a changed problem file touches, so that a rebuild writes only those (tests/test_families.py changes
one problem and checks that the outputs so rebuilt are the bytes of a full build).

Adding a report type: one derivation (a part of `Site`, or a pure function over it), one module here with
its `FAMILY`, one template, and one line in `FAMILIES` below.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator

from ...derivation.site import Part, ProblemChange, Site
from ..outputs import Output
from . import (
    assets,
    bulletin,
    categories,
    data,
    departments,
    feeds,
    history,
    home,
    inspections,
    lists,
    lookback,
    problems,
    reference,
    working,
    xun,
)
from .family import INDEX, Family, Per

__all__ = ["BY_NAME", "FAMILIES", "INDEX", "Family", "Per", "affected", "outputs", "reading"]

def _registry() -> tuple[Family, ...]:

    return (home.FAMILY, departments.FAMILY, categories.FAMILY, problems.FAMILY, lists.FAMILY, inspections.FAMILY,
            xun.FAMILY, bulletin.FAMILY, lookback.FAMILY, feeds.FAMILY, history.FAMILY, reference.FAMILY,
            data.FAMILY, working.FAMILY, assets.FAMILY)


FAMILIES: tuple[Family, ...] = _registry()
BY_NAME = {family.name: family for family in FAMILIES}
assert len(BY_NAME) == len(FAMILIES), "two page families share a name"


def reading(parts: frozenset[Part]) -> list[Family]:
    """The families that read any of `parts`."""
    return [f for f in FAMILIES if f.reads & parts or f.index_reads & parts]


def outputs(site: Site, families: Collection[Family] | None = None,
            keys: dict[str, Collection[str]] | None = None) -> Iterator[Output]:
    """The outputs of `families` (of only the `keys` given per family name, when given), lazily. The parts of
    the site they read are derived first, once, in the process that consumes this: the build runs the
    families that read the cycle in a forked writer, which derives it there."""
    families = FAMILIES if families is None else families
    needed = frozenset().union(*(f.reads | f.index_reads for f in families))
    site = site.completed(needed)
    for family in families:
        if keys is None:
            yield from family.outputs(site, None)
        elif keys.get(family.name):
            yield from family.outputs(site, keys[family.name])


def affected(changes: Collection[ProblemChange], site: Site) -> dict[str, set[str]]:
    """Per family, the keys of the outputs that changed problem files touch (`site`: after the change, with its
    cycle derived)."""
    touched = {f.name: set().union(*(f.keys_touched(change, site) for change in changes)) for f in FAMILIES}
    return {name: keys for name, keys in touched.items() if keys}
