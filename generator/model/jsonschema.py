"""JSON Schemas for editors (VS Code's YAML extension), generated from the pydantic models.

The editor (npm `yaml-language-server`) reads a ledger as YAML 1.2 and checks it against these schemas
while a clerk types; `rectify validate` reads it with the YAML 1.1 rules of generator/loading/yamlio.py.
`EditorSchema` makes the schema as strict as the validator wherever JSON Schema can say it, and labels
every key and every enumeration value in Chinese, the labels taken from model/vocabulary.py:

- a date is a string with a `pattern` that accepts only days on the Gregorian calendar (2027-02-30 and
  2026-02-29 fail; 2028-02-29 passes), written YYYY-MM-DD with two digits each (no `format: date`: the
  language server's own check of it would repeat the pattern's finding in English);
- a text must hold a visible character (`pattern: \\S`): the validator strips spaces before it counts;
- a number that may not be infinite has a `maximum` (YAML's `.inf` fails it);
- a log entry offers `type` first and, once it is written, only the keys of that entry type
  (`if`/`then` per type: the language server ignores OpenAPI's `discriminator`).

What JSON Schema cannot say, because it sees values, not how they were written:

- `team: yes` (or on, no, off, y, n, 2025-01-01) is a string in YAML 1.2, the same string as the
  quoted "yes" that the validator accepts; rejecting it would reject the quoted form too (E108 is
  caught only where YAML 1.2 reads a number: `title: 1.10`, `- 2025`);
- `percent: 25.0` is the number 25 to a JSON Schema validator (`type: integer` accepts it in
  `jsonschema` and in the language server, which tests `Number.isInteger`; `multipleOf: 1` does too);
- `.nan` passes every numeric bound, since every comparison with NaN is false.

And one the other way round: the editor flags a date with a midnight time (`2027-06-30 00:00:00`),
which the validator takes as that day; the guide asks for YYYY-MM-DD, so the schema does too.

`speak_as_the_validator` then makes every message the editor shows the validator's: its code, its title and
a Chinese sentence ("E201 缺少必填字段：“percent”（完成百分比）是必填字段，但没有填写。"). The language
server takes a node's one `errorMessage` for whatever fails there (type, required, extra key, enum, const)
and `patternErrorMessage` for a pattern, and prints minimum, maximum, minLength, maxLength and minItems in
English whatever the schema says. So each check that needs its own message gets a node of its own: every
required key an `allOf` item, the type of an object another; ranges, lengths and empty lists become
`if` (the value breaks the rule) / `then` (a node that fails with the message); a field that may be left
empty is one node with `type: [T, "null"]`, since `anyOf` merges its branches' messages back into English;
an enumeration is an `enum` with `enumDescriptions` (the labels completion shows), and its `oneOf` of
labelled `const`s would be rewritten the same way. A key that is not allowed while the object lacks a
required one is, to the validator, the misspelling of it: the required keys are asked for only when every
key is known, so the editor, like `rectify validate`, says "no such key" once and not "missing" as well.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pydantic.json_schema import GenerateJsonSchema, JsonSchemaValue
from pydantic_core import core_schema

from .findings import CODES
from .schema import SCHEMAS
from .vocabulary import VOCABULARIES, Term

SCHEMA_DIR = "schema"

# A day of the Gregorian calendar as YYYY-MM-DD: days 01-28 in any month, 29-30 in all but February,
# 31 in the long months, and 02-29 in leap years (divisible by 4, centuries only when divisible by 400).
DATE_PATTERN = (
    r"^(?:\d{4}-(?:(?:0[13578]|1[02])-(?:0[1-9]|[12]\d|3[01])|(?:0[469]|11)-(?:0[1-9]|[12]\d|30)"
    r"|02-(?:0[1-9]|1\d|2[0-8]))"
    r"|(?:\d{2}(?:0[48]|[2468][048]|[13579][26])|(?:[02468][048]|[13579][26])00)-02-29)$"
)
LARGEST_FLOAT = 1.7976931348623157e308
# What the validator reads as a date written loosely (2027-3-31, 2027/3/31, 2027年3月31日): schemacheck's _LOOSE_DATE
LOOSE_DATE = r"\s*\d{4}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}\s*日?\s*"


def term_choices(vocabulary: type[Term]) -> list[dict[str, str]]:
    """One `const` per value with its Chinese label: completion and hover show them."""
    return [{"const": term.value, "title": term.label, "description": f"写作 {term.value}，表示“{term.label}”"}
            for term in vocabulary]


def _vocabulary_of(values: set[str]) -> type[Term] | None:
    return next((v for v in VOCABULARIES if {t.value for t in v} == values), None)


class EditorSchema(GenerateJsonSchema):
    """pydantic's JSON Schema, with what an editor needs to agree with `rectify validate`."""

    def date_schema(self, schema: core_schema.DateSchema) -> JsonSchemaValue:
        return {"type": "string", "pattern": DATE_PATTERN}  # worded by _speak_field: E203, E206 or E107

    def str_schema(self, schema: core_schema.StringSchema) -> JsonSchemaValue:
        json_schema = super().str_schema(schema)
        if schema.get("strip_whitespace") and schema.get("min_length") and "pattern" not in json_schema:
            json_schema.update(pattern=r"\S")  # worded by _speak_field: E207
        return json_schema

    def float_schema(self, schema: core_schema.FloatSchema) -> JsonSchemaValue:
        json_schema = super().float_schema(schema)
        if schema.get("allow_inf_nan") is False and "maximum" not in json_schema:
            json_schema["maximum"] = LARGEST_FLOAT
        return json_schema

    def enum_schema(self, schema: core_schema.EnumSchema) -> JsonSchemaValue:
        vocabulary = schema["cls"]
        if not issubclass(vocabulary, Term):
            return super().enum_schema(schema)
        # The field that uses the enumeration carries its title and description; the class name and
        # docstring are English notes for programmers.
        return {"type": "string", "oneOf": term_choices(vocabulary)}

    def tagged_union_schema(self, schema: core_schema.TaggedUnionSchema) -> JsonSchemaValue:
        """Entries told apart by `type`: one `if`/`then` per type, so the editor narrows the keys it offers."""
        tag = schema["discriminator"]
        vocabulary = _vocabulary_of({str(k) for k in schema["choices"]}) if isinstance(tag, str) else None
        if vocabulary is None:
            return super().tagged_union_schema(schema)
        # `type: object` in the condition: properties and required hold vacuously for the empty item of a
        # new `- `, and the language server would then offer the keys of every branch.
        branches = [{"if": {"type": "object", "properties": {tag: {"const": str(value)}}, "required": [tag]},
                     "then": self.generate_inner(choice)}
                    for value, choice in schema["choices"].items()]
        return {
            "type": "object",
            "title": "工作记录",
            "description": f"先写 {tag} 选定条目类型（{vocabulary.choices()}），编辑器随后只提示该类型的字段",
            "properties": {tag: {"type": "string", "title": "条目类型", "description": f"条目类型：{vocabulary.choices()}",
                                 "oneOf": term_choices(vocabulary)}},
            "required": [tag],
            "allOf": branches,
        }


def said(code: str, message: str) -> str:
    """A message as `rectify validate` prints it after the place: code, the code's title, the sentence."""
    return f"{code} {CODES[code].title}：{message}"


def _refused(rule: dict[str, Any], message: str) -> dict[str, Any]:
    """A check the language server would word in English, as a condition and a node that fails with `message`."""
    return {"if": rule, "then": {"enum": [], "errorMessage": message}}


def _named(key: str, field: dict[str, Any]) -> str:
    title = field.get("title")
    return f"“{key}”（{title}）" if title else f"“{key}”"


def _speak_field(field: dict[str, Any], name: str, defs: dict[str, Any]) -> dict[str, Any]:
    """One value's checks, each with the validator's code and words."""
    if "$ref" in field:
        target = defs[field["$ref"].rsplit("/", 1)[-1]]
        if "enum" not in target:
            return field  # a model: its own checks speak for it
        field = {**target, **{k: v for k, v in field.items() if k != "$ref"}}
    options = field.get("anyOf")
    if options and len(options) == 2 and {"type": "null"} in options:
        value = next(o for o in options if o != {"type": "null"})
        if "type" in value and "$ref" not in value:  # may be left empty: one node, so the message stays ours
            field = {**{k: v for k, v in field.items() if k != "anyOf"}, **value, "type": [value["type"], "null"]}
            if field.get("default", "") is None:
                del field["default"]  # completion would write the default null into a string (and fail doing it)
    kind = _as_list(field.get("type"))[0]
    kinds: list[str] = []  # the types let through to the checks that word them (E108, E207)
    checks: list[dict[str, Any]] = []
    if "enum" in field:
        listed = "、".join(f"{value}（{label}）" for value, label in zip(field["enum"], field["enumDescriptions"],
                                                                         strict=True))
        field["errorMessage"] = said("E204", f"{name}的取值不在可选范围内，可选值为 {listed}。")
        return field
    if kind == "string":
        field["errorMessage"] = said("E203", f"{name}应当是文字。")
        if field.get("pattern") == r"\S":
            field.pop("minLength", None)  # `\S` says it, with a message the server does not put in English
            field["patternErrorMessage"] = said("E207", f"{name}不能为空，也不能只有空格。")
        elif field.get("pattern") == DATE_PATTERN:
            # the validator's three words for a date: not a date (E203), a date written loosely (E206), no such day (E107)
            field["pattern"] = f"^{LOOSE_DATE}$"
            field["patternErrorMessage"] = said("E203", f"{name}应当是日期（YYYY-MM-DD），如 2027-06-30。")
            checks.append({"pattern": f"^(?!{LOOSE_DATE}$)|^\\d{{4}}-\\d{{2}}-\\d{{2}}$", "patternErrorMessage": said(
                "E206", f"{name}的日期要写成 YYYY-MM-DD，月和日都写两位数，如 2027-06-30。")})
            checks.append({"pattern": f"^(?!\\d{{4}}-\\d{{2}}-\\d{{2}}$)|{DATE_PATTERN}",
                           "patternErrorMessage": said("E107", f"{name}不是日历上存在的日期。")})
            field["errorMessage"] = said("E203", f"{name}应当是日期（YYYY-MM-DD）。")
        elif "pattern" in field:
            field["patternErrorMessage"] = said("E206", f"{name}的格式不对（见悬停说明）。")
        if "maxLength" in field:
            longest = field.pop("maxLength")
            checks.append(_refused({"type": "string", "minLength": longest + 1},
                                   said("E206", f"{name}太长，最多 {longest} 个字符。")))
        if field.pop("minLength", None):
            checks.append(_refused({"type": "string", "maxLength": 0}, said("E207", f"{name}不能为空。")))
        if field.get("pattern") != f"^{LOOSE_DATE}$":
            # unquoted 1.10, on, no: YAML reads a number or a yes/no where text belongs
            kinds = [*_as_list(field["type"]), "number", "boolean"]
            checks.append(_refused({"type": ["number", "boolean"]}, said(
                "E108", f"{name}需要文字，但未加引号的值会被 YAML 读作数字或是/否；请加引号。")))
    elif kind in ("integer", "number"):
        field["errorMessage"] = said("E203", f"{name}应当是{'整数' if kind == 'integer' else '数字'}。")
        bounds = {k: field.pop(k) for k in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum") if k in field}
        if bounds.get("maximum") == LARGEST_FLOAT:
            del bounds["maximum"]
            checks.append(_refused({"type": "number", "minimum": LARGEST_FLOAT},
                                   said("E205", f"{name}应当是一个具体的数字（不能是无穷大或非数字）。")))
        if bounds:
            words = {"minimum": "不小于 {}", "maximum": "不大于 {}", "exclusiveMinimum": "大于 {}",
                     "exclusiveMaximum": "小于 {}"}
            wanted = "、".join(words[k].format(v) for k, v in bounds.items())
            checks.append(_refused({"type": "number", "not": bounds}, said("E205", f"{name}应当{wanted}。")))
    elif kind == "array":
        field["errorMessage"] = said("E203", f"{name}应当是列表（每项一行，以“- ”开头）。")
        if field.pop("minItems", None):
            checks.append(_refused({"type": "array", "maxItems": 0}, said("E207", f"{name}不能为空。")))
        if isinstance(field.get("items"), dict):
            field["items"] = _speak_field(field["items"], f"{name}的每一项", defs)
    if kind in ("string", "integer", "number", "array") and "null" not in _as_list(field["type"]):
        kinds = [*kinds, "null"] if kinds else [*_as_list(field["type"]), "null"]
        checks.append(_refused({"type": "null"}, said("E207", f"{name}没有填写内容。")))
    if kinds:
        field["type"] = kinds
    if checks:
        field["allOf"] = [*field.get("allOf", []), *checks]
    return field


def _as_list(kinds: str | list[str]) -> list[str]:
    return list(kinds) if isinstance(kinds, list) else [kinds]


def _speak_object(model: dict[str, Any], defs: dict[str, Any], root: str | None = None) -> None:
    """A model's own checks (its type, each required key, keys it does not know), each a node of its own."""
    properties = model.get("properties") or {}
    for key, field in properties.items():
        properties[key] = _speak_field(field, _named(key, field), defs)
    # where other keys are allowed (a log entry before its type is chosen), a missing key is only missing
    known = list(properties) if model.get("additionalProperties") is False else None
    checks = []
    if model.pop("type", None) == "object":
        checks.append({"type": "object", "errorMessage": said("E109", f"文件内容应当是“键: 值”结构（{root}）。")
                       if root else said("E203", "这里应当是“键: 值”结构。")})
    for key in model.pop("required", []):
        # asked for only when every key is known: an unknown key is, to the validator, the misspelt missing one
        missing = {"required": [key], "errorMessage": said(
            "E201", f"{_named(key, properties.get(key, {}))}是必填字段，但没有填写。")}
        branches = [defs[b["then"]["$ref"].rsplit("/", 1)[-1]] for b in model.get("allOf", []) if "then" in b]
        if known is None and branches:
            # a log entry without `type` but with a key no entry type has: the validator takes it for a misspelt type
            every_key = sorted({k for branch in branches for k in branch.get("properties", {})})
            misspelt = {"required": [key], "errorMessage": said(
                "E202", f"格式中没有这个键。你是否想写“{key}”？（这一条缺少“{key}”）")}
            checks.append({"if": {"propertyNames": {"enum": every_key}}, "then": missing, "else": misspelt})
        else:
            checks.append(missing if known is None else {"if": {"propertyNames": {"enum": known}}, "then": missing})
    if model.get("additionalProperties") is False:
        offered = "、".join(k for k, f in properties.items() if not f.get("doNotSuggest"))
        model["errorMessage"] = said("E202", f"格式中没有这个键（多半是拼写错误）。这一层可用的字段有：{offered}。")
    if checks:
        model["allOf"] = [*checks, *model.get("allOf", [])]


def _labelled(choices: dict[str, Any]) -> dict[str, Any]:
    """An enumeration as `enum` with the labels completion and hover show for each value."""
    options = choices.pop("oneOf")
    choices.update(enum=[o["const"] for o in options], enumDescriptions=[o["title"] for o in options],
                   markdownEnumDescriptions=[o["description"] for o in options])
    return choices


def speak_as_the_validator(schema: dict[str, Any]) -> dict[str, Any]:
    """The schema with every message the editor shows worded as `rectify validate` words it (see the module)."""
    defs = schema.get("$defs", {})

    def each_node(node: Any):
        """Every schema node, but not the conditions of `if`: they choose a branch and never speak."""
        if isinstance(node, dict):
            yield node
            for key, value in node.items():
                if key != "if":
                    yield from each_node(value)
        elif isinstance(node, list):
            for value in node:
                yield from each_node(value)

    for node in list(each_node(schema)):
        if "oneOf" in node and all("const" in o for o in node["oneOf"]):
            _labelled(node)
    for node in [n for n in each_node(schema) if "properties" in n and n is not schema]:
        _speak_object(node, defs)
    _speak_object(schema, defs, root=schema.get("title", ""))
    for name in [name for name, node in defs.items() if "enum" in node]:
        del defs[name]  # each field that used it holds it now, with its own message
    return schema


def schema_of(name: str) -> dict[str, Any]:
    model = SCHEMAS[name]
    schema = model.model_json_schema(mode="validation", schema_generator=EditorSchema)
    if "imported" in schema["properties"]:
        schema["properties"]["imported"]["doNotSuggest"] = True  # written by `rectify import`; a clerk leaves it
    schema = speak_as_the_validator(schema)
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": f"{name}.schema.json", **schema}


def render_schema(name: str) -> str:
    return json.dumps(schema_of(name), ensure_ascii=False, indent=2, sort_keys=False) + "\n"


def write_schemas(folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name in SCHEMAS:
        path = folder / f"{name}.schema.json"
        path.write_text(render_schema(name), encoding="utf-8")
        written.append(path)
    return written
