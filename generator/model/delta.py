"""The published weekly snapshots' deltas, declared once: an older week's file written as its difference from the
next week's, and rebuilt from it byte for byte.

The portal publishes the newest week's snapshot in full and, for every older week, a delta
(`data/snapshots/2025-W08.json.delta`) that turns the next published week's file into this week's: a reader
holding the newest file walks back week by week, and every file rebuilt is checked against the digest chain
(SHA256SUMS and the `previous` of the week after). A week's file is one line per problem, so a delta
holds only the lines of the problems that changed in that week: about a tenth of the file.

The format is the one POSIX `diff -e NEXT THIS` writes, an ed script: commands from the end of the file to its
start, each naming lines of NEXT by number (from 1) as they are before any command runs, so none moves the
lines a later command names:

    12,14c      lines 12 to 14 replaced by the lines that follow, up to a line holding only "."
    7d          line 7 deleted (7,9d: lines 7 to 9)
    0a          the lines that follow, up to a line holding only ".", put after line 0 (before the first)

Any ed applies it (`(cat 2025-W08.json.delta; echo w) | ed -s copy-of-2025-W09.json`); `rectify verify` does it
itself. Written here, the same two files give the same delta: lines found once in each file are matched in
order (the longest such run, patience sorting), equal lines are then matched outwards from each of them, and
what is left between two matches is one command. An ed script cannot hold a line that is only "." nor say that the
file does not end with a newline: such a week (a file no `rectify snapshot` writes) is published in full, which
`can_delta` tells. What a delta rebuilds is never trusted for what it is: its digest is what is checked.
"""

from __future__ import annotations

import bisect
import itertools
import re
from collections import Counter
from collections.abc import Sequence

SUFFIX = ".delta"  # 2025-W08.json.delta: what rebuilds 2025-W08.json from the next week's file
_COMMAND = re.compile(rb"^(\d+)(?:,(\d+))?([acd])$")
_END = b"."


class DeltaError(Exception):
    """A delta that cannot be applied to the file it is given; the message says where, in Chinese."""


def delta_name(name: str) -> str:
    """The delta's file name for a week's snapshot file name."""
    return name + SUFFIX


def _lines(data: bytes) -> list[bytes]:
    """The lines of a file that ends with a newline, without their newlines."""
    return data[:-1].split(b"\n") if data else []


def can_delta(data: bytes) -> bool:
    """Whether a file can be the result of a delta: empty, or ending with a newline and no line a lone "."."""
    return not data or (data.endswith(b"\n") and _END not in _lines(data))


def _repeated(lines: Sequence[bytes], distinct: dict) -> set[bytes]:
    """The lines found more than once (`distinct` has each line once: counting is needed only if it is shorter)."""
    return set() if len(distinct) == len(lines) else {line for line, n in Counter(lines).items() if n > 1}


def _anchors(base: Sequence[bytes], target: Sequence[bytes]) -> list[tuple[int, int]]:
    """Pairs (i, j) with base[i] == target[j], increasing in both, of lines found once in each file: the longest
    run of them in the same order (patience sorting; in a week's file they are nearly all in order)."""
    at = dict(zip(target, range(len(target)), strict=True))
    for line in _repeated(target, at):
        del at[line]
    unique = [(i, j) for i, j in enumerate(map(at.get, base)) if j is not None]
    repeated = _repeated(base, dict.fromkeys(base))
    if repeated:
        unique = [(i, j) for i, j in unique if base[i] not in repeated]
    if all(a[1] < b[1] for a, b in itertools.pairwise(unique)):
        return unique
    tops: list[int] = []  # the smallest last target position of a run of each length
    ends: list[int] = []  # index into `unique` of the pair ending that run
    back: list[int] = []
    for k, (_, j) in enumerate(unique):
        pile = bisect.bisect_left(tops, j)
        back.append(ends[pile - 1] if pile else -1)
        if pile == len(tops):
            tops.append(j)
            ends.append(k)
        else:
            tops[pile], ends[pile] = j, k
    chain = []
    k = ends[-1] if ends else -1
    while k >= 0:
        chain.append(unique[k])
        k = back[k]
    chain.reverse()
    return chain


def _gaps(base: Sequence[bytes], target: Sequence[bytes]) -> list[tuple[int, int, int, int]]:
    """The regions (i1, i2, j1, j2) where base[i1:i2] becomes target[j1:j2], in order: what lies between two
    anchors, less the equal lines at either end of it."""
    gaps = []
    i, j = 0, 0
    for i_next, j_next in [*_anchors(base, target), (len(base), len(target))]:
        if i < i_next or j < j_next:
            while i < i_next and j < j_next and base[i] == target[j]:
                i, j = i + 1, j + 1
            i2, j2 = i_next, j_next
            while i2 > i and j2 > j and base[i2 - 1] == target[j2 - 1]:
                i2, j2 = i2 - 1, j2 - 1
            if i < i2 or j < j2:
                gaps.append((i, i2, j, j2))
        i, j = i_next + 1, j_next + 1
    return gaps


def make(base: bytes, target: bytes) -> bytes:
    """The delta that turns `base` (the next week's file) into `target` (this week's); `can_delta(target)` and
    `base` ending with a newline (or empty) are the caller's to ensure."""
    assert can_delta(target) and (not base or base.endswith(b"\n")), "not a file a delta can rebuild"
    old, new = _lines(base), _lines(target)
    return b"".join(_command(i1, i2, new[j1:j2]) for i1, i2, j1, j2 in reversed(_gaps(old, new)))


def _command(start: int, end: int, lines: Sequence[bytes]) -> bytes:
    """Lines start+1..end of the base (none when start == end) replaced by `lines`."""
    text = b"".join(line + b"\n" for line in lines) + b".\n"
    where = b"%d" % end if end - start == 1 else b"%d,%d" % (start + 1, end)
    if start == end:
        return b"%da\n" % start + text
    if not lines:
        return where + b"d\n"
    return where + b"c\n" + text


def apply(base: bytes, delta: bytes) -> bytes:
    """The file `delta` makes of `base`. Raises DeltaError when the delta is not an ed script of the form above
    (commands from the end of the file to its start, within the base's lines) or the base does not end with a
    newline."""
    if base and not base.endswith(b"\n"):
        raise DeltaError("它所依据的后一周的文件不以换行结尾，不是周快照文件")
    if delta and not delta.endswith(b"\n"):
        raise DeltaError("差量文件不完整（最后一行没有换行）")
    old = _lines(base)
    script = _lines(delta)
    edits: list[tuple[int, int, list[bytes]]] = []  # (first base line replaced, 0-based; end; new lines)
    limit = len(old)  # commands run from the end: each must lie before the one read before it
    k = 0
    while k < len(script):
        match = _COMMAND.match(script[k])
        if match is None:
            raise DeltaError(f"差量文件第 {k + 1} 行不是编辑命令")
        first, last, verb = int(match[1]), int(match[2] or match[1]), match[3]
        k += 1
        if verb == b"a":
            if match[2] is not None:
                raise DeltaError(f"差量文件第 {k} 行的追加命令只能指一行")
            start, end = first, first
        else:
            if first < 1 or last < first:
                raise DeltaError(f"差量文件第 {k} 行的行号不对")
            start, end = first - 1, last
        if end > limit:
            raise DeltaError(f"差量文件第 {k} 行的命令超出了后一周文件的行数或不是从后往前排列")
        lines: list[bytes] = []
        if verb != b"d":
            while True:
                if k >= len(script):
                    raise DeltaError(f"差量文件在第 {k} 行之后缺少结束的“.”行")
                line = script[k]
                k += 1
                if line == _END:
                    break
                lines.append(line)
        edits.append((start, end, lines))
        limit = start
    out: list[bytes] = []
    position = 0
    for start, end, lines in reversed(edits):
        out.extend(old[position:start])
        out.extend(lines)
        position = end
    out.extend(old[position:])
    return b"".join(line + b"\n" for line in out)
