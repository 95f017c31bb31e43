"""CONTRIBUTING.md: the clerk's guide to pull requests, the field reference and the codes, rendered from the
filing guide's own sections.

The platforms link CONTRIBUTING.md from every new pull request; the portal's filing guide includes the same
template, so the two cannot drift (tests/test_workflows.py compares the committed file). Regenerate it with
`make contributing` (python -m generator.rendering.contributing).
"""

from __future__ import annotations

from pathlib import Path

from ..loading import layout
from ..model.findings import CODES
from .markup import environment
from .reference import field_reference

HEADER = """<!-- 由 generator/rendering/templates/_pull_requests.md.j2 生成（make contributing），请改模板，不要直接改本文件。 -->
# 参与填报

本仓库是各部门问题整改台账的存放处，门户根据它生成。下面是通过拉取请求修改台账的方法、每个字段的含义
（由台账格式定义生成）和全部校验代码；“八步走”步骤、问题类别和部门前缀见门户页脚的“填报指南”。

"""


def contributing_text() -> str:
    env = environment()
    guide = env.get_template("_pull_requests.md.j2").render(layout=layout)
    reference = env.get_template("_reference.md.j2").render(reference=field_reference(), codes=list(CODES.values()))
    return HEADER + guide.lstrip("\n") + "\n" + reference.lstrip("\n")


if __name__ == "__main__":
    target = Path("CONTRIBUTING.md")
    target.write_text(contributing_text(), encoding="utf-8")
    print(f"已写入 {target}")
