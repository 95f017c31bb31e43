"""数据下载: the open data (CSV, Excel, JSON), the finder's index, the schemas, and the page that lists them."""

from __future__ import annotations

from collections.abc import Collection, Iterator

from ...derivation.site import Part, Site
from ...model.jsonschema import render_schema
from ...model.schema import SCHEMAS
from .. import datafiles, urls
from ..outputs import File, Output, Page, human_size
from .family import INDEX, Family, Per

DOWNLOADS = (
    ("problems.csv", "CSV", "全部问题，一行一个问题（Excel 可直接打开）", datafiles.problems_csv),
    ("problems.xlsx", "Excel", "汇总表、每个部门一张台账（状态、亮灯着色）、工作记录和节点；与专班办公室导出的台账表格相同，填写后可再导入台账",
     datafiles.problems_xlsx),
    ("template.xlsx", "Excel", "空白台账模板：按这些表头填写的表格可由专班办公室直接导入台账（含填写说明）",
     datafiles.template_xlsx),
    ("problems.json", "JSON", "全部问题的完整台账（含工作记录）和计算出的状态、亮灯", datafiles.problems_json),
)

# What each schema describes, in the public's words: the models' own descriptions (which the editors' schemas
# carry) name the ledger's files, which the public pages leave to the filing guide.
SCHEMA_DESCRIPTIONS = {
    "problem": "问题台账：每个问题一份，含整改目标、措施、责任人、节点和工作记录。",
    "portal": "门户设置：门户的基本信息、问题类别、八步走步骤和亮灯阈值，由专班办公室维护。",
    "departments": "部门登记表：牵头部门和责任单位，由专班办公室维护。",
    "indicators": "工作指标（可选）：首页展示的工作指标。",
    "inspection": "督查记录：一旬一督查、明察暗访、约谈提醒、表扬与批评，每条一份。",
}


def outputs(site: Site, keys: Collection[str] | None) -> Iterator[Output]:
    if keys is not None and INDEX not in keys:
        return
    c = site.campaign
    listed = []
    for name, kind, description, make in DOWNLOADS:
        data = make(c)
        yield File(urls.data(name), data)
        listed.append({"name": name, "path": urls.data(name), "format": kind, "size": human_size(len(data)),
                       "description": description})
    yield File(urls.data("finder.json"), datafiles.finder_index(c))
    schemas = []
    for name in SCHEMAS:
        data = render_schema(name).encode("utf-8")
        path = urls.data(f"schema/{name}.schema.json")
        yield File(path, data)
        schemas.append({"name": f"{name}.schema.json", "path": path, "size": human_size(len(data)),
                        "description": SCHEMA_DESCRIPTIONS[name]})
    yield Page(urls.DOWNLOADS, "downloads.md.j2", "数据下载",
               {"files": listed, "schemas": schemas, "total": len(c.rows), "departments": c.departments},
               hide=(), searchable=True)


FAMILY = Family("data", Per.SITE, frozenset({Part.PROBLEMS, Part.DEPARTMENTS, Part.CONFIG, Part.INSPECTIONS}),
                outputs)
