"""The ledger read from a git commit is the ledger read from the same files on disk."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path, PurePosixPath

import pytest

from generator.loading.ledger import Ledger, load_ledger
from generator.loading.tree import Entry, FolderTree, GitTree, Kind, TreeError
from generator.validation.report import validate

from .conftest import AS_OF, ROOT

GIT_ENV = {
    "GIT_AUTHOR_NAME": "专班办公室", "GIT_AUTHOR_EMAIL": "office@example.org",
    "GIT_COMMITTER_NAME": "专班办公室", "GIT_COMMITTER_EMAIL": "office@example.org",
    "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1",
}


def git(repository: Path, *args: str) -> str:
    done = subprocess.run(["git", "-C", str(repository), *args], env={**os.environ, **GIT_ENV},
                          check=True, capture_output=True, text=True)
    return done.stdout.strip()


def commit_all(repository: Path, message: str) -> str:
    git(repository, "add", "-A")
    git(repository, "commit", "-q", "-m", message)
    return git(repository, "rev-parse", "HEAD")


@pytest.fixture
def repository(tmp_path: Path) -> Path:
    """A repository whose first commit holds the sample ledger."""
    repository = tmp_path / "repo"
    repository.mkdir()
    git(repository, "init", "-q", "-b", "main")
    shutil.copytree(ROOT / "ledgers", repository / "ledgers")
    commit_all(repository, "sample ledger")
    return repository


def break_ledger(repository: Path) -> str:
    """A second commit with one problem added and many files a clerk got wrong."""
    ledgers = repository / "ledgers"
    original = (ledgers / "ecology-env" / "STHJ-2025-001.yml").read_text(encoding="utf-8")
    (ledgers / "ecology-env" / "STHJ-2026-003.yml").write_text(
        original.replace("STHJ-2025-001", "STHJ-2026-003"), encoding="utf-8")
    broken = ledgers / "ecology-env" / "STHJ-2025-002.yml"
    broken.write_text(broken.read_text(encoding="utf-8") + "extra: [unclosed\n", encoding="utf-8")
    (ledgers / "health").rename(ledgers / "health-moved")  # every health problem in the wrong folder
    first_transport = sorted((ledgers / "transport").glob("*.yml"))[0]
    first_transport.rename(first_transport.with_suffix(".yaml"))
    (ledgers / "agriculture" / "old").mkdir()
    shutil.copy(ledgers / "agriculture" / "NYNC-2025-001.yml", ledgers / "agriculture" / "old" / "NYNC-2025-001.yml")
    (ledgers / "stray.yml").write_text("id: x\n", encoding="utf-8")
    (ledgers / "notes.txt").write_text("记事\n", encoding="utf-8")
    (ledgers / "README.md").write_text("说明\n", encoding="utf-8")
    (ledgers / "ecology-env" / "LINK.yml").symlink_to("STHJ-2025-001.yml")
    (ledgers / "mirror").symlink_to("ecology-env")
    return commit_all(repository, "broken ledger")


def contents(ledger: Ledger) -> dict:
    return {
        "portal": ledger.portal,
        "departments": ledger.departments,
        "indicators": ledger.indicators,
        "problems": [(p.document.path, p.document.display, p.problem) for p in ledger.problems],
        "inspections": [(i.document.path, i.document.display, i.inspection) for i in ledger.inspections],
        "problem_files": ledger.problem_files,
        "problem_file_ids": ledger.problem_file_ids,
        "findings": sorted(ledger.findings),
    }


def findings(source) -> list[tuple]:
    return [(f.file, f.line, f.column, f.code, f.message) for f in validate(source, AS_OF).findings]


def test_a_commit_and_its_checkout_give_the_same_ledger(repository: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(repository)  # so that the folder's display paths are the repository's paths
    with GitTree(repository, "HEAD") as tree:
        from_git = load_ledger(tree)
        from_git_findings = findings(tree)
    from_folder = load_ledger(FolderTree(repository / "ledgers"))
    assert contents(from_git) == contents(from_folder)
    assert len(from_git.problems) == from_git.problem_files > 50
    assert from_git.problems[0].document.path == PurePosixPath("agriculture/NYNC-2025-001.yml")
    assert from_git.problems[0].document.display == "ledgers/agriculture/NYNC-2025-001.yml"
    assert from_git_findings == findings(repository / "ledgers")
    assert {code[0] for _, _, _, code, _ in from_git_findings} == {"W"}  # the sample has warnings, no errors


def test_a_broken_commit_gives_the_same_findings_as_its_checkout(repository: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    break_ledger(repository)
    monkeypatch.chdir(repository)
    with GitTree(repository, "main") as tree:
        from_git = findings(tree)
        from_git_ledger = load_ledger(tree)
    assert from_git == findings(FolderTree(repository / "ledgers"))
    codes = {code for _, _, _, code, _ in from_git}
    assert {"E101", "E301", "E322", "E328", "W403"} <= codes
    assert ("ledgers/agriculture/old/NYNC-2025-001.yml", 1, 1, "E322") in {f[:4] for f in from_git}
    # links are refused where they are, never followed (E328), in a commit as on disk
    assert {("ledgers/ecology-env/LINK.yml", "E328"), ("ledgers/mirror", "E328")} <= {(f[0], f[3]) for f in from_git}
    assert contents(from_git_ledger) == contents(load_ledger(Path("ledgers")))


def test_links_are_their_own_kind_and_resolve_alike(repository: Path, request: pytest.FixtureRequest) -> None:
    break_ledger(repository)
    # a link leading nowhere is listed as a link, like any other
    (repository / "ledgers" / "nowhere").symlink_to("../../outside")
    commit_all(repository, "a dangling link")
    folder, commit = FolderTree(repository / "ledgers"), GitTree(repository, "HEAD")
    request.addfinalizer(commit.close)
    for path in (PurePosixPath(), PurePosixPath("ecology-env"), PurePosixPath("mirror")):
        assert commit.entries(path) == folder.entries(path)
    top = {entry.name: entry for entry in commit.entries(PurePosixPath())}
    assert top["mirror"] == Entry("mirror", Kind.SYMLINK, Kind.FOLDER)
    assert top["nowhere"] == Entry("nowhere", Kind.SYMLINK, Kind.OTHER)
    assert top["portal.yml"] == Entry("portal.yml", Kind.FILE, Kind.FILE)
    link = PurePosixPath("ecology-env/LINK.yml")
    assert commit.read(link) == folder.read(link) == folder.read(PurePosixPath("ecology-env/STHJ-2025-001.yml"))


def test_an_older_commit_gives_the_older_ledger(repository: Path) -> None:
    first = git(repository, "rev-parse", "HEAD")
    break_ledger(repository)
    git(repository, "tag", "-a", "-m", "first", "v1", first)
    git(repository, "update-ref", "refs/remotes/origin/main", first)

    def ids(ref: str) -> set[str]:
        with GitTree(repository, ref) as tree:
            return {item.problem.id for item in load_ledger(tree).problems}

    assert "STHJ-2026-003" in ids("HEAD")
    for ref in (first, first[:7], "v1", "origin/main"):
        with GitTree(repository, ref) as tree:
            assert tree.commit == first
        assert "STHJ-2026-003" not in ids(ref)


def test_what_cannot_be_found_is_said_plainly(repository: Path, tmp_path: Path) -> None:
    with pytest.raises(TreeError, match="^找不到提交“xyz”。$"):
        GitTree(repository, "xyz")
    with pytest.raises(TreeError, match="没有台账目录 data"):
        GitTree(repository, "HEAD", subpath="data")
    with pytest.raises(TreeError, match="不是 git 仓库"):
        GitTree(tmp_path / "nothing-here", "HEAD")
