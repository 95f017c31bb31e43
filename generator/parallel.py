"""Making a large build fast on a small machine (issue 9: 10,000 problems on 2 cores in under 30 s): work shared
between forked copies of the process for the steps that would otherwise leave a core idle, and Python's
cyclic garbage collector paused while the ledger is read and the site written.

A fork inherits the ledger and everything derived from it as they are, so only each part's result is
pickled back. Where the system cannot fork, or there is one core, every part runs here, in order: the
result is the same either way, and the callers' tests run both ways.
"""

from __future__ import annotations

import contextlib
import gc
import multiprocessing
import os
import traceback
from collections.abc import Callable, Iterator, Sequence
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")

MAX_PROCESSES = 4


class ParallelError(Exception):
    """A forked part failed: a bug, not a ledger mistake; the message carries the part's traceback."""


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """Python's cyclic garbage collector off for the duration: a build makes millions of objects that live to
    its end (the ledger's documents and models, the derived rows) and almost no cycles, and each full
    collection walked all of them again. At 10,000 problems that was a third of the time taken to validate
    and about 4 s of the build, for 30 MB of memory kept (reference counting still frees everything else)."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()


def cores() -> int:
    """The cores this process may run on (its CPU affinity, which a container or CI runner may limit)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def split(items: Sequence[T], parts: int) -> list[Sequence[T]]:
    """`items` cut into at most `parts` runs of nearly equal length, in order."""
    parts = max(1, min(parts, len(items)))
    size, extra = divmod(len(items), parts)
    runs, start = [], 0
    for i in range(parts):
        end = start + size + (1 if i < extra else 0)
        runs.append(items[start:end])
        start = end
    return runs


def fork_map(function: Callable[[Sequence[T]], R], items: Sequence[T], *, worth_it: bool = True) -> list[R]:
    """`function` over `items` cut into one run per core (at most MAX_PROCESSES): the first run here, the
    others in forked processes at the same time. Returns the results in the order of the runs. With
    `worth_it=False` (too little work to pay for a fork), or no fork, or one core, a single run here."""
    processes = min(cores(), MAX_PROCESSES) if worth_it else 1
    if processes > 1:
        try:
            context = multiprocessing.get_context("fork")
        except ValueError:
            processes = 1
    if processes <= 1:
        return [function(items)]
    runs = split(items, processes)
    started = []
    for run in runs[1:]:
        receiving, sending = context.Pipe(duplex=False)
        process = context.Process(target=_run, args=(function, run, sending), daemon=True)
        process.start()
        sending.close()
        started.append((process, receiving))
    try:
        results = [function(runs[0])]
    finally:
        collected = [_collect(process, receiving) for process, receiving in started]
    failed = [value for ok, value in collected if not ok]
    if failed:
        raise ParallelError(failed[0])
    return results + [value for _, value in collected]


def _run(function: Callable, run: Sequence, sending) -> None:
    try:
        sending.send((True, function(run)))
    except BaseException:  # noqa: BLE001 - reported by the parent, which raises it as a ParallelError
        sending.send((False, traceback.format_exc()))
    finally:
        sending.close()


def _collect(process, receiving) -> tuple[bool, object]:
    try:
        result = receiving.recv()
    except EOFError:
        result = (False, "a forked part ended without a result")
    process.join()
    return result
