"""回头看: the look-back at closed problems (derivation/lookback.py): what is due, what was done, what rebounded."""

from __future__ import annotations

from collections.abc import Collection, Iterator

from ...derivation.periods import LIST_LIMIT
from ...derivation.site import Part, Site
from .. import urls
from ..outputs import Output, Page
from .family import INDEX, Family, Per

RECENT_LIMIT = 100  # the look-back page's table of reviews done


def outputs(site: Site, keys: Collection[str] | None) -> Iterator[Output]:
    if keys is not None and INDEX not in keys:
        return
    yield Page(urls.LOOKBACK, "lookback.md.j2", "回头看", {"lb": site.lookback, "limit": LIST_LIMIT,
                                                           "recent": RECENT_LIMIT}, hide=())


FAMILY = Family("lookback", Per.SITE, frozenset({Part.CYCLE, Part.DEPARTMENTS}), outputs)
