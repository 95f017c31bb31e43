"""CONTRIBUTING.md: the clerk's guide to pull requests, rendered from the filing guide's own section.

The platforms link CONTRIBUTING.md from every new pull request; the portal's filing guide includes the same
template, so the two cannot drift (tests/test_workflows.py compares the committed file). Regenerate it with
`make contributing` (python -m generator.rendering.contributing).
"""

from __future__ import annotations

from pathlib import Path

from ..loading import layout
from .markup import environment

HEADER = """<!-- 由 generator/rendering/templates/_pull_requests.md.j2 生成（make contributing），请改模板，不要直接改本文件。 -->
# 参与填报

本仓库是各部门问题整改台账的存放处，门户根据它生成。下面是通过拉取请求修改台账的方法；
字段说明、“八步走”步骤、部门前缀和全部校验代码见门户页脚的“填报指南”。

"""


def contributing_text() -> str:
    section = environment().get_template("_pull_requests.md.j2").render(layout=layout)
    return HEADER + section.lstrip("\n")


if __name__ == "__main__":
    target = Path("CONTRIBUTING.md")
    target.write_text(contributing_text(), encoding="utf-8")
    print(f"已写入 {target}")
