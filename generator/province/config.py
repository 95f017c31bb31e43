"""province.yml: the province, its cities and where each publishes, declared once and validated strictly.

The file is read with the project's one YAML reader (loading/yamlio) and checked against the models below with
the ledgers' own schema check (loading/schemacheck), so a mistake comes back as the ledgers' do: file, line,
field, what was written and what is expected, in Chinese. The rules that span fields (a city given either an
address or a folder, ids and addresses written once, department types declared before they are used, a chain
head that is a SHA-256) are checked here, after the schema, with the same findings.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field

from ..loading.schemacheck import check_loaded, check_model
from ..loading.yamlio import Document, LoadError, read_document
from ..model.findings import Finding
from ..model.schema import Slug, Text

CONFIG = "province.yml"
SHA256 = re.compile(r"^[0-9a-f]{64}$")
ADDRESS_SCHEMES = ("https", "http", "file")  # http and file: an intranet portal, a local trial


class _Entry(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class DepartmentType(_Entry):
    """省级部门类型：各市职能相同的部门归为一类，全省按类汇总。"""

    id: Slug = Field(description="部门类型编号（英文小写字母、数字和连字符），如 ecology")
    name: Text = Field(description="部门类型名称，如“生态环境部门”")


class City(_Entry):
    """一个城市：它的门户在哪里发布，省里记录的快照链头。"""

    id: Slug = Field(description="城市编号（英文小写字母、数字和连字符），如 jiazhou；省级门户的地址里用它")
    name: Text = Field(description="城市名称，如“甲州市”")
    url: Text | None = Field(None, description="该市门户发布的网址（https://…/，以 / 结尾）：从这里读取公开数据，"
                                                "问题的链接也指向这里")
    folder: Text | None = Field(None, description="本地文件夹：该市门户生成好的站点（相对 province.yml 所在的文件夹）；"
                                                   "给出时从这里读取，不再访问网址")
    head: Text = Field(description="省里记录的快照链头：该市最新一份周快照的 SHA-256（64 位十六进制数），"
                                   "见该市门户的 data/snapshots/SHA256SUMS 最后一行")
    departments: dict[Slug, Slug] = Field(default_factory=dict,
                                          description="该市部门编号对应的省级部门类型编号（可选），如 dept-001: ecology")


class ProvinceConfig(_Entry):
    """省级门户的设置：省名、部门类型和各市。"""

    province: Text = Field(description="省的名称，如“某某省”")
    title: Text | None = Field(None, description="门户标题（可选），默认“省名 + 问题整改公示”")
    site_url: Text | None = Field(None, description="省级门户发布的网址（可选，https://…/）")
    department_types: list[DepartmentType] = Field(default_factory=list,
                                                   description="省级部门类型（可选）：各市的部门按类型汇总")
    cities: list[City] = Field(min_length=1, description="各市：编号、名称、门户网址或文件夹、快照链头")

    @property
    def portal_title(self) -> str:
        return self.title or f"{self.province}问题整改公示"

    def city(self, city_id: str) -> City | None:
        return next((c for c in self.cities if c.id == city_id), None)


class ConfigError(Exception):
    """province.yml cannot be used; `findings` says every reason, on its line."""

    def __init__(self, findings: list[Finding]):
        super().__init__(findings[0].message if findings else "province.yml")
        self.findings = findings

    def lines(self) -> list[str]:
        """Each finding as `validate` prints one, then what to do."""
        return [*(f"{f.file}:{f.line}:{f.column}: {f.code} {f.title}：{f.message}" for f in self.findings),
                f"{CONFIG} 有 {len(self.findings)} 处错误，省级门户没有生成。"]


def read_config(path: Path) -> ProvinceConfig:
    """The validated province.yml at `path`; raises ConfigError with every finding."""
    display = path.name
    if not path.is_file():
        raise ConfigError([Finding.make("E320", display, (1, 1), f"找不到省级门户的设置文件 {path}。")])
    try:
        document = read_document(path, display)
    except LoadError as exc:
        raise ConfigError(sorted(set(exc.findings + check_loaded(exc, ProvinceConfig)))) from None
    config, findings = check_model(document, ProvinceConfig)
    findings = sorted(set(findings + rules(document)))
    if findings or config is None:
        raise ConfigError(findings)
    return config


def rules(document: Document) -> list[Finding]:
    """The rules across fields, each finding on the line of the value to fix. They read the document as written,
    so that they report alongside the schema's findings, not after them."""
    out: list[Finding] = []
    data = document.data if isinstance(document.data, dict) else {}

    def at(code: str, path: tuple, message: str, key: bool = False) -> None:
        field = ".".join(str(step) if isinstance(step, str) else f"[{step}]" for step in path).replace(".[", "[")
        out.append(Finding.make(code, document.display, document.locate(path, key=key), message, field))

    def items(key: str) -> list[tuple[int, dict]]:
        value = data.get(key)
        return [(i, item) for i, item in enumerate(value) if isinstance(item, dict)] if isinstance(value, list) else []

    types: set[str] = set()
    for i, kind in items("department_types"):
        if kind.get("id") in types:
            at("E303", ("department_types", i, "id"), f"部门类型编号 {kind.get('id')} 重复出现；每个部门类型只写一次。")
        types.add(kind.get("id"))
    seen: dict[str, set] = {"id": set(), "name": set(), "url": set()}
    for i, city in items("cities"):
        city_id, name, url, head = (city.get(k) for k in ("id", "name", "url", "head"))
        if city_id in seen["id"]:
            at("E303", ("cities", i, "id"), f"城市编号 {city_id} 重复出现；每个城市只写一次。")
        if name in seen["name"]:
            at("E327", ("cities", i, "name"), f"城市名称“{name}”重复出现；每个城市的名称应当不同。")
        seen["id"].add(city_id)
        seen["name"].add(name)
        if url is None and city.get("folder") is None:
            at("E201", ("cities", i), f"城市 {city_id} 既没有写 url（门户网址）也没有写 folder（本地文件夹）；"
                                      "至少写一项，省里才能读取它发布的数据。", key=True)
        if isinstance(url, str):
            parts = urlsplit(url)
            if parts.scheme not in ADDRESS_SCHEMES or (parts.scheme != "file" and not parts.netloc):
                at("E206", ("cities", i, "url"), f"url 写的是“{url}”，应为该市门户的完整网址，"
                                                 "如 https://zhenggai.jiazhou.gov.cn/。")
            elif not url.endswith("/"):
                at("E206", ("cities", i, "url"), f"url 写的是“{url}”，应以 / 结尾（门户首页的网址），如 {url}/。")
            elif url in seen["url"]:
                at("E303", ("cities", i, "url"), f"url “{url}”已写给了另一个城市；每个城市的门户网址不同。")
            seen["url"].add(url)
        if isinstance(head, str) and not SHA256.match(head.strip()):
            at("E206", ("cities", i, "head"), f"head 写的是“{head[:80]}”，应为 64 位小写十六进制数"
                                              "（该市 data/snapshots/SHA256SUMS 里某一行开头的 SHA-256）。")
        departments = city.get("departments")
        for department, kind in (departments.items() if isinstance(departments, dict) else ()):
            if isinstance(kind, str) and kind not in types:
                listed = "、".join(sorted(t for t in types if isinstance(t, str))) or "（department_types 里还没有登记任何部门类型）"
                at("E204", ("cities", i, "departments", department),
                   f"部门 {department} 对应的部门类型是 {kind}，但 department_types 里没有它；可选：{listed}。")
    return out


def folder_of(config_path: Path, city: City) -> Path | None:
    """A city's local folder, relative to the folder of province.yml."""
    return None if city.folder is None else (config_path.parent / city.folder).resolve()
