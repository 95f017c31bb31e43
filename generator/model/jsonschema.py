"""JSON Schemas for editors (VS Code's YAML extension), generated from the pydantic models.

The editor (npm `yaml-language-server`) reads a ledger as YAML 1.2 and checks it against these schemas
while a clerk types; `rectify validate` reads it with the YAML 1.1 rules of generator/loading/yamlio.py.
`EditorSchema` makes the schema as strict as the validator wherever JSON Schema can say it, and labels
every key and every enumeration value in Chinese, the labels taken from model/vocabulary.py:

- a date is a string with `format: date` and a `pattern` that accepts only days on the Gregorian
  calendar (2027-02-30 and 2026-02-29 fail; 2028-02-29 passes), written YYYY-MM-DD with two digits each;
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
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pydantic.json_schema import GenerateJsonSchema, JsonSchemaValue
from pydantic_core import core_schema

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
# The language server shows these instead of its English "String does not match the pattern".
DATE_MESSAGE = "应为日历上存在的日期，格式 YYYY-MM-DD（月、日各两位），如 2027-06-30"
TEXT_MESSAGE = "不能为空，也不能只有空格"
LARGEST_FLOAT = 1.7976931348623157e308


def term_choices(vocabulary: type[Term]) -> list[dict[str, str]]:
    """One `const` per value with its Chinese label: completion and hover show them."""
    return [{"const": term.value, "title": term.label, "description": f"写作 {term.value}，表示“{term.label}”"}
            for term in vocabulary]


def _vocabulary_of(values: set[str]) -> type[Term] | None:
    return next((v for v in VOCABULARIES if {t.value for t in v} == values), None)


class EditorSchema(GenerateJsonSchema):
    """pydantic's JSON Schema, with what an editor needs to agree with `rectify validate`."""

    def date_schema(self, schema: core_schema.DateSchema) -> JsonSchemaValue:
        return {"type": "string", "format": "date", "pattern": DATE_PATTERN, "patternErrorMessage": DATE_MESSAGE}

    def str_schema(self, schema: core_schema.StringSchema) -> JsonSchemaValue:
        json_schema = super().str_schema(schema)
        if schema.get("strip_whitespace") and schema.get("min_length") and "pattern" not in json_schema:
            json_schema.update(pattern=r"\S", patternErrorMessage=TEXT_MESSAGE)
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


def schema_of(name: str) -> dict[str, Any]:
    model = SCHEMAS[name]
    schema = model.model_json_schema(mode="validation", schema_generator=EditorSchema)
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
