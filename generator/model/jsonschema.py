"""JSON Schemas for editors (VS Code's YAML extension), generated from the pydantic models."""

from __future__ import annotations

import json
from pathlib import Path

from .schema import SCHEMAS

SCHEMA_DIR = "schema"


def schema_of(name: str) -> dict:
    model = SCHEMAS[name]
    schema = model.model_json_schema(mode="validation")
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
