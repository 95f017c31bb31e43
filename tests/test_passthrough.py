"""The MkDocs hook that passes large HTML blocks through unparsed changes no byte of the site.

The sample portal's generated pages are built by MkDocs twice, with the project's mkdocs.yml and with its
hook removed; every file must be the same. The hook must also really take blocks out (else the build is
as slow as before), and keep MkDocs' link check working for anchors inside them.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from generator import clock
from generator.publishing import passthrough
from generator.publishing.passthrough import put_back, take_out

from .conftest import AS_OF, ROOT

BIG_ROWS = "".join(f'<tr id="row-{i}"><td>问题 {i}</td><td>{i}</td></tr>\n' for i in range(100))
TABLE = f"<table>\n<tbody>\n{BIG_ROWS}</tbody>\n</table>"


def _mkdocs(work: Path, config: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "SOURCE_DATE_EPOCH": str(clock.epoch_of(AS_OF)),
           "SITE_URL": "http://127.0.0.1/"}
    return subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-f", str(config)], cwd=work,
                          env=env, capture_output=True, text=True, check=False)


def _config(work: Path, site: str, hook: bool, extra_pages: tuple[str, ...] = ()) -> Path:
    text = (ROOT / "mkdocs.yml").read_text(encoding="utf-8").replace("site_dir: site", f"site_dir: {site}")
    text = text.replace("not_in_nav: |\n", "not_in_nav: |\n" + "".join(f"  /{page}\n" for page in extra_pages))
    if not hook:
        assert "  - overrides/hooks/passthrough.py" in text
        text = "\n".join(line for line in text.splitlines() if "hooks" not in line)
    path = work / f"{site}.yml"
    path.write_text(text, encoding="utf-8")
    return path


def _files(site: Path) -> dict[str, bytes]:
    return {p.relative_to(site).as_posix(): p.read_bytes() for p in sorted(site.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def work(sample_docs: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    work = tmp_path_factory.mktemp("passthrough")
    shutil.copytree(sample_docs, work / "docs")
    shutil.copytree(ROOT / "overrides", work / "overrides")
    shutil.copytree(ROOT / "docs" / "assets", work / "docs" / "assets", dirs_exist_ok=True,
                    ignore=shutil.ignore_patterns("vendor"))
    return work


def test_the_site_is_the_same_bytes_with_and_without_the_hook(work: Path) -> None:
    taken = sum(len(take_out(p.read_text(encoding="utf-8"))[1]) for p in (work / "docs").rglob("*.md"))
    assert taken >= 50, f"the hook would take only {taken} blocks out of the sample's pages"
    for site, hook in (("with-hook", True), ("without-hook", False)):
        done = _mkdocs(work, _config(work, site, hook))
        assert done.returncode == 0, done.stderr
    with_hook, without = _files(work / "with-hook"), _files(work / "without-hook")
    assert sorted(with_hook) == sorted(without)
    different = [name for name in with_hook if with_hook[name] != without[name]]
    assert different == [], f"{len(different)} files differ, e.g. {different[:3]}"


def test_a_link_to_an_anchor_inside_a_block_taken_out_still_passes_the_strict_link_check(work: Path) -> None:
    (work / "docs" / "anchors.md").write_text(f"# 表\n\n{TABLE}\n", encoding="utf-8")
    (work / "docs" / "linking.md").write_text("# 链接\n\n[第 7 行](anchors.md#row-7)\n\n[没有的行](anchors.md#row-700)\n",
                                              encoding="utf-8")
    try:
        done = _mkdocs(work, _config(work, "anchors-site", True, ("anchors.md", "linking.md")))
    finally:
        (work / "docs" / "anchors.md").unlink()
        (work / "docs" / "linking.md").unlink()
    # under --strict the one warning fails the build: the anchor that is not there, not the one in the block
    assert done.returncode != 0
    assert "anchors.md#row-700" in done.stderr and "anchors.md#row-7'" not in done.stderr, done.stderr
    assert done.stderr.count("contains a link") == 1, done.stderr


def test_only_blocks_markdown_copies_verbatim_are_taken_out() -> None:
    text, blocks = take_out(f"# 标题\n\n{TABLE}\n\n段落")
    assert blocks == [TABLE] and TABLE not in text and text.startswith("# 标题\n\n")
    assert put_back(f"<h1>标题</h1>\n{text.split(chr(10))[2]}\n<p>段落</p>", blocks).count("<tr ") == 100
    kept = [
        f"{TABLE} 后面还有 *Markdown*",  # text after the block on its last line
        f"{TABLE}\n<table><tr><td>第二个表</td></tr></table>",  # the first element closes before the chunk ends
        f"<p>{BIG_ROWS}</p>",  # not one of the block tags taken out
        f"<!-- 注释 -->\n{TABLE}",
        "<table><tr><td>小表</td></tr></table>",  # too small to matter
    ]
    for chunk in kept:
        assert take_out(f"# 标题\n\n{chunk}\n")[1] == [], chunk


def test_a_missing_placeholder_stops_the_build_instead_of_losing_the_block() -> None:
    _, blocks = take_out(f"# 标题\n\n{TABLE}\n\n段落")
    assert len(blocks) == 1
    with pytest.raises(RuntimeError):
        put_back("<p>别的内容</p>", blocks)
    assert passthrough.anchor_ids(blocks) >= {"row-0", "row-99"}
