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
from pathlib import Path, PurePath
from typing import Any

import yaml

from ..model.findings import Finding

try:  # libyaml's parser when installed; the pure-Python one otherwise
    from yaml import CSafeLoader as _BaseLoader
except ImportError:  # pragma: no cover - exercised only without libyaml
    from yaml import SafeLoader as _BaseLoader  # type: ignore[assignment]


class _Loader(_BaseLoader):
    """The safe loader with a memoised tag resolver.

    libyaml calls back into Python to resolve every plain scalar, and PyYAML tries its regular
    expressions one by one: that was half the time of reading a ledger. Keys, enumeration values and
    dates repeat across files, so their tags are remembered. No path resolvers are registered, so
    descending and ascending need not be tracked.
    """

    _tags: dict[str, str] = {}

    def resolve(self, kind, value, implicit):
        if kind is yaml.ScalarNode and implicit[0] and len(value) <= 40:
            tag = self._tags.get(value)
            if tag is None:
                tag = super().resolve(kind, value, implicit)
                if len(self._tags) < 100_000:
                    self._tags[value] = tag
            return tag
        return super().resolve(kind, value, implicit)

    def descend_resolver(self, current_node, current_index):
        pass

    def ascend_resolver(self):
        pass


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
_DECIMAL_FLOAT = re.compile(r"^[-+]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][-+]?[0-9]+)?$")
# YAML 1.1 reads these as line breaks; an editor does not, so every later line number would be off by one
_LINE_SEPARATORS = re.compile("[\x85\u2028\u2029]")
# the mistakes of typing YAML with a Chinese input method: a full-width colon after a key, full-width spaces
_KEY_FULL_WIDTH_COLON = re.compile(r"^([ \u3000]*(?:-[ \u3000]+)?[A-Za-z_][A-Za-z0-9_]*[ \u3000]*)：", re.MULTILINE)
_FULL_WIDTH_INDENT = re.compile(r"^ *\u3000[ \u3000]*", re.MULTILINE)
_FULL_WIDTH_AFTER_COLON = re.compile(r"^([ ]*(?:-[ ]+)?[A-Za-z_][A-Za-z0-9_]*:)\u3000", re.MULTILINE)

_TOO_DEEP = "嵌套层级太深，无法读取；台账最多只需要三四层缩进。"

# How YAML 1.1 reads a plain scalar, in a clerk's words (used by E108).
TAG_NAMES = {_BOOL: "布尔值（是/否）", _INT: "整数", _FLOAT: "小数", _NULL: "空值", _TIMESTAMP: "日期"}

_constructor = yaml.constructor.SafeConstructor()


class LoadError(Exception):
    """The file cannot become a document; carries every finding that stopped it.

    `salvaged` is what could still be read, so that one run reports every mistake: with `whole`, the
    file parsed and only values were refused (an impossible date, a duplicate key), which are holes
    (None) in its data; without, the file did not parse, and `salvaged` was composed from its text with
    the typing mistakes undone and the lines the parser stopped at blanked: its values, not its shape,
    can be trusted.
    """

    def __init__(self, findings: list[Finding], salvaged: Document | None = None, whole: bool = False):
        super().__init__(findings[0].message if findings else "load error")
        self.findings = findings
        self.salvaged = salvaged
        self.whole = whole


@dataclass
class Document:
    """A loaded YAML file: its values, and the text kept to find a field's line on demand.

    `path` is where the file lies in the ledger (`ecology-env/STHJ-2025-001.yml`); `display` is how
    messages name it.
    """

    path: PurePath
    display: str
    text: str
    data: Any
    _root: yaml.Node | None = field(default=None, repr=False)

    def root(self) -> yaml.Node:
        if self._root is None:
            self._root = yaml.compose(self.text, Loader=_Loader)
        return self._root

    def node_at(self, path: Path_) -> tuple[yaml.Node | None, yaml.Node | None, yaml.Node]:
        """Walk as far along `path` as the file goes: (key node, value node, line to show if absent).

        When the path ends early, the third item is the key whose block lacks the step (`source:` for a
        missing `source.name`), or the list item or document where the walk stopped.
        """
        node = self.root()
        key_node = None
        for step in path:
            if isinstance(node, yaml.MappingNode) and isinstance(step, str):
                for k, v in node.value:
                    if k.value == step:
                        key_node, node = k, v
                        break
                else:
                    return None, None, key_node or node
            elif isinstance(node, yaml.SequenceNode) and isinstance(step, int) and step < len(node.value):
                key_node, node = None, node.value[step]
            else:
                return None, None, key_node or node
        return key_node, node, node

    def locate(self, path: Path_, key: bool = False) -> Position:
        """Line and column (1-based) of the value at `path`, or of its key; the nearest parent if absent."""
        if len(path) == 1 and isinstance(path[0], str):
            found = self._top_level(path[0], key)
            if found is not None:
                return found
        key_node, value_node, reached = self.node_at(path)
        if key_node is not None and (key or value_node is None):
            return _position(key_node)
        if value_node is not None:
            if isinstance(value_node, yaml.ScalarNode) or key_node is None:
                return _position(value_node)
            # a block under a key: the key's line is the one a clerk looks at
            return _position(key_node)
        return _position(reached)

    def _top_level(self, name: str, key: bool) -> Position | None:
        """A top-level key of a block mapping starts its line, and keys are unique (E102), so a text
        search finds it without composing the file again: cheap for the rules that run on every file."""
        match = re.search(rf"^{re.escape(name)}[ \t]*:(?=\s)[ \t]*", self.text, re.MULTILINE)
        if match is None:
            return None
        line = self.text.count("\n", 0, match.start()) + 1
        if key:
            return line, 1
        end = self.text.find("\n", match.end())
        rest = self.text[match.end():end if end >= 0 else len(self.text)].rstrip("\r")
        if not rest or rest[0] in "#[{|>&*!":  # a block, a flow collection or an empty value: compose
            return None
        return line, match.end() - match.start() + 1

    def scalar_at(self, path: Path_) -> yaml.ScalarNode | None:
        _, value_node, _ = self.node_at(path)
        return value_node if isinstance(value_node, yaml.ScalarNode) else None


def _position(node: yaml.Node) -> Position:
    return node.start_mark.line + 1, node.start_mark.column + 1


def read_document(path: Path, display: str | None = None) -> Document:
    """Read one file from disk strictly. Raises LoadError with every problem found in it."""
    return document_from_bytes(path.read_bytes(), path, display or str(path))


def document_from_bytes(raw: bytes, path: PurePath, display: str) -> Document:
    """A ledger file's bytes, however they were read, within the size limit and parsed strictly."""
    if len(raw) > MAX_FILE_BYTES:
        raise LoadError([Finding.make(
            "E106", display, (1, 1),
            f"文件大小为 {len(raw) // 1024} KiB，超过上限 {MAX_FILE_BYTES // 1024} KiB。")])
    return parse_document(raw, path, display)


def parse_document(raw: bytes, path: PurePath, display: str) -> Document:
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
    typing_mistakes = _typing_mistakes(text, display)
    if typing_mistakes:
        raise LoadError(typing_mistakes, *_salvage(text, path, display, typing_mistakes))
    try:
        root = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        found = [_syntax_finding(exc, text, display)]
        raise LoadError(found, *_salvage(text, path, display, found)) from None
    except yaml.reader.ReaderError as exc:
        raise LoadError([_reader_finding(exc, text, display)]) from None
    except RecursionError:
        raise LoadError([Finding.make("E101", display, (1, 1), _TOO_DEEP)]) from None
    except yaml.YAMLError:
        raise LoadError([Finding.make("E101", display, (1, 1),
                                      "无法解析这个文件；请检查冒号、引号和缩进是否成对、对齐。")]) from None
    builder = _Builder(display)
    if "&" in text:  # anchors leave no trace in the node tree, so look for them in the event stream
        builder.findings.extend(_anchor_findings(text, display))
    try:
        data = builder.build(root, ()) if root is not None else None
    except RecursionError:
        raise LoadError([Finding.make("E101", display, (1, 1), _TOO_DEEP)]) from None
    if builder.findings:
        raise LoadError(sorted(set(builder.findings)), Document(path, display, text, data), whole=True)
    return Document(path, display, text, data)


_SALVAGED_CODES = {"E107"}  # what a value says wherever it stands (a key twice may be two documents made one)
_SALVAGE_TRIES = 20  # lines blanked, at most, before a broken file is given up


def _salvage(text: str, path: PurePath, display: str, found: list[Finding]) -> tuple[Document | None, bool]:
    """What a file with a syntax error still says: its text with the typing mistakes undone (full-width colons
    and spaces, tabs, invisible separators) and every line the parser stops at blanked, composed again.

    Lines keep their numbers, so every value found in it is on the clerk's line. The value-level findings of
    the salvaged text (an impossible date) are added to `found`, but not on a blanked line: the blanking may
    have made them.
    """
    repaired = _KEY_FULL_WIDTH_COLON.sub(r"\1: ", text)
    repaired = _FULL_WIDTH_AFTER_COLON.sub(r"\1 ", repaired)
    repaired = _FULL_WIDTH_INDENT.sub(lambda m: m.group().replace("\u3000", "  "), repaired)
    repaired = _TAB_INDENT.sub(lambda m: m.group().replace("\t", "  "), repaired)
    repaired = _LINE_SEPARATORS.sub(" ", repaired)
    lines = repaired.split("\n")
    blanked: set[int] = set()
    for _ in range(_SALVAGE_TRIES):
        candidate = "\n".join(lines)
        try:
            root = yaml.compose(candidate, Loader=_Loader)
            builder = _Builder(display)
            data = builder.build(root, ()) if root is not None else None
        except yaml.MarkedYAMLError as exc:
            # a quote left open is reported at the end of the file: its own line is where it opened
            at_end = "end of stream" in (exc.problem or "") and exc.context_mark is not None
            mark = exc.context_mark if at_end else exc.problem_mark or exc.context_mark
            line = min(mark.line if mark is not None else len(lines) - 1, len(lines) - 1)
            if line in blanked or not lines[line].strip():
                line = next((n for n in range(line, -1, -1) if lines[n].strip() and n not in blanked), -1)
                if line < 0:
                    return None, False
            lines[line] = ""
            blanked.add(line)
            continue
        except (yaml.YAMLError, RecursionError, ValueError):
            return None, False
        found.extend(f for f in builder.findings if f.line - 1 not in blanked and f.code in _SALVAGED_CODES)
        found.sort()
        return Document(path, display, candidate, data), False
    return None, False


def _line_column(text: str, index: int) -> Position:
    """The editor's line and column (1-based) of a character index: only a newline starts a line."""
    return text.count("\n", 0, index) + 1, index - (text.rfind("\n", 0, index) + 1) + 1


def _typing_mistakes(text: str, display: str) -> list[Finding]:
    """What a clerk typing with a Chinese input method or pasting from a document gets wrong, found before
    the YAML parser would report it a line too late or as a missing colon: tabs, full-width colons and
    spaces, and the invisible line separators that YAML counts as line breaks but an editor does not."""
    findings = []
    for m in _TAB_INDENT.finditer(text):
        findings.append(Finding.make("E103", display, (text.count("\n", 0, m.start()) + 1, m.end() - m.start()),
                                     "这一行用制表符（Tab）缩进；请改为空格（每层两个空格）。"))
    for m in _KEY_FULL_WIDTH_COLON.finditer(text):
        findings.append(Finding.make("E101", display, _line_column(text, m.end() - 1),
                                     "这里用了全角冒号“：”；请改成半角冒号加空格“: ”。"))
    for m in _FULL_WIDTH_INDENT.finditer(text):
        findings.append(Finding.make("E101", display, _line_column(text, m.start() + m.group().index("\u3000")),
                                     "这一行用了全角空格“　”缩进；请改成半角空格（每层两个空格）。"))
    for m in _FULL_WIDTH_AFTER_COLON.finditer(text):
        findings.append(Finding.make("E101", display, _line_column(text, m.end() - 1),
                                     "冒号后面是全角空格“　”；请改成半角空格：“键: 值”。"))
    for m in _LINE_SEPARATORS.finditer(text):
        findings.append(Finding.make("E110", display, _line_column(text, m.start()),
                                     f"这一行有看不见的分隔符（U+{ord(m.group()):04X}），多半是从网页或文档里复制来的；"
                                     "YAML 会把它当作换行，请删去它。"))
    return sorted(set(findings))


def _anchor_findings(text: str, display: str) -> list[Finding]:
    """E104 at every `&anchor` and every `*alias`, each at its own line (an alias node is the anchored one)."""
    findings = []
    for event in yaml.parse(text, Loader=_Loader):
        anchor = getattr(event, "anchor", None)
        if anchor is None:
            continue
        if isinstance(event, yaml.AliasEvent):
            message = f"这里引用了别名“*{anchor}”；台账不允许使用锚点和别名，请把内容直接写出来。"
        else:
            message = f"这里定义了锚点“&{anchor}”；台账不允许使用锚点和别名，请删去“&{anchor}”。"
        findings.append(Finding.make("E104", display, _mark(event.start_mark), message))
    return findings


def _mark(mark) -> Position:
    return mark.line + 1, mark.column + 1


# libyaml's and PyYAML's wording of a syntax problem -> (what a clerk should do, use the context mark)
_SYNTAX_HINTS = (
    ("maximum nesting depth", _TOO_DEEP, False),
    ("found unexpected end of stream", "引号没有闭合：从这里开始的引号直到文件末尾都没有找到另一半引号。", True),
    ("did not find expected ',' or ']'", "方括号“[”没有闭合，或列表项之间缺少逗号。", True),
    ("did not find expected ',' or '}'", "花括号“{”没有闭合，或各项之间缺少逗号。", True),
    ("could not find expected ':'", "缺少冒号：每个键后面要有“: ”（冒号加空格）。", True),
    ("mapping values are not allowed",
     "这里不能出现“键: 值”。常见原因：值里有“冒号加空格”却没加引号（请给整个值加引号），或这一行比上一行多缩进了。",
     False),
    ("did not find expected key",
     "这一行的缩进与同一层级的其他行不齐，或上一行的值写法不对（例如引号外还有文字）。", False),
    ("did not find expected '-' indicator", "列表中的这一行缺少“- ”，或缩进与列表的其他项不齐。", False),
    ("block sequence entries are not allowed", "这里不能开始列表；列表项“- ”要另起一行并比键多缩进两格。", False),
    ("expected <block end>, but found '<block sequence start>'", "列表项“- ”的缩进与上文不齐。", False),
    ("expected <block end>, but found '<block mapping start>'", "这一行的缩进与同一层级的其他行不齐。", False),
    ("expected <block end>", "这一行的缩进与同一层级的其他行不齐。", False),
    ("but found another document", "一个文件只能有一个文档，请删去多余的“---”。", False),
    ("expected a single document", "一个文件只能有一个文档，请删去多余的“---”。", False),
    ("found unknown escape character", "双引号里的反斜杠“\\”有特殊含义；请改用单引号，或把反斜杠写两遍。", False),
    ("found unknown directive name", "以“%”开头的行不是台账内容；请删去，或给这个值加引号。", False),
    ("expected alphabetic or numeric character",
     "以“*”“&”或“!”开头的值在 YAML 里有特殊含义；如果这是用星号遮挡的名称（如 *镇人民政府），"
     "请给整个值加引号：\"*镇人民政府\"。", False),
)


def _syntax_finding(exc: yaml.MarkedYAMLError, text: str, display: str) -> Finding:
    problem = (exc.problem or "").strip()
    context = exc.context or ""
    if "undefined alias" in problem or "duplicate anchor" in context:
        return Finding.make("E104", display, _mark(exc.problem_mark),
                            "以“*”开头的值会被 YAML 当作别名，台账不允许使用锚点和别名；"
                            "如果这是用星号遮挡的名称（如 *镇人民政府），请给整个值加引号：\"*镇人民政府\"。")
    if "cannot start any token" in problem and exc.problem_mark is not None:
        character = _character_at(text, exc.problem_mark)
        if character == "\t":
            return Finding.make("E103", display, _mark(exc.problem_mark),
                                "这里用了制表符（Tab）；YAML 只能用空格，请把 Tab 改为空格。")
        return Finding.make("E101", display, _mark(exc.problem_mark),
                            f"YAML 中的值不能以“{character}”开头；请给整个值加引号，如 \"{character}…\"。")
    for needle, hint, at_context in _SYNTAX_HINTS:
        if needle in problem or needle in context:
            mark = (exc.context_mark if at_context and exc.context_mark is not None else None) or exc.problem_mark
            return Finding.make("E101", display, _mark(mark) if mark else (1, 1), hint)
    mark = exc.problem_mark or exc.context_mark
    # the parser's own words are English: a clerk gets only the Chinese hint
    return Finding.make("E101", display, _mark(mark) if mark else (1, 1),
                        "无法解析这一行；请检查冒号后是否有空格、引号是否成对、缩进是否与同一层级对齐。")


def _character_at(text: str, mark) -> str:
    lines = text.splitlines()
    if mark.line < len(lines) and mark.column < len(lines[mark.line]):
        return lines[mark.line][mark.column]
    return ""


def _reader_finding(exc: yaml.reader.ReaderError, text: str, display: str) -> Finding:
    if issubclass(_Loader, getattr(yaml, "CSafeLoader", ())):  # libyaml counts positions in UTF-8 bytes
        before = text.encode("utf-8")[:max(0, exc.position)].decode("utf-8", errors="ignore")
    else:
        before = text[:max(0, exc.position)]
    line = before.count("\n") + 1
    column = len(before) - (before.rfind("\n") + 1) + 1
    character = exc.character if isinstance(exc.character, int) else 0
    return Finding.make("E110", display, (line, column),
                        f"这一行有不可见的控制字符（U+{character:04X}），多半是从别处复制粘贴带来的；请删去它。")


# Characters a text may not hold: C0 controls but tab and newline, DEL, C1 controls, and the Unicode
# line and paragraph separators (Markdown and Excel each read them differently).
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029]")


class _Builder:
    """Turns a composed node tree into plain values, collecting every strictness finding."""

    def __init__(self, display: str):
        self.display = display
        self.findings: list[Finding] = []
        self.seen: set[int] = set()

    def fail(self, code: str, node: yaml.Node, message: str, path: Path_) -> None:
        self.findings.append(Finding.make(code, self.display, _position(node), message, _dotted(path)))

    def build(self, node: yaml.Node, path: Path_) -> Any:
        if id(node) in self.seen:  # an alias: reported with its own line by _anchor_findings
            return None
        self.seen.add(id(node))
        if node.tag not in _CORE_TAGS:
            shown = node.tag.replace("tag:yaml.org,2002:", "!!")
            self.fail("E104", node, f"不支持自定义标签“{shown}”；请删去以“!”开头的标签。", path)
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
            control = _CONTROL.search(value)
            if control:  # only a double-quoted escape ("\r", "\v", "\0") gets one past the reader
                self.fail("E110", node, f"文字里有不可见的控制字符（U+{ord(control.group()):04X}），"
                          "多半来自双引号里的转义（如 \\r、\\v、\\0）；请删去它，换行请用 \\n。", path)
                return None
            return value
        if tag == _NULL:
            return None
        if tag == _BOOL:
            return value.lower() in ("yes", "true", "on", "y")
        if tag == _INT:
            # only plain decimals are numbers: YAML 1.1 reads 050 as 40, 1:05 as 65, 0x19 and 2_5 as 25
            # while an editor shows what was typed. Kept as the text written, the schema check says so.
            return int(value) if _DECIMAL.match(value) else value
        if tag == _FLOAT:
            if _DECIMAL_FLOAT.match(value) or value.lower().lstrip("+-") in (".inf", ".nan"):
                return _constructor.construct_yaml_float(node)
            return value
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


dotted = _dotted  # the field path for programs (the json format): log[1].date, counted from 0


def spoken(path: Path_) -> str:
    """The field path as a clerk reads it in a message, counted from 1 as the messages count entries:
    ("log", 1, "date") -> log 第 2 条的“date”; ("measures", 0) -> measures 第 1 项; ("title",) -> “title”."""
    out, keys = "", []
    for step in path:
        if isinstance(step, int):
            where = ".".join(keys)
            out += f"{'的 ' if out and where else ''}{where} 第 {step + 1} {'条' if where == 'log' else '项'}"
            keys = []
        else:
            keys.append(step)
    if keys:
        out += f"{'的' if out else ''}“{'.'.join(keys)}”"
    return out or "文件"


class _Dumper(yaml.SafeDumper):
    def ignore_aliases(self, data: Any) -> bool:  # the ledgers forbid aliases, so never write one
        return True


def _text(dumper: yaml.SafeDumper, data: str) -> yaml.Node:
    """Text of several lines as a `|` block: a clerk reads and edits it line by line."""
    style = "|" if "\n" in data.strip("\n") else None
    return dumper.represent_scalar(_STR, data, style=style)


_Dumper.add_representer(str, _text)


def dump(data: Any) -> str:
    """Write values as YAML the way departments write it: block style, Chinese kept readable."""
    return yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, default_flow_style=False,
                     width=100)


# ---------------------------------------------------------------- appending to a file a clerk keeps


class EditError(ValueError):
    """The text could not be changed as asked without touching anything else (a layout the edit does not know)."""


def _top_level(text: str) -> yaml.MappingNode:
    node = yaml.compose(text, Loader=_BaseLoader)
    if not isinstance(node, yaml.MappingNode):
        raise EditError("the document is not a mapping")
    return node


def _last_index(node: yaml.Node) -> int:
    """Where a node's own text ends: its last scalar's end (a block mapping's end mark lies past the comments
    and blank lines that follow it, which belong to what comes next)."""
    if isinstance(node, yaml.ScalarNode):
        return node.end_mark.index
    if isinstance(node, yaml.SequenceNode | yaml.MappingNode) and node.flow_style:
        return node.end_mark.index
    children = [child for pair in node.value for child in pair] if isinstance(node, yaml.MappingNode) else node.value
    return max((_last_index(child) for child in children), default=node.start_mark.index)


def _line_end(text: str, index: int) -> int:
    """The index just past the end of the line `index` is on (a block scalar's end already is at a line start)."""
    if index > 0 and text[index - 1] == "\n":
        return index
    end = text.find("\n", index)
    return len(text) if end < 0 else end + 1


def append_items(text: str, key: str, items: list[Any]) -> str:
    """`text` with `items` appended to the top-level block sequence under `key`, written as `dump` writes them and
    indented as the sequence's own items are; every other byte of the text kept. A missing key or an empty flow
    sequence (`log: []`) becomes a block sequence. The result is read back: EditError when it does not hold
    exactly the old items and then `items`."""
    if not items:
        return text
    root = _top_level(text)
    value = next((v for k, v in root.value if isinstance(k, yaml.ScalarNode) and k.value == key), None)
    block = _dump_indented(items)
    if value is None or (isinstance(value, yaml.ScalarNode) and value.value in ("", "~", "null")):
        if value is None:
            head = text if text.endswith("\n") or not text else text + "\n"
            result = head + f"{key}:\n" + _indented(block, 2)
        else:
            start, end = value.start_mark.index, value.end_mark.index
            result = text[:start].rstrip(" ") + "\n" + _indented(block, 2) + text[_line_end(text, end):]
    elif isinstance(value, yaml.SequenceNode) and value.flow_style:
        if value.value:
            raise EditError(f"{key} is a non-empty flow sequence")
        key_node = next(k for k, v in root.value if v is value)
        start, end = value.start_mark.index, value.end_mark.index
        result = text[:start].rstrip(" ") + "\n" + _indented(block, key_node.start_mark.column + 2) + text[_line_end(text, end):]
    elif isinstance(value, yaml.SequenceNode):
        column = value.value[0].start_mark.column - 2 if value.value else value.start_mark.column
        at = _line_end(text, _last_index(value))
        addition = _indented(block, column)
        result = text[:at] + ("" if text[:at].endswith("\n") else "\n") + addition + text[at:]
    else:
        raise EditError(f"{key} is not a sequence")
    before = yaml.load(text, Loader=_BaseLoader) or {}
    after = yaml.load(result, Loader=_BaseLoader)
    expected = dict(before)
    expected[key] = list(before.get(key) or []) + yaml.load(block, Loader=_BaseLoader)
    if after != expected:
        raise EditError(f"appending to {key} would change something else")
    return result


def set_in_item(text: str, key: str, index: int, field: str, value: Any) -> str:
    """`text` with `field: value` added to item `index` of the top-level block sequence under `key` (a mapping
    without that field), after the item's last line; read back like append_items."""
    root = _top_level(text)
    sequence = next((v for k, v in root.value if isinstance(k, yaml.ScalarNode) and k.value == key), None)
    if not isinstance(sequence, yaml.SequenceNode) or sequence.flow_style or index >= len(sequence.value):
        raise EditError(f"{key} has no item {index} in block style")
    item = sequence.value[index]
    if not isinstance(item, yaml.MappingNode) or item.flow_style or any(k.value == field for k, _ in item.value):
        raise EditError(f"{key}[{index}] is not a block mapping without {field}")
    column = item.value[0][0].start_mark.column
    at = _line_end(text, _last_index(item))
    result = text[:at] + ("" if text[:at].endswith("\n") else "\n") + _indented(_dump_indented({field: value}), column) + text[at:]
    before = yaml.load(text, Loader=_BaseLoader)
    after = yaml.load(result, Loader=_BaseLoader)
    before[key][index][field] = yaml.load(dump({field: value}), Loader=_BaseLoader)[field]
    if after != before:
        raise EditError(f"setting {key}[{index}].{field} would change something else")
    return result


class _IndentedDumper(_Dumper):
    """Lists inside an appended item indented under their key, as the sample ledgers write them."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        return super().increase_indent(flow, False)


def _dump_indented(data: Any) -> str:
    return yaml.dump(data, Dumper=_IndentedDumper, allow_unicode=True, sort_keys=False, default_flow_style=False,
                     width=100)


def _indented(block: str, column: int) -> str:
    pad = " " * column
    return "".join(pad + line if line.strip() else line for line in block.splitlines(keepends=True))
