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
cycle nor the history check are written while the check runs (commands/build.py). And `affected` says which
outputs a changed problem file touches, so that a rebuild writes only those (tests/test_families.py changes
one problem and checks that the outputs so rebuilt are the bytes of a full build).

Adding a report type: one derivation (a part of `Site`, or a pure function over it), one module here with
its `FAMILY`, one template, and one line in `FAMILIES` below.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass
from enum import Enum

from ...derivation.site import Part, ProblemChange, Site, sources
from ..outputs import Output

INDEX = ""  # the key of a family's site-wide outputs


class Per(Enum):
    """How a family's outputs divide, and so which of them a changed problem touches."""

    SITE = "site"  # one set for the whole site: touched by any change to what it reads
    PROBLEM = "problem"  # one per problem: the changed problem's
    DEPARTMENT = "department"  # one per department: those that lead or cooperate on the changed problem
    CATEGORY = "category"  # one per category: the changed problem's
    XUN = "xun"  # one per 旬: those cut on or after the first day the problem reads differently
    MONTH = "month"  # one per month, likewise


Outputs = Callable[[Site, Collection[str] | None], Iterator[Output]]


@dataclass(frozen=True)
class Family:
    name: str
    per: Per
    reads: frozenset[Part]
    outputs: Outputs
    index_reads: frozenset[Part] = frozenset()

    @property
    def everything_read(self) -> frozenset[Part]:
        """Every part the family's outputs read, with what the derived ones are made from."""
        return sources(self.reads | self.index_reads)

    def keys_touched(self, change: ProblemChange, site: Site) -> set[str]:
        """The keys of the outputs that `change` touches (`site`: the site after the change)."""
        keys = {INDEX} if Part.PROBLEMS in sources(self.index_reads) else set()
        if Part.PROBLEMS not in sources(self.reads):
            return keys
        if self.per is Per.SITE:
            return keys | {INDEX}
        if self.per is Per.PROBLEM:
            return keys | {change.id}
        if self.per is Per.DEPARTMENT:
            return keys | set(change.departments)
        if self.per is Per.CATEGORY:
            return keys | set(change.categories)
        if self.per is Per.XUN:
            return keys | {r.period.key for r in site.cycle.xuns if r.cut >= change.since}
        return keys | {b.key for b in site.bulletins if b.report.cut >= change.since}


def _registry() -> tuple[Family, ...]:
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
        xun,
    )

    return (home.FAMILY, departments.FAMILY, categories.FAMILY, problems.FAMILY, lists.FAMILY, inspections.FAMILY,
            xun.FAMILY, bulletin.FAMILY, lookback.FAMILY, feeds.FAMILY, history.FAMILY, reference.FAMILY,
            data.FAMILY, assets.FAMILY)


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
