"""The editor as a clerk sees it: the real YAML language server (VS Code's YAML engine) with the committed schemas.

tools/editor pins npm `yaml-language-server`; `make test` installs it with `npm ci`. These tests drive it over
LSP stdio as VS Code does, open every broken file of tests/cases/invalid that holds a finding JSON Schema can
express, and hold what it says to `rectify validate`: the same codes on the same lines, each message in
Chinese and starting with the validator's code, so that the guide's table of codes answers both. What the
schema cannot say, or says on another line, is tests/test_editor_schema.py's GAPS and MOVED, with reasons.
Completion must not offer `imported`, and hovering a key must explain the field, not the value written.
"""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path, PurePosixPath
from typing import Any

import pytest

from generator.model.findings import CODES
from generator.model.schema import SCHEMAS

from .conftest import ROOT
from .test_editor_schema import (
    GAPS,
    MOVED,
    SCHEMA_CASES,
    VALID_FOLDERS,
    expectations,
    ledger_files,
    schema_name,
)

SERVER = ROOT / "tools" / "editor" / "node_modules" / ".bin" / "yaml-language-server"
# The server marks a value where it starts: a list written under its key starts on the next line.
VALUE_BELOW_KEY = {
    "E203-wrong-type": {"ecology-env/STHJ-2026-001.yml:2 E203": 3},
}
CODE = re.compile(r"^([EW]\d{3}) ([^：]+)：")


class LanguageServer:
    """A `yaml-language-server --stdio` with each schema bound to the documents under /ledger/<schema>/."""

    def __init__(self) -> None:
        assert SERVER.exists(), "the language server is not installed: run `npm ci --prefix tools/editor` (make test does)"
        self.process = subprocess.Popen([str(SERVER), "--stdio"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                        stderr=subprocess.DEVNULL)
        self.last_id = 0
        schemas = {(ROOT / "schema" / f"{name}.schema.json").as_uri(): [f"/ledger/{name}/**/*.yml"] for name in SCHEMAS}
        self.settings = {"yaml": {"validate": True, "hover": True, "completion": True, "schemas": schemas}}
        self.request("initialize", {"processId": None, "rootUri": None, "capabilities": {
            "workspace": {"configuration": True},
            "textDocument": {"hover": {"contentFormat": ["markdown"]},
                             "completion": {"completionItem": {"documentationFormat": ["markdown"]}}}}})
        self.notify("initialized", {})
        self.notify("workspace/didChangeConfiguration", {"settings": self.settings})
        self.version = 0

    def _send(self, message: dict[str, Any]) -> None:
        body = json.dumps({"jsonrpc": "2.0", **message}).encode("utf-8")
        self.process.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.process.stdin.flush()

    def _receive(self) -> dict[str, Any]:
        length = 0
        while (line := self.process.stdout.readline()) not in (b"\r\n", b""):
            name, _, value = line.decode("ascii").partition(":")
            if name.strip().lower() == "content-length":
                length = int(value)
        assert length, "the language server stopped"
        return json.loads(self.process.stdout.read(length))

    def _until(self, wanted) -> dict[str, Any]:
        while True:
            message = self._receive()
            if "method" in message and "id" in message:  # the server asks for its settings, as of VS Code
                items = message["params"].get("items", []) if message["method"] == "workspace/configuration" else []
                answer = [self.settings.get(item.get("section")) for item in items] or None
                self._send({"id": message["id"], "result": answer})
            elif wanted(message):
                return message

    def request(self, method: str, params: dict[str, Any]) -> Any:
        self.last_id += 1
        self._send({"id": self.last_id, "method": method, "params": params})
        asked = self.last_id
        return self._until(lambda m: m.get("id") == asked and "method" not in m).get("result")

    def notify(self, method: str, params: dict[str, Any]) -> None:
        self._send({"method": method, "params": params})

    def open(self, schema: str, relative: str, text: str) -> tuple[str, list[dict[str, Any]]]:
        """Open a document as a file of `schema`'s kind; its URI and the diagnostics the editor shows."""
        self.version += 1
        uri = f"file:///ledger/{schema}/{self.version}/{relative}"
        self.notify("textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": "yaml", "version": 1,
                                                                "text": text}})
        published = self._until(lambda m: m.get("method") == "textDocument/publishDiagnostics"
                                and m["params"]["uri"] == uri)
        return uri, published["params"]["diagnostics"]

    def close(self) -> None:
        self.process.stdin.close()
        self.process.kill()
        self.process.wait()


@pytest.fixture(scope="module")
def server():
    running = LanguageServer()
    yield running
    running.close()


def said_by_schema(diagnostics: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The schema's messages, not the server's own YAML parser's (tabs, duplicate keys: the validator's E1xx)."""
    return [d for d in diagnostics if str(d.get("source", "")).startswith("yaml-schema")]


@pytest.mark.parametrize("folder", VALID_FOLDERS, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_the_editor_is_silent_on_every_valid_ledger_file(server: LanguageServer, folder: Path) -> None:
    for path in ledger_files(folder):
        relative = path.relative_to(folder).as_posix()
        _, diagnostics = server.open(schema_name(PurePosixPath(relative)), relative, path.read_text(encoding="utf-8"))
        assert [d["message"] for d in said_by_schema(diagnostics)] == [], relative


@pytest.mark.parametrize("case", SCHEMA_CASES, ids=lambda p: p.name)
def test_the_editor_flags_what_the_validator_does_with_its_codes(server: LanguageServer, case: Path) -> None:
    gaps, moved = GAPS.get(case.name, {}), {**MOVED.get(case.name, {}), **VALUE_BELOW_KEY.get(case.name, {})}
    expected = {(file, moved.get(f"{file}:{line} {code}", line), code) for file, line, code in expectations(case)
                if f"{file}:{line} {code}" not in gaps}
    shown = set()
    for path in ledger_files(case / "ledger"):
        relative = path.relative_to(case / "ledger").as_posix()
        _, diagnostics = server.open(schema_name(PurePosixPath(relative)), relative, path.read_text(encoding="utf-8"))
        for diagnostic in said_by_schema(diagnostics):
            match = CODE.match(diagnostic["message"])
            assert match, f"{relative}: the editor says {diagnostic['message']!r}, without the validator's code"
            assert match.group(2) == CODES[match.group(1)].title, diagnostic["message"]
            shown.add((relative, diagnostic["range"]["start"]["line"] + 1, match.group(1)))
    assert shown == expected


COMPLETE = (ROOT / "tests" / "cases" / "base" / "ecology-env" / "STHJ-2025-001.yml").read_text(encoding="utf-8")


def _line_of(text: str, start: str) -> int:
    return next(i for i, line in enumerate(text.splitlines()) if line.startswith(start))


def test_completion_on_a_complete_file_never_offers_imported(server: LanguageServer) -> None:
    lines = [line for line in COMPLETE.splitlines() if not line.startswith("supervision:")]
    text = "\n".join([lines[0], "", *lines[1:]]) + "\n"  # the clerk opens a line under `id:` to add a key
    uri, diagnostics = server.open("problem", "ecology-env/STHJ-2025-001.yml", text)
    assert said_by_schema(diagnostics) == []
    answer = server.request("textDocument/completion", {"textDocument": {"uri": uri},
                                                        "position": {"line": 1, "character": 0}})
    offered = {item["label"] for item in (answer["items"] if isinstance(answer, dict) else answer)}
    assert "supervision" in offered  # what a clerk may still add
    assert "imported" not in offered  # written by `rectify import` only


def hover(server: LanguageServer, text: str, line: int, character: int) -> str:
    uri, _ = server.open("problem", "ecology-env/STHJ-2025-001.yml", text)
    answer = server.request("textDocument/hover", {"textDocument": {"uri": uri},
                                                   "position": {"line": line, "character": character}})
    return answer["contents"]["value"] if answer else ""


def test_hovering_a_key_explains_the_field_not_the_value_written(server: LanguageServer) -> None:
    text = COMPLETE if "supervision:" in COMPLETE else COMPLETE + "supervision: city\n"
    shown = hover(server, text, _line_of(text, "supervision:"), 2)
    assert "挂牌督办" in shown.splitlines()[0]  # the field's title first
    assert "none 无，city 市级挂牌督办，province 省级挂牌督办" in shown  # what the field means
    entry = _line_of(text, "    type:") if "    type:" in text else None
    assert entry is not None
    shown = hover(server, text, entry, 5)
    assert "条目类型" in shown.splitlines()[0] and "progress" in shown and "extension" in shown, shown


def test_a_new_log_entry_is_offered_the_keys_of_its_type_and_told_what_it_lacks(server: LanguageServer) -> None:
    text = COMPLETE.rstrip("\n") + "\n  - date: 2026-11-20\n    type: extension\n    \n"
    last = len(text.splitlines()) - 1
    uri, diagnostics = server.open("problem", "ecology-env/STHJ-2025-001.yml", text)
    assert {d["message"].split("：")[1].split("（")[0] for d in said_by_schema(diagnostics)} == {
        "“deadline”", "“reason”", "“approved_by”"}
    assert all(d["message"].startswith("E201 缺少必填字段：") for d in said_by_schema(diagnostics))
    answer = server.request("textDocument/completion", {"textDocument": {"uri": uri},
                                                        "position": {"line": last, "character": 4}})
    offered = {item["label"] for item in (answer["items"] if isinstance(answer, dict) else answer)}
    assert offered == {"deadline", "reason", "approved_by", "document"}
