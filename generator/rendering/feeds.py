"""Atom feeds (feedgen): the city's and one per department, of bulletins, 旬 reports and recent log entries.

Entry ids are UUIDs derived from what the entry is (a bulletin's month, a problem's log position), so a
subscriber sees the same entry as the same entry on every build; every date is a ledger date, never the
build's clock. Links are relative to the feed's own address (the site's root or feeds/), as Atom allows.
"""

from __future__ import annotations

import datetime as dt
import heapq
import uuid
from collections.abc import Iterable
from dataclasses import dataclass

from feedgen.feed import FeedGenerator

from ..clock import CITY_TZ

ENTRY_LIMIT = 50


@dataclass(frozen=True)
class FeedEntry:
    key: str  # what the entry is, stable across builds: "bulletin:2026-10", "entry:STHJ-2025-001:3"
    title: str
    link: str  # relative to the feed's folder
    date: dt.date
    summary: str


def entry_id(city: str, key: str) -> str:
    return uuid.uuid5(uuid.NAMESPACE_URL, f"rectify-portal:{city}:{key}").urn


def atom(city: str, feed_key: str, title: str, subtitle: str, self_link: str, home_link: str, author: str,
         entries: Iterable[FeedEntry], as_of: dt.date) -> bytes:
    """An Atom 1.0 document of the newest `ENTRY_LIMIT` entries, newest first."""
    chosen = heapq.nlargest(ENTRY_LIMIT, entries, key=lambda e: (e.date, e.key))
    feed = FeedGenerator()
    feed.id(entry_id(city, f"feed:{feed_key}"))
    feed.title(title)
    feed.subtitle(subtitle)
    feed.author({"name": author})
    feed.link(href=self_link, rel="self", type="application/atom+xml")
    feed.link(href=home_link, rel="alternate", type="text/html")
    feed.language("zh-CN")
    feed.generator("rectify")
    feed.updated(_moment(max((e.date for e in chosen), default=as_of)))
    for item in reversed(chosen):  # feedgen prepends: the newest ends up first
        entry = feed.add_entry()
        entry.id(entry_id(city, item.key))
        entry.title(item.title)
        entry.link(href=item.link, rel="alternate", type="text/html")
        entry.updated(_moment(item.date))
        entry.summary(item.summary)
    return feed.atom_str(pretty=True)


def _moment(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), CITY_TZ)
