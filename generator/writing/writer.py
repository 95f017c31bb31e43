"""The one writer: renders the pages the families yield, writes them and the files into docs/, and
removes what the previous build wrote and this one did not.

What the build owns is derived from what it writes: a manifest (`docs/.generated`, a dotfile MkDocs
does not publish) lists every path written, so the next build can clean up exactly those. The
hand-written part of docs/ (assets/css, assets/js) is never in it and never touched.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from .. import parallel
from ..rendering import urls
from ..rendering.markup import Headings, environment
from ..rendering.outputs import File, Output, Page
from ..rendering.urls import Links

MANIFEST = ".generated"
# The forked writers yield the processor to the main one: the problem pages it writes gate the full-text
# index, the longest step of a build, and the rest can wait (at 10,000 problems on 2 cores, 27.5 and 29.6 s
# against 34.4 and 32.4 s at equal priority, runs alternated).
APART_NICENESS = 10


class WriteError(Exception):
    """Two outputs claimed the same path, or a path left docs/: a bug in a page family, not in a ledger."""


@dataclass(frozen=True)
class Written:
    pages: tuple[str, ...]
    files: tuple[str, ...]


class Writer:
    """`stitch`: write stitched pages as HTML content for the publisher (and the shell they go into); without
    it they are Markdown pages MkDocs renders itself, as the live preview needs."""

    def __init__(self, docs: Path, common: dict, stitch: bool = True):
        self.docs = docs
        self.common = common
        self.stitch = stitch
        self.env = environment()

    def render(self, page: Page, fragment: bool = False) -> str:
        template = self.env.get_template(page.template)
        text = template.render(**self.common, **page.context, page=page, links=Links(page.path), fragment=fragment,
                               headings=Headings())
        # python-markdown joins blocks with at most one blank line and strips the result; HTML written for
        # the publisher does the same, so that it is the content MkDocs would have made of the Markdown page.
        return re.sub(r"\n{3,}", "\n\n", text).strip() + "\n" if fragment else text

    def placed(self, output: Output) -> tuple[str, bool]:
        """Where an output is written under docs/ ("" for nowhere), and whether it is a page's HTML content."""
        if isinstance(output, Page) and output.stitched and self.stitch:
            return urls.fragment(output.path), True
        if isinstance(output, Page) and output.shell and not self.stitch:
            return "", False
        return output.path, False

    def start(self, outputs: Iterable[Output]) -> parallel.Started:
        """Start writing `outputs` in a forked process now, to be collected by a later `write_all` (`started`):
        the build writes the outputs that do not show the history check while it runs, and on a 2-core machine
        the data files and reports while the main process renders the problem pages (issue 9). The fork
        inherits the campaign and the lazy outputs as they are, so nothing is pickled but the list of paths
        written. Where the system cannot fork, they are written here when `write_all` collects them."""
        return parallel.start(functools.partial(self._write, outputs), niceness=APART_NICENESS)

    def write_all(self, outputs: Iterable[Output], apart: Iterable[Output] = (),
                  written: Callable[[], None] | None = None, started: Iterable[parallel.Started] = ()) -> Written:
        """Write `outputs` here and `apart` in a forked second process at the same time, where the system can
        fork (each file is the same bytes whichever process writes it), and collect what `start` began.
        `written` is called as soon as `outputs` are written and the files the last build left in their
        folders are gone, while the others may still be writing: the build starts the full-text index on the
        problem pages then. At the end, remove what the last build wrote and this one did not, and list
        what it wrote.

        `apart` must be lazy (only the second process runs it); what the other processes write must not
        share a folder with `outputs`."""
        previous = self._manifest()
        others = [*started, self.start(apart)] if apart else list(started)
        pages, files, seen = self._write(outputs)
        own = _folders(seen)
        self._clean({path for path in previous | self._beside(seen) if _folder(path) in own} - seen)
        if written is not None:
            written()
        for other in others:
            try:
                more_pages, more_files, more_seen = other.result()
            except parallel.ParallelError as error:  # its traceback says which family failed, and how
                raise WriteError(str(error)) from None
            if seen & more_seen:
                raise WriteError(f"two outputs for {sorted(seen & more_seen)[0]}")
            if own & _folders(more_seen):
                raise WriteError(f"two processes write into {sorted(own & _folders(more_seen))[0]}/")
            pages, files, seen = pages + more_pages, files + more_files, seen | more_seen
        self._clean((previous | self._beside(seen)) - seen)
        (self.docs / MANIFEST).write_text("".join(f"{p}\n" for p in sorted(seen)), encoding="utf-8")
        return Written(tuple(pages), tuple(files))

    def write_only(self, outputs: Iterable[Output]) -> list[str]:
        """Write `outputs` over what a full build wrote, and nothing else: the outputs a change touches
        (rendering/families, `affected`). The manifest stays as it is, so a change that adds or removes a
        path needs a full build."""
        _, _, seen = self._write(outputs)
        unknown = seen - self._manifest()
        if unknown:
            raise WriteError(f"not an output of the last full build: {sorted(unknown)[0]}")
        return sorted(seen)

    def write_changed(self, outputs: Iterable[Output], added: set[str] = frozenset(),
                      removed: set[str] = frozenset(), started: Iterable[parallel.Started] = ()) -> list[str]:
        """Write `outputs` over what the last build wrote (and collect what `start` began), remove `removed` (the
        pages of problems gone) and list in the manifest `added` (the pages of new problems) besides what it
        held: an incremental rebuild (writing/incremental.py). Any other path the last build did not write is
        refused (WriteError): the change made an output appear that only a full build places, and cleans up."""
        previous = self._manifest()
        _, _, seen = self._write(outputs)
        for other in started:
            try:
                _, _, more = other.result()
            except parallel.ParallelError as error:
                raise WriteError(str(error)) from None
            if seen & more:
                raise WriteError(f"two outputs for {sorted(seen & more)[0]}")
            seen |= more
        unknown = seen - previous - added
        if unknown:
            raise WriteError(f"not an output of the last full build: {sorted(unknown)[0]}")
        self._clean(removed - seen)
        (self.docs / MANIFEST).write_text("".join(f"{p}\n" for p in sorted((previous | seen) - (removed - seen))),
                                          encoding="utf-8")
        return sorted(seen)

    def _clean(self, stale: set[str]) -> None:
        """Remove the stale files, then the folders they leave empty."""
        emptied = {self._remove(path) for path in sorted(stale)}
        for folder in sorted(emptied - {None}, key=lambda f: -len(f.parts)):
            self._remove_empty(folder)

    def _write(self, outputs: Iterable[Output]) -> tuple[list[str], list[str], set[str]]:
        pages: list[str] = []
        files: list[str] = []
        seen: set[str] = set()
        for output in outputs:
            path, fragment = self.placed(output)
            if not path:
                continue
            if path in seen:
                raise WriteError(f"two outputs for {path}")
            if path.startswith(("/", "..")) or "/../" in path or path == MANIFEST:
                raise WriteError(f"output path outside docs/: {path}")
            seen.add(path)
            if isinstance(output, Page):
                self._put(path, self.render(output, fragment).encode("utf-8"))
                pages.append(output.path)
            elif isinstance(output, File):
                self._put(path, output.data)
                files.append(path)
        return pages, files, seen

    def _put(self, path: str, data: bytes) -> None:
        target = self.docs / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)

    def _manifest(self) -> set[str]:
        try:
            return set((self.docs / MANIFEST).read_text(encoding="utf-8").split())
        except FileNotFoundError:
            return set()

    def _beside(self, written: set[str]) -> set[str]:
        """Files in the folders this build writes into that it did not write: left by a build without a
        manifest, or by hand. The root of docs/ is not such a folder (mkdocs.yml's pages are hand-named)."""
        folders = {path.rpartition("/")[0] for path in written} - {""}
        return {f"{folder}/{p.name}" for folder in folders if (self.docs / folder).is_dir()
                for p in (self.docs / folder).iterdir() if p.is_file()}

    def _remove(self, path: str) -> Path | None:
        """Remove one stale file; returns its folder, which may now be empty (checked once per folder:
        listing a folder of 10,000 pages after each removal would take minutes)."""
        target = self.docs / path
        if target.is_file():
            target.unlink()
        return target.parent

    def _remove_empty(self, folder: Path) -> None:
        while folder != self.docs and folder.is_dir() and not any(folder.iterdir()):
            folder.rmdir()
            folder = folder.parent


def _folder(path: str) -> str:
    return path.rpartition("/")[0]


def _folders(paths: Iterable[str]) -> set[str]:
    """The folders the paths are in (the root of docs/ as "")."""
    return {_folder(path) for path in paths}
