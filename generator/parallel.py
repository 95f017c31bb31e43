"""Making a large build fast on a small machine (issue 9: 10,000 problems on 2 cores in under 30 s): work shared
between forked copies of the process for the steps that would otherwise leave a core idle, and Python's
cyclic garbage collector paused while the ledger is read and the site written.

The only way the generator runs work in other processes: `start` begins one piece of work in a fork and
collects its result later (the build's second writer), `fork_map` shares a list of items between one process
per core and waits for them all (reading the ledger, checking the history, stitching and compressing pages).
A fork inherits the ledger and everything derived from it as they are, so only each part's result is
pickled back. Where the system cannot fork, or there is one core, every part runs here, in order: the
result is the same either way, and the callers' tests run both ways.
"""

from __future__ import annotations

import contextlib
import functools
import gc
import multiprocessing
import os
import traceback
from collections.abc import Callable, Iterator, Sequence
from typing import Generic, TypeVar

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


def forking():
    """The multiprocessing context that forks this process; None where the system cannot fork."""
    try:
        return multiprocessing.get_context("fork")
    except ValueError:
        return None


class Started(Generic[R]):
    """Work begun in a forked copy of this process, its result collected later (`result`); where the system
    cannot fork, the work is done here when its result is asked for."""

    def __init__(self, work: Callable[[], R], niceness: int = 0):
        self.work = work
        context = forking()
        self.process = None
        if context is None:
            return
        self.receiving, sending = context.Pipe(duplex=False)
        self.process = context.Process(target=_run, args=(work, niceness, sending), daemon=True)
        self.process.start()
        sending.close()

    def result(self) -> R:
        """What the work returned; a ParallelError with its traceback when it failed in the fork."""
        ok, value = self._outcome()
        if not ok:
            raise ParallelError(value)
        return value

    def _outcome(self) -> tuple[bool, object]:
        if self.process is None:
            return True, self.work()
        try:
            outcome = self.receiving.recv()
        except EOFError:
            outcome = (False, "a forked part ended without a result")
        self.process.join()
        return outcome


def start(work: Callable[[], R], *, niceness: int = 0) -> Started[R]:
    """Begin `work` in a forked copy of this process now, at `niceness` (os.nice) there, and go on here: the
    fork inherits what `work` reads as it is, and only its result is pickled back. Collect it with
    `result()`; where the system cannot fork, `work` runs then, here."""
    return Started(work, niceness)


def fork_map(function: Callable[[Sequence[T]], R], items: Sequence[T], *, worth_it: bool = True,
             dealt: bool = False) -> list[R]:
    """`function` over `items` cut into one run per core (at most MAX_PROCESSES): the first run here, the
    others in forked processes at the same time. Returns the results in the order of the runs. With
    `worth_it=False` (too little work to pay for a fork), or no fork, or one core, a single run here.
    `dealt`: the items are dealt out in turn rather than cut in runs, so that items sorted by size give each
    process a like share of the largest."""
    processes = min(cores(), MAX_PROCESSES) if worth_it and forking() is not None else 1
    if processes <= 1:
        return [function(items)]
    runs = [items[i::processes] for i in range(processes)] if dealt else split(items, processes)
    started = [start(functools.partial(function, run)) for run in runs[1:]]
    try:
        results = [function(runs[0])]
    finally:
        collected = [other._outcome() for other in started]
    failed = [value for ok, value in collected if not ok]
    if failed:
        raise ParallelError(failed[0])
    return results + [value for _, value in collected]


def _run(work: Callable, niceness: int, sending) -> None:
    try:
        if niceness:
            os.nice(niceness)
        sending.send((True, work()))
    except BaseException:  # noqa: BLE001 - reported by the parent, which raises it as a ParallelError
        sending.send((False, traceback.format_exc()))
    finally:
        sending.close()
