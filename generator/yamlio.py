"""Strict YAML reading: the only module that parses YAML, and where every node's position is known.

PyYAML's C parser composes the node tree; we build plain Python values from the nodes ourselves so
that each rule (duplicate keys, aliases, merge keys, impossible dates, YAML 1.1 surprises) can point
at the line it breaks. Positions are not kept for valid files: `Document.locate` composes the file
again when a later rule needs the line of a field, which keeps memory flat at 10,000 files.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

try:  # libyaml's parser when installed; the pure-Python one otherwise
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - exercised only without libyaml
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

from .findings import Finding

MAX_FILE_BYTES = 256 * 1024

Path_ = tuple[str | int, ...]
Position = tuple[int, int]

_STR = "tag:yaml.org,2002:str"
_NULL = "tag:yaml.org,2002:null"
_BOOL = "tag:yaml.org,2002:bool"
_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"
_TIMESTAMP = "tag:yaml.org,2002:timestamp"
_MERGE = "tag:yaml.org,2002:merge"
_CORE_TAGS = {_STR, _NULL, _BOOL, _INT, _FLOAT, _TIMESTAMP, "tag:yaml.org,2002:seq", "tag:yaml.org,2002:map"}

_TAB_INDENT = re.compile(r"^ *\t", re.MULTILINE)
_DATE_ONLY = re.compile(r"^(\d{4})-(\d\d?)-(\d\d?)$")
_DECIMAL = re.compile(r"^[-+]?(0|[1-9][0-9]*)$")

# How YAML 1.1 reads a plain scalar, in a clerk's words (used by E108).
TAG_NAMES = {_BOOL: "布尔值（是/否）", _INT: "整数", _FLOAT: "小数", _NULL: "空值", _TIMESTAMP: "日期"}

_constructor = yaml.constructor.SafeConstructor()


class LoadError(Exception):
    """The file cannot become a document; carries every finding that stopped it."""

    def __init__(self, findings: list[Finding]):
        super().__init__(findings[0].message if findings else "load error")
        self.findings = findings


@dataclass
class Document:
    """A loaded YAML file: its values, and the text kept to find a field's line on demand."""

    path: Path
    display: str
    text: str
    data: Any
    _root: yaml.Node | None = field(default=None, repr=False)

    def root(self) -> yaml.Node:
        if self._root is None:
            self._root = yaml.compose(self.text, Loader=_Loader)
        return self._root

    def node_at(self, path: Path_) -> tuple[yaml.Node | None, yaml.Node | None, yaml.Node]:
        """Walk as far along `path` as the file goes: (key node, value node, deepest node reached)."""
        node = self.root()
        key_node = None
        for step in path:
            if isinstance(node, yaml.MappingNode) and isinstance(step, str):
                for k, v in node.value:
                    if k.value == step:
                        key_node, node = k, v
                        break
                else:
                    return None, None, node
            elif isinstance(node, yaml.SequenceNode) and isinstance(step, int) and step < len(node.value):
                key_node, node = None, node.value[step]
            else:
                return None, None, node
        return key_node, node, node

    def locate(self, path: Path_, key: bool = False) -> Position:
        """Line and column (1-based) of the value at `path`, or of its key; the nearest parent if absent."""
        key_node, value_node, reached = self.node_at(path)
        if key_node is not None and (key or value_node is None):
            return _position(key_node)
        if value_node is not None:
            if isinstance(value_node, yaml.ScalarNode) or key_node is None:
                return _position(value_node)
            # a block under a key: the key's line is the one a clerk looks at
            return _position(key_node)
        return _position(reached)

    def scalar_at(self, path: Path_) -> yaml.ScalarNode | None:
        _, value_node, _ = self.node_at(path)
        return value_node if isinstance(value_node, yaml.ScalarNode) else None


def _position(node: yaml.Node) -> Position:
    return node.start_mark.line + 1, node.start_mark.column + 1


def read_document(path: Path, display: str | None = None) -> Document:
    """Read one ledger file strictly. Raises LoadError with every problem found in it."""
    display = display or str(path)
    raw = path.read_bytes()
    if len(raw) > MAX_FILE_BYTES:
        raise LoadError([Finding.make(
            "E106", display, (1, 1),
            f"文件大小为 {len(raw) // 1024} KiB，超过上限 {MAX_FILE_BYTES // 1024} KiB。")])
    return parse_document(raw, path, display)


def parse_document(raw: bytes, path: Path, display: str) -> Document:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        column = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        raise LoadError([Finding.make(
            "E105", display, (line, column),
            f"第 {line} 行有无法按 UTF-8 解读的字节 0x{raw[exc.start]:02X}；"
            "请在编辑器中以“UTF-8”编码重新保存（不要用 GBK/GB2312）。")]) from None
    text = text.removeprefix("\ufeff")
    tabs = list(_TAB_INDENT.finditer(text))
    if tabs:
        raise LoadError([
            Finding.make("E103", display, (text.count("\n", 0, m.start()) + 1, m.end() - m.start()),
                         "这一行用制表符（Tab）缩进；请改为空格（每层两个空格）。")
            for m in tabs])
    try:
        root = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        position = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        raise LoadError([Finding.make("E101", display, position, _syntax_message(exc))]) from None
    except yaml.YAMLError as exc:
        raise LoadError([Finding.make("E101", display, (1, 1), f"无法解析：{exc}")]) from None
    builder = _Builder(display)
    data = builder.build(root, ()) if root is not None else None
    if builder.findings:
        raise LoadError(builder.findings)
    return Document(path, display, text, data)


def _syntax_message(exc: yaml.MarkedYAMLError) -> str:
    problem = (exc.problem or "").strip()
    hints = {
        "mapping values are not allowed here": "这里不能出现“键: 值”；常见原因是上一行的值里有冒号却没加引号，或缩进不对。",
        "could not find expected ':'": "缺少冒号：每个键后面要有“: ”（冒号加空格）。",
        "found character '\\t' that cannot start any token": "出现了制表符（Tab），请改为空格。",
        "expected <block end>, but found '<block sequence start>'": "列表项“- ”的缩进与上文不齐。",
        "expected <block end>, but found '<block mapping start>'": "这一行的缩进与同一层级的其他行不齐。",
        "found unexpected end of stream": "文件在引号或括号尚未闭合时就结束了。",
        "but found another document": "一个文件只能有一个文档，请删去多余的“---”。",
        "found undefined alias": "使用了别名（*名称），台账不允许使用锚点和别名。",
    }
    for needle, hint in hints.items():
        if needle in problem or needle in str(exc):
            return f"YAML 语法错误：{hint}"
    return f"YAML 语法错误：无法解析这一行（{problem or exc}）。请检查冒号、引号和缩进。"


class _Builder:
    """Turns a composed node tree into plain values, collecting every strictness finding."""

    def __init__(self, display: str):
        self.display = display
        self.findings: list[Finding] = []
        self.seen: set[int] = set()

    def fail(self, code: str, node: yaml.Node, message: str, path: Path_) -> None:
        self.findings.append(Finding.make(code, self.display, _position(node), message, _dotted(path)))

    def build(self, node: yaml.Node, path: Path_) -> Any:
        if id(node) in self.seen:
            self.fail("E104", node, "这里引用了别名（*名称）；台账不允许使用锚点和别名，请把内容直接写出来。", path)
            return None
        self.seen.add(id(node))
        if node.tag not in _CORE_TAGS:
            self.fail("E104", node, f"不支持自定义标签“{node.tag}”；请删去以“!”开头的标签。", path)
            return None
        if isinstance(node, yaml.ScalarNode):
            return self.scalar(node, path)
        if isinstance(node, yaml.SequenceNode):
            return [self.build(item, (*path, index)) for index, item in enumerate(node.value)]
        return self.mapping(node, path)

    def mapping(self, node: yaml.MappingNode, path: Path_) -> dict:
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if key_node.tag == _MERGE:
                self.fail("E104", key_node, "不允许使用合并键“<<”；请把要合并的内容直接写出来。", path)
                continue
            if not isinstance(key_node, yaml.ScalarNode) or key_node.tag != _STR:
                shown = key_node.value if isinstance(key_node, yaml.ScalarNode) else "（复杂结构）"
                self.fail("E203", key_node, f"键“{shown}”不是普通文字；键应当是英文字段名，如 title。", path)
                continue
            key = key_node.value
            if key in result:
                self.fail("E102", key_node, f"键“{key}”在这一层已经出现过；请删去或合并重复的一项。", (*path, key))
                continue
            result[key] = self.build(value_node, (*path, key))
        return result

    def scalar(self, node: yaml.ScalarNode, path: Path_) -> Any:
        tag, value = node.tag, node.value
        if tag == _STR:
            return value
        if tag == _NULL:
            return None
        if tag == _BOOL:
            return value.lower() in ("yes", "true", "on", "y")
        if tag == _INT:
            if _DECIMAL.match(value):
                return int(value)
            return _constructor.construct_yaml_int(node)
        if tag == _FLOAT:
            return _constructor.construct_yaml_float(node)
        # timestamp
        match = _DATE_ONLY.match(value)
        try:
            if match:
                return dt.date(int(match[1]), int(match[2]), int(match[3]))
            return _constructor.construct_yaml_timestamp(node)
        except ValueError:
            self.fail("E107", node, f"日期“{value}”在日历上不存在；请写一个真实的日期，格式为 YYYY-MM-DD。", path)
            return None


def _dotted(path: Path_) -> str:
    out = ""
    for step in path:
        out += f"[{step}]" if isinstance(step, int) else (f".{step}" if out else step)
    return out


dotted = _dotted


class _Dumper(yaml.SafeDumper):
    def ignore_aliases(self, data: Any) -> bool:  # the ledgers forbid aliases, so never write one
        return True


def dump(data: Any) -> str:
    """Write values as YAML the way departments write it: block style, Chinese kept readable."""
    return yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, default_flow_style=False,
                     width=100)
