"""Every enumeration of the portal, declared once with its Chinese label and, where it has one, its colour.

Field descriptions, the scaffold, messages, templates, the finder, the rules page, the charts and the
stylesheet of lights and statuses (`stylesheet()`, written into the site by the build) all take their
words and colours from here. The values are the contract with the departments' files; labels and
colours may change freely.
"""

from __future__ import annotations

from enum import StrEnum


class Term(StrEnum):
    """A value with its Chinese label; `colour` draws it in charts, `ink` writes it on a light tint,
    `badge` is the background behind white text (dark enough for a 4.5:1 contrast), `night_ink` writes it
    on the same tint over the dark (slate) palette."""

    label: str
    colour: str | None
    ink: str | None
    badge: str | None
    night_ink: str | None

    def __new__(cls, value: str, label: str, colour: str | None = None, ink: str | None = None,
                badge: str | None = None, night_ink: str | None = None):
        member = str.__new__(cls, value)
        member._value_ = value
        member.label = label
        member.colour = colour
        member.ink = ink or colour
        member.badge = badge or colour
        member.night_ink = night_ink or colour
        return member

    @property
    def choice(self) -> str:
        """The value as a clerk writes it, then what it means: "city 市级挂牌督办"."""
        return f"{self.value} {self.label}"

    @classmethod
    def choices(cls) -> str:
        return "，".join(member.choice for member in cls)

    @classmethod
    def labels(cls) -> dict[str, str]:
        return {member.value: member.label for member in cls}


# Colours shared by several enumerations: one palette for badges, tables and charts.
RED = "#d93025"
YELLOW = "#e8a300"
GREEN = "#1e8e3e"
BLUE = "#1a73e8"
TEAL = "#12a4b8"
PURPLE = "#8e24aa"
GREY = "#9aa0a6"
NEUTRAL = "#5f6368"  # chart lines that are not a status (the original deadline, planned dates)
PALETTE = {"red": RED, "yellow": YELLOW, "green": GREEN, "blue": BLUE, "teal": TEAL, "purple": PURPLE, "grey": GREY,
           "neutral": NEUTRAL}


class Status(Term):
    """A problem's status as of a date, derived from its log (never typed by hand)."""

    NOT_STARTED = "not_started", "未启动", GREY, None, "#6f7378"
    IN_PROGRESS = "in_progress", "整改中", BLUE
    OVERDUE = "overdue", "逾期", RED
    DONE = "done", "已完成待销号", TEAL, None, "#0e8191"
    CLOSED = "closed", "已销号", GREEN, None, "#188038"
    REBOUND = "rebound", "反弹", PURPLE


# How much of a light's colour tints its badge. The inks below are chosen for 4.5:1 on this tint over white
# (ink) and over Material's slate background (night_ink); tests/test_vocabulary.py computes both.
LIGHT_TINT = 15


class Light(Term):
    """The warning light (亮灯): its badge writes the word in `ink` (light palette) or `night_ink` (slate)
    on a tint of `colour`; charts and the tally's dots use `colour` itself."""

    RED = "red", "红灯", RED, "#b3261e", None, "#f28b82"
    YELLOW = "yellow", "黄灯", YELLOW, "#8a5a00"
    GREEN = "green", "绿灯", GREEN, "#137333", None, "#81c995"


class Supervision(Term):
    NONE = "none", "无"
    CITY = "city", "市级挂牌督办", "#c5521b"
    PROVINCE = "province", "省级挂牌督办", "#b3261e"

    @property
    def level(self) -> str:
        """市级 or 省级: the level alone, for a list's column."""
        return self.label.removesuffix("挂牌督办")


class SourceKind(Term):
    INSPECTION = "inspection", "巡视巡察、督察反馈"
    ASSESSMENT = "assessment", "考核评估反馈"
    AUDIT = "audit", "审计发现"
    COMPLAINT = "complaint", "群众信访投诉"
    MEDIA = "media", "媒体曝光"
    SELF_CHECK = "self_check", "自查自纠"


class ReviewOutcome(Term):
    # the tag writes its word in `ink` on Material's code grey (#f5f5f5): the chart green is 3.9:1 there
    CONSOLIDATED = "consolidated", "整改成效巩固", GREEN, "#137333", None, "#81c995"
    REBOUND = "rebound", "问题反弹回潮", PURPLE, None, None, "#ce93d8"


class EntryType(Term):
    """The kinds of log entry; the colour marks an entry on a problem's timeline."""

    PROGRESS = "progress", "整改进展", BLUE
    EXTENSION = "extension", "延期", YELLOW
    NOTICE = "notice", "整改结果公示", TEAL
    CLOSE = "close", "销号", GREEN
    REVIEW = "review", "回头看", PURPLE
    REVISION = "revision", "调整", "#c5521b"


class RevisedField(Term):
    """The fields of a problem that change only through an appended revision entry (调整), approved by the
    office: the commitments a department would like to move quietly. The label names the field as the page
    and the messages do."""

    TITLE = "title", "问题名称"
    TARGET = "target", "整改目标"
    MEASURES = "measures", "整改措施"
    PLAN = "plan", "整改方案"
    LEADER = "leader", "挂帅领导"
    TEAM = "team", "工作专班"
    SECTION = "section", "承担股室"
    RESPONSIBLE = "responsible", "责任人"
    COOPERATING = "cooperating", "配合单位"
    SUPERVISION = "supervision", "挂牌督办"
    MILESTONES = "milestones", "倒排工期节点"


class InspectionKind(Term):
    ROUTINE = "routine", "一旬一督查"
    UNANNOUNCED = "unannounced", "四不两直、明察暗访"
    ADMONITION = "admonition", "约谈提醒", YELLOW
    PRAISE = "praise", "通报表扬", GREEN
    CRITICISM = "criticism", "通报批评", YELLOW


class Figure(Term):
    """A figure the portal publishes about a group of problems, by its field name in the derived figures
    (derivation/figures.py) and in the data files; the label heads its column in every page, Word file,
    spreadsheet and chart. A figure counted within a period (new, progress...) is labelled without the
    period: the page says 本月 or 本旬."""

    TOTAL = "total", "问题总数"
    CLOSED = "closed", Status.CLOSED.label
    FINISHED = "finished", "已完成或已销号"
    ON_TIME = "on_time", "按期完成"
    DUE = "due", "应完成"
    OVERDUE = "overdue", Status.OVERDUE.label
    OPEN = "open", "未完成"
    UNCLOSED = "unclosed", "未销号"
    STALE = "stale", "超期未更新"
    EVER_CLOSED = "ever_closed", "曾经销号"
    REBOUNDS_TO_DATE = "rebounds_to_date", "累计反弹"
    LOOKBACKS_OVERDUE = "lookbacks_overdue", "逾期未回头看"
    LAG_POINTS = "lag_points", "序时落后百分点合计"
    RED = "red", Light.RED.label
    YELLOW = "yellow", Light.YELLOW.label
    SUPERVISED = "supervised", "挂牌督办"
    NEW = "new", "新增"
    PROGRESS = "progress", "进展记录"
    NOTICES = "notices", "结果公示"
    CLOSES = "closes", EntryType.CLOSE.label
    EXTENSIONS = "extensions", "批准延期"
    REVISIONS = "revisions", "调整整改承诺"
    REBOUNDS = "rebounds", "回头看发现反弹"
    QUIET = "quiet", "无进展"
    CLOSURE_RATE = "closure_rate", "销号率"
    ON_TIME_RATE = "on_time_rate", "按期完成率"


# The campaign's own words that readers may not know, explained once on the rules page (名词解释) and
# linked where they appear: (anchor, term, explanation).
GLOSSARY: tuple[tuple[str, str, str], ...] = (
    ("steps", "八步走", "问题整改从“分析研判”到“成效巩固”的八个步骤，形成闭环；每条整改进展都注明所处的步骤。"),
    ("schedule", "序时进度", "从问题列入台账到完成时限，已经过去的时间所占的比例。完成度落后序时进度越多，亮灯越靠近红灯。"),
    ("supervision", "挂牌督办", "由市级或省级列名督办的重点问题，定期调度、限期办结。"),
    ("notice", "整改结果公示", "整改完成后、销号之前，向社会公示整改结果，公示期内接受群众反映意见。"),
    ("close", "销号", "整改完成并经审核确认后，把问题从清单中注销：“完成一项、销号一项”。"),
    ("review", "回头看", "对已销号问题的复查，看整改成效是否巩固；发现反弹回潮的，问题重新打开整改。"),
    ("revision", "调整", "整改目标、措施、责任人、挂牌督办级别或节点经专班办公室审核同意后的变更；原来的内容和每次调整都公开保留。"),
    ("light", "亮灯", "按完成情况和时限，给每个未销号的问题亮红灯、黄灯或绿灯，提示整改的紧迫程度。"),
)
GLOSSARY_ANCHOR = "term-{}"


VOCABULARIES: tuple[type[Term], ...] = (Status, Light, Supervision, SourceKind, ReviewOutcome, EntryType,
                                        RevisedField, InspectionKind)


def css_name(term: Term) -> str:
    """The custom property of a term's colour: --rc-status-overdue, --rc-light-red."""
    return f"--rc-{type(term).__name__.lower()}-{term.value.replace('_', '-')}"


def stylesheet() -> str:
    """The colours of lights, statuses, supervision levels and entries, as CSS the portal loads.

    portal.css uses only these custom properties for them, so a colour changed here changes everywhere."""
    lines = ["/* Generated by `rectify build` from generator/model/vocabulary.py; do not edit. */", ":root {"]
    for name, colour in PALETTE.items():
        lines.append(f"  --rc-{name}: {colour};")
    for vocabulary in VOCABULARIES:
        for term in vocabulary:
            if term.colour:
                lines.append(f"  {css_name(term)}: {term.colour};")
            if term.ink != term.colour:
                lines.append(f"  {css_name(term)}-ink: {term.ink};")
            if term.badge != term.colour:
                lines.append(f"  {css_name(term)}-badge: {term.badge};")
    lines.append("}")
    for term in Status:
        lines.append(f".rc-status--{term.value} {{ background: {term.badge}; }}")
    for term in Light:
        lines.append(f".rc-light--{term.value} {{ color: {term.ink}; "
                     f"background: color-mix(in srgb, {term.colour} {LIGHT_TINT}%, transparent); }}")
        lines.append(f'[data-md-color-scheme="slate"] .rc-light--{term.value} {{ color: {term.night_ink}; }}')
        lines.append(f".rc-dot--{term.value} {{ background: {term.colour}; }}")
    for term in Supervision:
        if term.colour:
            lines.append(f".rc-supervision--{term.value} {{ background: {term.colour}; }}")
    for term in EntryType:
        lines.append(f".md-typeset .rc-timeline__item--{term.value}::before {{ background: {term.colour}; }}")
    for term in ReviewOutcome:
        lines.append(f".rc-tag--{term.value} {{ color: {term.ink}; }}")
        lines.append(f'[data-md-color-scheme="slate"] .rc-tag--{term.value} {{ color: {term.night_ink}; }}')
    # a problem's reasons for its light are written in red: on the slate background, the red light's night ink
    lines.append(f'[data-md-color-scheme="slate"] .md-typeset .rc-reasons {{ color: {Light.RED.night_ink}; }}')
    return "\n".join(lines) + "\n"
