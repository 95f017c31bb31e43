"""What a page family declares: its name, how its outputs divide (`Per`), what they read (derivation.site.Part)
and the function that makes them; see the package's docstring for how the declarations are used."""

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
