"""Schema validation of one loaded document, with pydantic's errors turned into line-precise Chinese findings."""

from __future__ import annotations

import datetime as dt
import difflib
import re
import types
import typing
from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, ValidationError

from ..model.columns import PLACEHOLDER, TO_COMPLETE
from ..model.findings import Finding
from ..model.vocabulary import EntryType
from .yamlio import TAG_NAMES, Document, LoadError, Path_, dotted, spoken

_TYPE_WORDS = {
    "string_type": "文字",
    "int_type": "整数",
    "int_parsing": "整数",
    "int_from_float": "整数",
    "float_type": "数字",
    "float_parsing": "数字",
    "bool_type": "true 或 false",
    "date_type": "日期（YYYY-MM-DD）",
    "date_parsing": "日期（YYYY-MM-DD）",
    "date_from_datetime_inexact": "只有日期、不带时间的日期（YYYY-MM-DD）",
    "date_from_datetime_parsing": "日期（YYYY-MM-DD）",
    "list_type": "列表（每项一行，以“- ”开头）",
    "model_type": "“键: 值”结构",
    "model_attributes_type": "“键: 值”结构",
    "dict_type": "“键: 值”结构",
}
_RANGE = {"greater_than_equal": "不小于 {ge}", "less_than_equal": "不大于 {le}",
          "greater_than": "大于 {gt}", "less_than": "小于 {lt}"}
_PATTERN_WORDS = {
    "^[A-Z]{2,8}-\\d{4}-\\d{3,5}$": "“前缀-年份-序号”，如 STHJ-2025-001（前缀为大写字母，序号至少三位）",
    "^[a-z][a-z0-9]*(-[a-z0-9]+)*$": "英文小写字母、数字和连字符组成的编号，如 ecology-env",
    "^[A-Z]{2,8}$": "2 到 8 个大写英文字母，如 STHJ",
    "^DC-\\d{4}-\\d{3}$": "“DC-年份-序号”，如 DC-2025-001",
}


def check_model(document: Document, model: type[BaseModel],
                choices: Mapping[str, list[tuple[str, str]]] | None = None) -> tuple[BaseModel | None, list[Finding]]:
    """Validate a loaded document against a model; never raises for a user's mistake.

    `choices` names, per field, the registered (id, name) pairs a value must take the id of ("category" ->
    [("ecology", "生态环境"), …]), so that a name written where an id belongs is answered with the id."""
    if not isinstance(document.data, dict):
        found = "空文件" if document.data is None else _kind_of(document.data)
        return None, [Finding.make("E109", document.display, (1, 1),
                                   f"文件内容应当是“键: 值”结构，实际是{found}。")]
    try:
        validated = model.model_validate(document.data)
        errors: list[dict] = []
    except ValidationError as exc:
        validated = None
        errors = _without_misspelt_missing(model, exc.errors(include_url=False))
    findings = [_translate(document, model, e, choices or {}) for e in errors]
    markers = list(_placeholders(document, document.data, (), model))
    # a 待补充 in a date or an id is also the wrong type: the marker says better what to do
    marked = {f.field for f in markers if f.code == "E330"}
    findings = [f for f in findings if f.field not in marked] + markers
    if findings:
        return None, sorted(set(findings))
    return validated, []


def check_loaded(error: LoadError, model: type[BaseModel],
                 choices: Mapping[str, list[tuple[str, str]]] | None = None) -> list[Finding]:
    """What else is wrong with a file that did not load, beyond the findings that stopped it: one run of
    validate then lists every mistake, not one a run.

    A file whose values only were refused (an impossible date) is checked against the schema like any other,
    less what a refused value would be blamed for again (a date refused as impossible is not also "empty").
    A file that did not parse is read for what its values say by themselves: placeholders and dates.
    """
    document = error.salvaged
    if document is None:
        return []
    if not error.whole:
        return sorted(set(_values_alone(document, model, document.data, ())))
    _, findings = check_model(document, model, choices)
    refused = {f.field for f in error.findings if f.field}
    lines = {f.line for f in error.findings}
    return [f for f in findings if f.line not in lines and not any(_within(f.field, field) for field in refused)]


def _within(field: str, parent: str) -> bool:
    return field == parent or field.startswith((f"{parent}.", f"{parent}["))


def _values_alone(document: Document, model: type[BaseModel], value: Any, path: Path_):
    """Placeholders, and dates written another way than YYYY-MM-DD, in the values of a salvaged file."""
    if isinstance(value, str):
        yield from _placeholders(document, value, path, model)
        day = _loose_date(value)
        if day is not None and day != value.strip() and _field_at(model, document.data, path)[1] is dt.date:
            yield Finding.make("E206", document.display, document.locate(path),
                               f"{_named(model, document.data, path)}写的是 “{value.strip()}”：日期要写成 YYYY-MM-DD，"
                               f"月和日都写两位数，应写成 {day}。", dotted(path))
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _values_alone(document, model, item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _values_alone(document, model, item, (*path, index))


def _placeholders(document: Document, value: Any, path: Path_, model: type[BaseModel]):
    """E329 wherever the scaffold's placeholder text (请填写…) was left, E330 wherever the import's 待补充 was:
    either would be published as is."""
    if isinstance(value, str):
        if value.lstrip().startswith(PLACEHOLDER):
            yield Finding.make("E329", document.display, document.locate(path),
                               f"{_named(model, document.data, path)}还是模板里的提示文字“{value.strip()}”；"
                               "请换成实际内容。", dotted(path))
        elif value.strip().startswith(TO_COMPLETE):
            yield Finding.make("E330", document.display, document.locate(path),
                               f"{_named(model, document.data, path)}还是“{TO_COMPLETE}”："
                               "导入的表格里没有这一项或读不出来；请换成实际内容。", dotted(path))
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _placeholders(document, item, (*path, key), model)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _placeholders(document, item, (*path, index), model)


def _field_at(model: type[BaseModel], data: Any, path: Path_) -> tuple[Any, Any]:
    """(FieldInfo, plain type) of the field at a data path, following a log entry's `type` to its model;
    (None, None) where the path leaves the schema."""
    annotation: Any = model
    field_info = None
    for step in path:
        annotation = _unwrap(annotation)
        if isinstance(annotation, list):  # a discriminated union: the entry's own `type` picks the member
            kind = data.get("type") if isinstance(data, dict) else None
            annotation = next((m for m in annotation
                               if typing.get_args(m.model_fields["type"].annotation)[0] == kind), None)
        if isinstance(annotation, type) and issubclass(annotation, BaseModel) and isinstance(step, str):
            field_info = annotation.model_fields.get(step)
            annotation = field_info.annotation if field_info is not None else None
        elif typing.get_origin(annotation) is list and isinstance(step, int):
            annotation = typing.get_args(annotation)[0]
        else:
            return None, None
        data = data.get(step) if isinstance(data, dict) else (
            data[step] if isinstance(data, list) and isinstance(step, int) and step < len(data) else None)
    return field_info, _unwrap(annotation)


def _named(model: type[BaseModel], data: Any, path: Path_) -> str:
    """A field as a clerk knows it: its Chinese title with the key written in the file, and where it is,
    as in 工作专班（team）, log 第 2 条的本次完成的工作（summary）, 整改措施（measures）第 1 项."""
    last = max((i for i, step in enumerate(path) if isinstance(step, str)), default=None)
    field_info, _ = _field_at(model, data, path[:last + 1]) if last is not None else (None, None)
    if last is None or field_info is None or not field_info.title:
        return spoken(path)
    head = f"{spoken(path[:last])}的" if last else ""
    tail = "".join(f" 第 {step + 1} 项" for step in path[last + 1:])
    return f"{head}{field_info.title}（{path[last]}）{tail}"


def _misspelt_type_key(document: Document, path: Path_) -> str | None:
    """The key of a log entry that looks like a misspelt `type` (typ, tpye, Type), if there is one."""
    entry: Any = document.data
    for step in path:
        try:
            entry = entry[step]
        except (KeyError, IndexError, TypeError):
            return None
    if not isinstance(entry, dict):
        return None
    keys = [key for key in entry if isinstance(key, str) and key != "type"]
    guess = difflib.get_close_matches("type", keys, n=1, cutoff=0.6)
    if guess:
        return guess[0]
    return next((key for key in keys if key.strip().lower() == "type"), None)


def _suggestion(path: Path_, allowed: list[str] | None) -> str | None:
    guess = difflib.get_close_matches(str(path[-1]), allowed or [], n=1, cutoff=0.6)
    return guess[0] if guess else None


def _without_misspelt_missing(model: type[BaseModel], errors: list[dict]) -> list[dict]:
    """A misspelt key is one mistake: keep "did you mean `summary`?" and drop "`summary` is missing"."""
    meant = set()
    for error in errors:
        if error["type"] == "extra_forbidden":
            path, _, allowed = _resolve(model, error["loc"])
            guess = _suggestion(path, allowed)
            if guess is not None:
                meant.add((*path[:-1], guess))
    if not meant:
        return errors
    return [e for e in errors if not (e["type"] == "missing" and _resolve(model, e["loc"])[0] in meant)]


def translate(document: Document, model: type[BaseModel], error: dict,
              choices: Mapping[str, list[tuple[str, str]]] | None = None) -> Finding:
    """One pydantic error as a finding on its line, in the clerk's words; `error["loc"]` runs from the model's
    root (rules that validate a part of a document on their own give the whole path)."""
    return _translate(document, model, error, choices or {})


def _translate(document: Document, model: type[BaseModel], error: dict,
               choices: Mapping[str, list[tuple[str, str]]]) -> Finding:
    kind = error["type"]
    path, field_info, union_keys = _resolve(model, error["loc"])
    field = dotted(path)
    name = spoken(path)
    described = f"（{field_info.description}）" if field_info is not None and field_info.description else ""
    found = _found(document, path, error.get("input"))

    def at(code: str, message: str, key: bool = False) -> Finding:
        return Finding.make(code, document.display, document.locate(path, key=key), message, field)

    if kind == "missing":
        return at("E201", f"{name}是必填字段，但没有填写{described}。")
    if kind == "extra_forbidden":
        guess = _suggestion(path, union_keys)
        hint = f"你是否想写“{guess}”？" if guess else f"这一层可用的字段有：{'、'.join(union_keys or [])}。"
        return at("E202", f"格式中没有{name}这个键。{hint}", key=True)
    if kind in ("literal_error", "enum", "union_tag_invalid"):
        expected = error.get("ctx", {}).get("expected", "")
        if kind == "union_tag_invalid":
            expected = error.get("ctx", {}).get("expected_tags", "")
            field = dotted((*path, "type"))
            name = spoken((*path, "type"))
            found = _found(document, (*path, "type"), error.get("ctx", {}).get("tag"))
            path = (*path, "type")
            described = ""  # the description of `log` would not explain an entry type
        return at("E204", f"{name}的取值是 {found}，可选值为 {_choices(expected)}{described}。")
    if kind == "union_tag_not_found":
        misspelt = _misspelt_type_key(document, path)
        if misspelt is not None:
            path = (*path, misspelt)
            return Finding.make("E202", document.display, document.locate(path, key=True),
                                f"格式中没有{spoken(path)}这个键。你是否想写“type”？", dotted(path))
        return at("E201", f"{name}缺少“type”：请写明条目类型，可选 {'、'.join(EntryType)}。")
    if kind in _RANGE:
        bound = _RANGE[kind].format(**error.get("ctx", {}))
        return at("E205", f"{name}的取值是 {found}，应当{bound}{described}。")
    if kind == "finite_number":
        return at("E205", f"{name}的取值是 {found}，应当是一个具体的数字（不能是无穷大或非数字）{described}。")
    if kind in ("string_too_short", "too_short"):
        return at("E207", f"{name}不能为空{described}。")
    last_key = next((step for step in reversed(path) if isinstance(step, str)), "")
    if kind == "string_pattern_mismatch" and choices.get(last_key):
        written = str(error.get("input", "")).strip()
        meant = [key for key, label in choices[last_key] if label == written]
        listed = "、".join(f"{key}（{label}）" for key, label in choices[last_key])
        if meant:
            return at("E206", f"{name}写的是名称 {found}；这里要写它的编号 {meant[0]}。")
        return at("E206", f"{name}的取值是 {found}；这里要写编号，可选：{listed}。")
    if kind == "string_pattern_mismatch":
        pattern = error.get("ctx", {}).get("pattern", "")
        return at("E206", f"{name}的取值是 {found}，格式应为{_PATTERN_WORDS.get(pattern, pattern)}。")
    if kind == "string_too_long":
        return at("E206", f"{name}的取值 {found} 太长，最多 {error['ctx'].get('max_length')} 个字符。")
    if kind in _TYPE_WORDS:
        node = document.scalar_at(path)
        plain = node is not None and not node.style  # libyaml reports a plain scalar's style as ""
        if error.get("input") is None:
            return at("E207", f"{name}没有填写内容{described}。")
        if kind in ("int_type", "float_type") and plain and node.tag.endswith((":int", ":float")):
            # yamlio keeps a non-decimal number (050, 1:05, 0x19, 2_5) as the text written
            return at("E203", f"{name}写的是 {found}：台账里的数字只能用普通的十进制写法，如 {_decimal_hint(node.value)}；"
                              "不要写前导 0、下划线、冒号或 0x（YAML 会把它读成别的数）。")
        if kind.startswith("date") and isinstance(error.get("input"), str):
            day = _loose_date(error["input"])
            if day is not None:
                return at("E206", f"{name}写的是 {found}：日期要写成 YYYY-MM-DD，月和日都写两位数，应写成 {day}。")
        if kind == "string_type" and plain and node.tag in TAG_NAMES:
            return at("E108", f"{name}需要文字，但未加引号的 {node.value} 会被 YAML 读作{TAG_NAMES[node.tag]}；"
                              f"请加引号写成 \"{node.value}\"。")
        return at("E203", f"{name}应为{_TYPE_WORDS[kind]}，实际写的是 {found}{described}。")
    return at("E203", f"{name}的取值 {found} 不符合要求{described}。")


def _resolve(model: type[BaseModel], loc: tuple) -> tuple[Path_, Any, list[str] | None]:
    """Follow pydantic's error location through the models and the data.

    Returns the data path (without the union tags pydantic inserts), the FieldInfo of the last field,
    and the keys allowed at the parent (for suggestions on a misspelt key).
    """
    annotation: Any = model
    path: list[str | int] = []
    field_info = None
    allowed: list[str] | None = None
    for step in loc:
        annotation = _unwrap(annotation)
        if isinstance(annotation, list):  # discriminated union: the tag names the member
            members = {typing.get_args(m.model_fields["type"].annotation)[0]: m for m in annotation}
            if step in members:
                annotation = members[step]
                continue
            annotation = None
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            allowed = list(annotation.model_fields)
            field_info = annotation.model_fields.get(step) if isinstance(step, str) else None
            annotation = field_info.annotation if field_info is not None else None
            path.append(step)
            continue
        origin = typing.get_origin(annotation)
        if origin is list and isinstance(step, int):
            annotation = typing.get_args(annotation)[0]
            path.append(step)
            continue
        path.append(step)
        annotation = None
    return tuple(path), field_info, allowed


def _unwrap(annotation: Any) -> Any:
    """Strip Annotated and Optional; a union of models becomes the list of its members."""
    while True:
        origin = typing.get_origin(annotation)
        if origin is typing.Annotated:
            annotation = typing.get_args(annotation)[0]
        elif origin in (typing.Union, types.UnionType):
            members = [a for a in typing.get_args(annotation) if a is not type(None)]
            if len(members) == 1:
                annotation = members[0]
            elif all(isinstance(m, type) and issubclass(m, BaseModel) for m in members):
                return members
            else:
                return annotation
        else:
            return annotation


_LOOSE_DATE = re.compile(r"^\s*(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?\s*$")


def _loose_date(text: str) -> str | None:
    """2027-3-31, 2027/3/31, 2027.3.31 or 2027年3月31日 as the date it means, written YYYY-MM-DD."""
    match = _LOOSE_DATE.match(text)
    if match is None:
        return None
    try:
        return dt.date(int(match[1]), int(match[2]), int(match[3])).isoformat()
    except ValueError:
        return None


def _decimal_hint(text: str) -> str:
    """The decimal a clerk most likely meant: 050 -> 50, 2_5 -> 25; else an example."""
    digits = text.replace("_", "").lstrip("+")
    return str(int(digits)) if digits.isdigit() else "50"


def _found(document: Document, path: Path_, value: Any) -> str:
    node = document.scalar_at(path)
    if node is not None:
        return f"“{_cut(node.value)}”" if node.value != "" else "空值"
    return _kind_of(value)


def _cut(text: str, limit: int = 40) -> str:
    """An echoed value, short enough to read in a one-line message."""
    return text if len(text) <= limit else text[:limit] + "…"


def _kind_of(value: Any) -> str:
    if value is None:
        return "空值"
    if isinstance(value, list):
        return "一个列表"
    if isinstance(value, dict):
        return "一组“键: 值”"
    if isinstance(value, dt.date):
        return f"“{value.isoformat()}”"
    return f"“{value}”"


def _choices(expected: str) -> str:
    """pydantic's "'a', 'b' or 'c'" as "a、b、c"."""
    return "、".join(part.strip(" '") for part in expected.replace(" or ", ",").split(",") if part.strip(" '"))

