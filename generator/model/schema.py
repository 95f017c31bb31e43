"""The ledger format, declared once: pydantic models with a Chinese description for every field.

The JSON Schemas for editors, the field reference in the filing guide and the data-file columns are
all generated from these classes. Keys are English snake_case; values are Chinese.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints
from pydantic_core import PydanticCustomError

from .vocabulary import EntryType, InspectionKind, ReviewOutcome, RevisedField, SourceKind, Supervision

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
Slug = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$", max_length=40)]
ProblemId = Annotated[str, StringConstraints(pattern=r"^[A-Z]{2,8}-\d{4}-\d{3,5}$")]
Prefix = Annotated[str, StringConstraints(pattern=r"^[A-Z]{2,8}$")]
Percent = Annotated[int, Field(strict=True, ge=0, le=100)]  # strict: `true` is not 1, "50" is not 50
Days = Annotated[int, Field(strict=True)]
Amount = Annotated[float, Field(strict=True, allow_inf_nan=False)]  # whole numbers yes; true/false and .inf no


def _not_a_number(value: object) -> object:
    """pydantic would read a number as a Unix timestamp (deadline: 20271231); a clerk never means that."""
    if isinstance(value, int | float):
        raise PydanticCustomError("date_type", "Input should be a valid date")
    return value


Date = Annotated[dt.date, BeforeValidator(_not_a_number)]

PROBLEM_ID_FORMAT = "前缀-年份-序号，如 STHJ-2025-001"


def _title(name: str, info) -> str:
    """A field's title in editors: the first phrase of its Chinese description."""
    return re.split(r"[，：（(；]", info.description or name, maxsplit=1)[0]


class Record(BaseModel):
    """A ledger record. Each model names itself in Chinese with the `title=` class keyword: the editor
    shows that title when it offers the model (a log entry's title is its entry type's label)."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True,
                              field_title_generator=_title)


# ---------------------------------------------------------------- a problem


class Source(Record, title="问题来源"):
    """问题来源：从哪里发现的问题。"""

    kind: SourceKind = Field(description=f"问题来源类别：{SourceKind.choices()}")
    name: Text = Field(description="来源的名称，如“2024年省生态环境保护督察反馈意见”")
    date: Date | None = Field(None, description="反馈或发现的日期（可选），格式 YYYY-MM-DD")


class Milestone(Record, title="节点"):
    """倒排工期的一个节点。"""

    title: Text = Field(description="节点内容，如“完成污染地块详查”")
    due: Date | None = Field(None, description="计划完成日期，格式 YYYY-MM-DD；不得晚于完成时限")
    done: Date | None = Field(None, description="实际完成日期；尚未完成时不写")


class EntryBase(Record):
    date: Date = Field(description="记录日期，格式 YYYY-MM-DD；各条目须从早到晚排列，只能在末尾追加")


class Progress(EntryBase, title=EntryType.PROGRESS.label):
    """整改进展：做了什么，处在“八步走”的哪一步。"""

    type: Literal["progress"] = Field(description=f"条目类型：{EntryType.PROGRESS.choice}")
    step: Slug = Field(description="所处的“八步走”步骤编号，见 portal.yml 的 steps，如 implement")
    percent: Percent = Field(description="整体完成度，0 到 100 的整数；100 表示整改任务已完成")
    summary: Text = Field(description="本次完成的工作")
    evidence: list[Text] = Field(default_factory=list, description="佐证材料：文件文号、公开链接等（可选）")


class Extension(EntryBase, title=EntryType.EXTENSION.label):
    """延期：批准的新时限。原定时限（deadline）不得修改，延期只能追加本条目。"""

    type: Literal["extension"] = Field(description=f"条目类型：{EntryType.EXTENSION.choice}")
    deadline: Date = Field(description="批准后的新完成时限，格式 YYYY-MM-DD")
    reason: Text = Field(description="延期理由")
    approved_by: Text = Field(description="批准延期的单位，如“市问题整改工作专班”")
    document: Text | None = Field(None, description="批准文件的文号（可选）")


class Notice(EntryBase, title=EntryType.NOTICE.label):
    """整改结果公示：公示整改结果，截止日期前接受群众反映。"""

    type: Literal["notice"] = Field(description=f"条目类型：{EntryType.NOTICE.choice}")
    until: Date = Field(description="公示截止日期，公示期内接受群众反映")
    summary: Text = Field(description="公示的整改结果")
    channel: Text | None = Field(None, description="公示渠道及反映意见的方式（可选），如“市政府网站、12345热线”")


class Close(EntryBase, title=EntryType.CLOSE.label):
    """销号：经审核完成一项、销号一项。"""

    type: Literal["close"] = Field(description=f"条目类型：{EntryType.CLOSE.choice}")
    approved_by: Text = Field(description="审核销号的单位")
    document: Text = Field(description="销号文件的文号")
    summary: Text = Field(description="销号意见或整改成效概述")


class Review(EntryBase, title=EntryType.REVIEW.label):
    """回头看：对已销号问题的复查；发现反弹回潮时问题重新打开。"""

    type: Literal["review"] = Field(description=f"条目类型：{EntryType.REVIEW.choice}")
    outcome: ReviewOutcome = Field(description=f"回头看结论：{ReviewOutcome.choices()}（rebound 时问题重新打开）")
    satisfaction: Percent | None = Field(None, description="群众满意度（可选），0 到 100 的整数百分比")
    findings: Text = Field(description="回头看发现的情况")
    deadline: Date | None = Field(None, description="重新整改的完成时限（rebound 时必填，也可以在紧接着的一条延期记录里给出），"
                                                    "格式 YYYY-MM-DD；期满未完成即为逾期")


class Revision(EntryBase, title=EntryType.REVISION.label):
    """调整：经专班办公室审核同意，变更整改目标、措施、责任人、挂牌督办级别或节点。台账上原来的内容不得直接修改，
    只能追加本条目；原内容和每次调整都公开保留。"""

    model_config = ConfigDict(serialize_by_alias=True)  # written back and hashed as `from`, as the clerk writes it

    type: Literal["revision"] = Field(description=f"条目类型：{EntryType.REVISION.choice}")
    field: RevisedField = Field(description=f"调整的字段：{RevisedField.choices()}。推迟完成时限不用调整，请追加延期（extension）")
    # The values' formats depend on `field` (text, a list, a supervision level, milestones): the rule module
    # validation/rules/revisions.py checks them against the problem's own field, with a message per field.
    from_: object = Field(alias="from", description="调整前的内容：照抄当时有效的内容（台账原文，或上一次调整后的内容）")
    to: object = Field(description="调整后的内容，写法与该字段相同（措施、配合单位、节点写成列表）")
    reason: Text = Field(description="调整的理由")
    approved_by: Text = Field(description="审核同意调整的单位，如“市问题整改工作专班办公室”")
    document: Text | None = Field(None, description="同意调整的文件文号；调整整改目标、降低或取消挂牌督办时必填")


LogEntry = Annotated[Progress | Extension | Notice | Close | Review | Revision, Field(discriminator="type")]


class Problem(Record, title="问题台账"):
    """一个问题的台账：一个问题、一套措施、一名领导挂帅、一套班子、一个方案、一个股室承担、一名干部负责。"""

    id: ProblemId = Field(description=f"问题编号，格式为{PROBLEM_ID_FORMAT}；须与文件名一致，前缀为牵头部门的前缀")
    title: Text = Field(description="问题名称，一句话说明是什么问题")
    category: Slug = Field(description="问题类别编号，见 portal.yml 的 categories，如 ecology")
    source: Source = Field(description="问题来源")
    description: Text = Field(description="问题的具体表现")
    department: Slug = Field(description="牵头部门编号，须与所在文件夹同名，见 departments.yml")
    cooperating: list[Text] = Field(default_factory=list,
                                    description="配合单位：已登记部门写部门编号，其他单位写名称，如“*镇人民政府”")
    leader: Text = Field(description="挂帅领导（一名领导挂帅），写职务与姓氏，名字用“某”或“*”代替")
    team: Text = Field(description="工作专班（一套班子）的名称或组成")
    section: Text = Field(description="承担的股室（一个股室承担）")
    responsible: Text = Field(description="具体负责的干部（一名干部负责），写职务与姓氏，名字用“某”或“*”代替")
    target: Text = Field(description="整改目标：做到什么程度算整改到位")
    measures: list[Text] = Field(min_length=1, description="整改措施（一套措施），每条一项")
    plan: Text | None = Field(None, description="整改方案（一个方案）的名称或文号（可选）")
    opened: Date = Field(description="列入台账的日期，序时进度从这一天算起")
    deadline: Date = Field(description="原定完成时限。不得修改：延期请在 log 中追加 extension 条目")
    supervision: Supervision = Field(Supervision.NONE, description=f"挂牌督办：{Supervision.choices()}")
    imported: Text | None = Field(None, description="导入来源（可选）：从 Excel 台账导入时自动填写，"
                                                    "记下表格、工作表、行和内容指纹，再次导入时据此跳过已导入的行；请勿修改")
    milestones: list[Milestone] = Field(default_factory=list, description="倒排工期的节点（可选）")
    log: list[LogEntry] = Field(default_factory=list,
                                description="工作记录：按日期顺序只在末尾追加，已合并的条目不得修改或删除")


# ---------------------------------------------------------------- registries


class Category(Record, title="问题类别"):
    """问题类别。"""

    id: Slug = Field(description="类别编号（英文小写），问题文件的 category 引用它")
    name: Text = Field(description="类别名称，如“生态环境”")
    description: Text | None = Field(None, description="类别说明（可选）")


class Step(Record, title="“八步走”步骤"):
    """“八步走”闭环中的一步。"""

    id: Slug = Field(description="步骤编号（英文小写），进展记录的 step 引用它")
    name: Text = Field(description="步骤名称，如“分析研判”")
    description: Text | None = Field(None, description="这一步要做什么（可选）")


class Thresholds(Record, title="亮灯阈值"):
    """亮灯阈值，公布在门户的亮灯规则页。修改合入主分支后，当天及以后结束的各期督查报告和通报按新阈值计算，以往各期不变。"""

    red_lag: Percent = Field(30, description="完成度落后序时进度达到这么多个百分点时亮红灯")
    yellow_lag: Percent = Field(10, description="完成度落后序时进度达到这么多个百分点时亮黄灯")
    due_soon_days: Days = Field(15, ge=0, le=365, description="距完成时限不足这么多天且未完成时亮黄灯")
    stale_days: Days = Field(30, ge=1, le=365, description="未销号问题超过这么多天没有工作记录时亮黄灯，校验时给出提醒")
    close_days: Days = Field(30, ge=1, le=365,
                             description="整改完成（有结果公示的，自公示期满）后超过这么多天仍未销号时亮黄灯")


class Weights(Record, title="排名权重"):
    """月度通报部门排名的权重：得分 = 100 × Σ（权重 × 指标）÷ Σ 权重，各项指标为 0 到 1 之间的比例，越大越好。"""

    on_time: Days = Field(30, ge=0, le=100, description="按期完成率的权重：原定时限已到或已完成的问题中按原定时限完成的比例")
    closure: Days = Field(20, ge=0, le=100, description="销号率的权重：已销号问题占问题总数的比例")
    overdue: Days = Field(20, ge=0, le=100, description="未逾期比例的权重：1 减去逾期问题占问题总数的比例")
    stale: Days = Field(10, ge=0, le=100,
                        description="进展更新比例的权重：1 减去未完成问题中超过 stale_days 天没有进展记录的比例")
    rebound: Days = Field(10, ge=0, le=100, description="未反弹比例的权重：1 减去反弹次数占曾经销号问题数的比例")
    lag: Days = Field(10, ge=0, le=100,
                      description="序时进度符合度的权重：1 减去未完成问题完成度落后序时进度的平均百分点数除以 100")


class Reports(Record, title="督查通报规则"):
    """旬督查报告、月度通报和回头看的规则，随每期通报公布。修改合入主分支后，当天及以后结束的各期按新规则计算，以往各期不变（督查通报页列出每一版规则）。"""

    weights: Weights = Field(default_factory=Weights, description="月度通报部门排名的权重")
    praise_count: Days = Field(3, ge=0, le=50, description="表扬名单最多列出的部门数（按得分从高到低）")
    praise_min_score: Percent = Field(80, description="列入表扬名单的最低得分，且当月末没有逾期问题")
    criticise_count: Days = Field(3, ge=0, le=50, description="通报批评名单最多列出的部门数（按得分从低到高）")
    criticise_below: Percent = Field(60, description="得分低于这个分数的部门列入通报批评名单")
    review_days: Days = Field(90, ge=1, le=730, description="销号后满这么多天应开展回头看")
class NoticeRule(Record, title="整改结果公示要求"):
    """销号前是否必须先公示整改结果，公示至少几天，群众如何提出异议。"""

    required: bool = Field(False, description="true 时，销号之前必须先有一条整改结果公示（notice）记录，且公示期满后才能销号")
    min_days: Days = Field(5, ge=1, le=90, description="公示期最短天数（含公示开始和截止当天）")
    since: Date | None = Field(None, description="自哪一天起的销号须先公示（可选）；此前的销号不受此要求约束")
    objections: Text | None = Field(None, description="对公示结果提出异议的方式，显示在公示问题清单上（可选，默认用 feedback）")


class Portal(Record, title="门户设置"):
    """portal.yml：门户的基本信息、问题类别、八步走步骤和亮灯阈值，由专班办公室维护。"""

    city: Text = Field(description="城市名称")
    title: Text = Field(description="门户标题")
    office: Text = Field(description="主办单位，如“市打好问题整改硬仗工作专班办公室”")
    feedback: Text = Field(description="群众反映问题、对公示提出意见的渠道（公开的办公电话、信箱、网站）")
    site_code: Text | None = Field(None, description="政府网站标识码（可选），显示在每页页脚")
    icp: Text | None = Field(None, description="ICP 备案号（可选），显示在每页页脚，如“*ICP备12345678号”")
    campaign_start: Date = Field(description="整改工作开始日期")
    categories: list[Category] = Field(min_length=1, description="问题类别")
    steps: list[Step] = Field(min_length=1, description="“八步走”闭环的步骤，按先后顺序")
    thresholds: Thresholds = Field(default_factory=Thresholds, description="亮灯阈值")
    reports: Reports = Field(default_factory=Reports, description="旬督查报告、月度通报排名和回头看的规则（可选）")
    repository: Annotated[str, StringConstraints(pattern=r"^https://[^\s?#]+[^/\s?#]$")] | None = Field(
        None, description="台账仓库的网址（可选，https 开头，末尾不带斜杠），如 https://github.com/city/zhenggai；"
                          "填写后每个问题页面链接到仓库的“群众反映”议题模板，并填好问题编号")
    owners: list[Text] = Field(default_factory=list,
                               description="专班办公室有权修改登记表、督查记录和每周快照的 git 团队或账号，如 @city/office；"
                                           "也写进 CODEOWNERS")
    notice: NoticeRule = Field(default_factory=NoticeRule, description="整改结果公示要求（可选）")


class Department(Record, title="部门"):
    """一个牵头部门或责任单位。"""

    id: Slug = Field(description="部门编号（英文小写，用连字符），也是该部门问题文件所在的文件夹名")
    name: Text = Field(description="部门全称，如“市生态环境局”")
    short: Text | None = Field(None, description="简称（可选），用于图表")
    prefix: Prefix = Field(description="问题编号前缀，2 到 8 个大写字母，如 STHJ")
    owners: list[Text] = Field(default_factory=list, description="有权修改该部门台账的 git 团队或账号，如 @city/sthj")


class Departments(Record, title="部门登记表"):
    """departments.yml：牵头部门和责任单位的登记表，由专班办公室维护。"""

    departments: list[Department] = Field(min_length=1, description="部门列表")


class IndicatorValue(Record, title="指标数值"):
    """指标在某一日期的累计数值。"""

    date: Date = Field(description="统计日期")
    value: Amount = Field(ge=0, description="截至该日期的累计数值")


class Indicator(Record, title="工作指标"):
    """首页展示的一项工作指标。"""

    id: Slug = Field(description="指标编号")
    name: Text = Field(description="指标名称，如“‘五个群众’行动走访群众”")
    unit: Text = Field(description="单位，如“人次”“件”")
    target: Amount | None = Field(None, ge=0, description="目标值（可选）")
    note: Text | None = Field(None, description="说明（可选）")
    values: list[IndicatorValue] = Field(min_length=1, description="按日期排列的累计数值")


class Indicators(Record, title="工作指标表"):
    """indicators.yml（可选）：首页展示的工作指标。"""

    indicators: list[Indicator] = Field(description="指标列表")


class Inspection(Record, title="督查记录"):
    """inspections/ 下的一份督查记录：一旬一督查、明察暗访、约谈提醒、表扬与批评。"""

    id: Annotated[str, StringConstraints(pattern=r"^DC-\d{4}-\d{3}$")] = Field(
        description="督查记录编号，格式 DC-年份-序号，如 DC-2025-001；须与文件名一致")
    date: Date = Field(description="督查日期")
    kind: InspectionKind = Field(description=f"类型：{InspectionKind.choices()}")
    title: Text = Field(description="标题")
    departments: list[Slug] = Field(min_length=1, description="涉及的部门编号")
    problems: list[ProblemId] = Field(default_factory=list, description="涉及的问题编号（可选）")
    findings: Text = Field(description="发现的情况或表扬、批评的内容")
    follow_up: Text | None = Field(None, description="整改要求或后续安排（可选）")


SCHEMAS: dict[str, type[Record]] = {
    "problem": Problem,
    "portal": Portal,
    "departments": Departments,
    "indicators": Indicators,
    "inspection": Inspection,
}
