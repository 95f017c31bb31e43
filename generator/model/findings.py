"""Findings as data: the stable code registry and the frozen Finding type every stage reports problems with."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from enum import StrEnum


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True)
class Code:
    """One kind of finding. The id never changes once published; departments search for it."""

    id: str
    slug: str
    title: str
    description: str
    severity: Severity = Severity.ERROR


_CODES = [
    # E1xx: the file itself cannot be read as a strict YAML document.
    Code("E101", "yaml-syntax", "YAML 语法错误", "文件不是合法的 YAML，常见原因：冒号后缺空格、引号不成对、缩进不齐。"),
    Code("E102", "duplicate-key", "键重复", "同一层级里同一个键出现了两次；后一个会悄悄覆盖前一个，因此不允许。"),
    Code("E103", "tab-indent", "用制表符缩进", "YAML 只能用空格缩进；制表符在不同编辑器里宽度不同，会让层级错乱。"),
    Code("E104", "anchor-alias", "使用了锚点、别名、合并键或自定义标签",
         "台账不允许使用 &锚点、*别名、<< 合并键和自定义 !标签：它们让文件难以审阅，还可能被用来制造超大文档。"),
    Code("E105", "encoding", "文件不是 UTF-8 编码", "台账文件必须以 UTF-8 保存（可以带 BOM）。"),
    Code("E106", "file-too-large", "文件过大", "单个台账文件超过了大小上限，请检查是否误粘贴了大量内容。"),
    Code("E107", "impossible-date", "日期不存在", "日期格式正确但日历上没有这一天，例如 2025-02-30。"),
    Code("E108", "ambiguous-scalar", "文字被 YAML 读成了别的类型",
         "YAML 会把未加引号的 no、on、yes、1.10 等读成布尔值或数字；需要文字的地方请加引号。"),
    Code("E109", "not-a-mapping", "文件内容不是“键: 值”结构", "整个文件应当是若干“键: 值”行组成的映射，而不是空文件、列表或单个值。"),
    Code("E110", "control-character", "含不可见的控制字符",
         "文字里有回车、垂直制表符、空字符等不可见的控制字符（常见于从别处复制粘贴，或写在双引号里的 \\r、\\v、\\0 等转义）；"
         "它们会弄乱页面和下载文件，请删去。换行请直接换行或用 \\n。"),
    # E2xx: the document does not match the schema.
    Code("E201", "missing-field", "缺少必填字段", "字段是必填的，但文件里没有。"),
    Code("E202", "unknown-field", "未知字段", "这个键不在格式定义里，多半是拼写错误；格式定义见填报指南。"),
    Code("E203", "wrong-type", "取值类型不对", "例如需要日期却写了文字，需要列表却写了单个值。"),
    Code("E204", "not-allowed", "取值不在可选范围内", "字段只接受几个固定的取值之一。"),
    Code("E205", "out-of-range", "数值超出范围", "数值过大或过小，例如完成百分比超过 100。"),
    Code("E206", "bad-format", "格式不对", "取值不符合规定的格式，例如问题编号应为“前缀-年份-序号”。"),
    Code("E207", "empty-value", "取值为空", "字段不能为空文字或空列表。"),
    # E3xx: rules across files and within the log.
    Code("E301", "wrong-folder", "文件放错了文件夹", "问题文件必须放在其牵头部门（department）同名的文件夹里。"),
    Code("E302", "filename-mismatch", "文件名与编号不一致", "问题文件名必须是“问题编号.yml”。"),
    Code("E303", "duplicate-id", "编号重复", "同一个编号在多个文件里出现。编号一经公布不得复用。"),
    Code("E304", "id-prefix", "编号前缀与部门不符", "问题编号必须以牵头部门在 departments.yml 中登记的前缀开头。"),
    Code("E305", "unknown-department", "部门未登记", "引用的部门编号不在 departments.yml 中。"),
    Code("E306", "unknown-category", "类别未登记", "问题类别不在 portal.yml 的 categories 中。"),
    Code("E307", "log-order", "日期顺序颠倒",
         "log 和指标的 values 都只能在末尾追加，条目日期必须从早到晚排列，且不早于问题列入台账的日期。"),
    Code("E308", "close-not-done", "未完成就销号", "销号（close）之前必须有一条完成度 100% 的进展记录。"),
    Code("E309", "review-before-close", "未销号就回头看", "回头看（review）只能出现在销号（close）之后。"),
    Code("E310", "milestone-late", "节点晚于完成时限", "倒排工期的节点日期不能晚于（延期后的）完成时限。"),
    Code("E311", "private-mobile", "含手机号码", "公开内容中不得出现手机号码：数字之间加了空格、短横线或点号的也算，写在 YAML 注释（“#”后面）里的也算，"
         "因为台账仓库是公开的；请改用单位办公电话或删去。"),
    Code("E312", "private-id-card", "含身份证号码", "公开内容中不得出现身份证号码：分段书写的也算，写在 YAML 注释里的也算；"
         "出生日期和校验位对不上的长编号（流水号、合同号等）不算。"),
    Code("E313", "private-email", "含电子邮箱", "公开内容中不得出现电子邮箱地址，写在 YAML 注释里的也算；请改用单位公开的反馈渠道。"),
    Code("E314", "unknown-step", "整改步骤未登记", "进展记录里的步骤（step）不在 portal.yml 的八步走步骤中。"),
    Code("E315", "unknown-problem", "问题编号不存在", "督查记录引用的问题编号不在任何台账文件里。"),
    Code("E316", "extension-not-later", "延期后的时限没有推后", "延期（extension）给出的新时限必须晚于当时有效的时限。"),
    Code("E317", "close-during-notice", "公示期未满就销号", "整改结果公示（notice）期间不能销号，销号日期须晚于公示截止日期。"),
    Code("E318", "duplicate-entry-id", "登记编号重复", "同一登记表里同一个编号出现了两次（部门、类别、步骤或指标）。"),
    Code("E319", "future-entry", "日期晚于今天",
         "工作记录、列入台账日期、节点的实际完成日期、督查日期和指标数值的日期都不能晚于今天（校验的日期）；"
         "未来的安排请写在 milestones 的计划日期（due）里。"),
    Code("E320", "missing-registry", "缺少登记表", "台账目录里缺少必需的登记表文件（portal.yml 或 departments.yml）。"),
    Code("E321", "notice-ends-early", "公示截止日期早于开始日期",
         "整改结果公示（notice）的截止日期（until）不能早于这条记录的日期。"),
    Code("E322", "unread-ledger-file", "台账文件不会被读取",
         "一个 .yml 或 .yaml 文件放在了校验和发布都不会读取的位置（扩展名写成 .yaml、放进了子文件夹或台账根目录）；"
         "不改正，这个问题就不会出现在门户上。"),
    Code("E323", "reserved-id", "编号是保留字", "部门编号不能是 index 或 inspections，类别编号不能是 index：门户已用这些名字。"),
    Code("E324", "deadline-before-opened", "完成时限早于列入台账日期", "完成时限（deadline）不能早于列入台账的日期（opened）。"),
    Code("E325", "entry-after-close", "销号后又追加了整改记录",
         "销号后只能追加回头看（review）和成效巩固的进展（完成度 100%）。回头看发现反弹（outcome: rebound）之后，"
         "才能重新追加整改进展、延期和公示。"),
    Code("E326", "notice-not-done", "未完成就公示结果", "整改结果公示（notice）之前必须有一条完成度 100% 的进展记录。"),
    Code("E327", "duplicate-name", "名称重复",
         "两个部门的简称（short）或两个类别的名称（name）相同，图表和表格里无法区分；请改成不同的名称。"),
    Code("E328", "symlink", "链接不是文件",
         "台账目录里有一个符号链接。链接可能指向台账以外的文件，审核拉取请求的人看不到它指向的内容，所以不读取、不发布；"
         "请把文件本身放进来。"),
    Code("E329", "placeholder", "还是模板里的提示文字",
         "字段里还是 rectify new 生成的模板提示（以“请填写”开头）；不换成实际内容就会原样公开，因此不允许。"),
    Code("E330", "to-be-completed", "还有待补充的内容",
         "字段里还是“待补充”：rectify import --force 导入时表格里缺少或读不出这一项，先写下了这个标记；"
         "请换成实际内容（日期写成 YYYY-MM-DD）。"),
    Code("E331", "rebound-without-deadline", "反弹后没有新的完成时限",
         "回头看发现反弹（outcome: rebound）时，必须在这条 review 的 deadline 里给出重新整改的完成时限，"
         "或者紧接着追加一条延期（extension）记录；期满未完成即为逾期。deadline 只用于结论为反弹的回头看。"),
    Code("E332", "close-without-notice", "销号前没有公示整改结果",
         "portal.yml 的 notice 要求销号之前先公示整改结果（notice），公示期满后才能销号。"),
    Code("E333", "notice-too-short", "公示期短于规定天数",
         "整改结果公示的天数（从公示记录的日期到截止日期 until，含首尾两天）少于 portal.yml 的 notice.min_days。"),
    # E334-E336: revisions (调整) of a problem's commitments; what may change and how is model/permanence.py.
    Code("E334", "revision-from", "调整前的内容与当时有效的内容不一致",
         "调整（revision）记录的 from 必须照抄调整前有效的内容：台账原文，或同一字段上一次调整后的内容。"),
    Code("E335", "revision-unchanged", "调整前后内容相同", "调整（revision）记录的 from 和 to 相同，什么也没有调整。"),
    Code("E336", "revision-document", "调整缺少批准文号",
         "调整整改目标、降低或取消挂牌督办，须在 document 中写明专班办公室同意调整的文件文号。"),
    # E34x: the published history (snapshots/) against today's ledger; reported by `rectify validate --history`.
    Code("E340", "history-rewritten", "历史记录与周快照不符",
         "按现在的台账重新计算某一周的状态，与当周已发布的快照记录不同：已经合并的记录被修改、删除或补记了。"
         "请恢复原来的记录；确需更正的，追加新的记录并说明。"),
    Code("E341", "snapshot-chain", "周快照链断裂",
         "周快照文件被修改、删除或无法读取：每份快照都记着前一份快照文件的 SHA-256 摘要，改动任何一份都会使其后的链接对不上。"),
    Code("E342", "snapshot-figures", "周快照的统计数字被改动",
         "快照里全市或某个部门的统计数字（问题总数、各状态、各亮灯的个数）不是这份快照自己所记各问题的合计：数字在发布后被改动过。"
         "门户的图表只用按台账重算的数字，不用快照里的数字。"),
    Code("E343", "snapshot-missing", "缺少某一周的周快照",
         "从第一份快照起，到数据截至日期为止，每个已经结束的周都应有一份快照（刚结束、等周一快照任务生成的那一周除外）；"
         "缺了一周，说明快照文件被删除了（git 历史里有它），或快照任务没有运行。最新一份快照之后缺少的周还可以补上"
         "（运行快照任务）；夹在两份快照之间、git 历史里从未提交过的一周无法再补，只在历史记录核验页公示，不算错误。"),
    Code("E344", "snapshot-replaced", "已提交的周快照被替换且内容不符",
         "git 历史里提交过的某一版周快照已不在快照目录中，而它记录的内容按现在的台账已算不出来：快照链被重新生成过，"
         "用来掩盖台账在发布后的改动。内容仍相符的替换（如快照格式升级）只在历史记录核验页列出，不算错误。"),
    Code("E345", "inspection-rewritten", "督查记录与周快照不符",
         "周快照记录了当时每条督查记录的 SHA-256 摘要；现在的督查记录与之不同、不见了，或日期被改到已存档的周里：督查记录在发布后被改动过。"),
    # E5xx: a change judged against the base of a pull request (rectify check-history, check-ownership) and
    # the committed CODEOWNERS files.
    Code("E501", "file-deleted", "删除了台账文件",
         "已经合并的问题文件和督查记录不得删除：问题撤销也要在 log 末尾追加一条记录说明，文件保留。"),
    Code("E502", "file-renamed", "台账文件改名或移动",
         "已经合并的问题文件和督查记录不得改名或移到别的文件夹：编号和网址一经公布就不再改变。"),
    Code("E503", "entry-changed", "改动了已合并的记录",
         "log 里已经合并的记录不得修改；写错了请在末尾追加一条新记录说明更正。"),
    Code("E504", "entry-removed", "删除了已合并的记录", "log 里已经合并的记录不得删除。"),
    Code("E505", "entry-moved", "已合并的记录换了位置", "log 里已经合并的记录不得调换顺序。"),
    Code("E506", "entry-inserted", "新记录没有加在末尾", "新记录只能追加在 log 的最后，不能插在已合并的记录之间。"),
    Code("E507", "date-edited", "改动了完成时限等日期",
         "完成时限（deadline）、列入台账日期（opened）和节点的计划日期（due）不得直接修改，节点也不得删除；"
         "推迟时限请在 log 末尾追加延期（extension）记录。"),
    Code("E508", "backdated", "新记录补记到了已存档的周",
         "每周的快照（snapshots/ 下的 YYYY-Www.json）已经存档了那一周的情况；新记录、新问题、新督查记录和新填的节点完成日期都必须晚于最新快照那一周的周日。"),
    Code("E509", "snapshot-changed", "改动或删除了每周快照", "snapshots/ 下已经提交的每周快照不得修改、改名或删除。"),
    Code("E510", "close-edited", "改动了销号记录", "已销号问题的销号（close）记录不得修改或删除。"),
    Code("E511", "not-owner", "无权修改这个部门的台账",
         "部门文件夹下的问题文件只能由该部门在 departments.yml 中登记的 owners 修改；否则须由他们审核同意。"),
    Code("E512", "office-only", "只有专班办公室可以修改",
         "登记表（portal.yml、departments.yml、indicators.yml）、督查记录（inspections/）和每周快照（snapshots/）"
         "只能由 portal.yml 中登记的专班办公室 owners 修改。"),
    Code("E513", "codeowners-stale", "CODEOWNERS 文件没有更新",
         "提交的 .github/CODEOWNERS 或 .gitlab/CODEOWNERS 与登记表中的 owners 不一致；请运行 rectify codeowners 重新生成后提交。"),
    Code("E514", "fixed-field-edited", "改动了不得变更的台账内容",
         "问题编号、牵头部门、类别、问题来源、问题描述和列入台账日期是交办时的事实，合并后不得修改。"),
    Code("E515", "commitment-edited", "直接改动了整改承诺",
         "整改目标、措施、问题名称、挂帅领导、工作专班、股室、责任人、配合单位、挂牌督办和节点合并后不得直接修改；"
         "须经专班办公室审核同意后，在 log 末尾追加一条调整（type: revision）记录，原来的内容保留不动。"),
    Code("E516", "inspection-edited", "改动了已合并的督查记录",
         "督查记录合并后不得修改：后续情况请另建一份督查记录，引用原记录涉及的部门和问题。"),
    Code("E517", "office-sign-off", "延期、调整和销号须经专班办公室批准",
         "部门在拉取请求里追加的延期（extension）、调整（revision）和销号（close）记录，要由专班办公室的 owners 在拉取请求中"
         "批准（Approve）才能通过：记录里的 approved_by 是填报人写的文字，专班办公室的批准才是真的同意。"
         "批准之后重新运行检查即可；专班办公室自己提交的不受此限。"),
    # E520-E524: check-ownership beyond the data folders, and who the author is.
    Code("E520", "outside-ledgers", "改动了台账以外的文件",
         "程序代码（generator/ 等）、工作流和持续集成脚本（.github/、.gitlab-ci.yml、.ci/）、Makefile、mkdocs.yml、"
         "overrides/、docs/、pyproject.toml、constraints.txt 和仓库根目录的其他文件决定检查怎样运行、门户怎样生成，"
         "只能由 portal.yml 中登记的专班办公室 owners 修改或审核同意；部门的拉取请求只改动本部门文件夹里的问题文件。"),
    Code("E521", "link-or-submodule", "加入了符号链接或子模块",
         "改动在仓库的某处加入了符号链接（symlink）或 git 子模块（submodule）：它们指向的内容不在这次改动里，"
         "审核人看不到，检查也读不到，所以不论谁提交都不接受；请把文件本身放进来。"),
    Code("E522", "git-settings", "改动了 git 的设置文件",
         ".gitattributes、.gitmodules、.gitignore、.lfsconfig、.mailmap 会改变 git 和代码托管平台显示、比较文件的方式"
         "（例如让别的部门文件的改动在审核页面上不显示差异），不论放在哪个文件夹，都只能由专班办公室修改。"),
    Code("E523", "team-unresolved", "无法确认作者是否属于登记的团队",
         "owners 里登记的是团队（@组织/团队），检查要向 GitHub 或 GitLab 查询作者是否属于这个团队，但没有可用的令牌或查询失败："
         "GitHub 需要仓库密钥 RECTIFY_TEAMS_TOKEN（read:org 权限；来自复刻仓库的拉取请求拿不到密钥），"
         "GitLab 需要 CI/CD 变量 RECTIFY_GITLAB_TOKEN（read_api 权限）。配置好之前，这类改动不能通过。"),
    Code("E524", "author-unknown", "无法确定合并请求的作者",
         "在 GitLab 的合并请求流水线里，改动的作者是创建合并请求的人，不是启动流水线的人（GITLAB_USER_LOGIN），"
         "要通过 GitLab API 查询；查询失败时（多半是没有设置有 read_api 权限的 CI/CD 变量 RECTIFY_GITLAB_TOKEN）无法检查修改权限。"),
    # W4xx: warnings; they fail validation only with --strict.
    Code("W401", "stale", "长期没有进展",
         "尚未完成的问题超过规定天数没有进展记录（progress）；延期、公示等其他记录不算进展。", Severity.WARNING),
    Code("W402", "milestone-no-date", "节点没有日期", "节点没有写计划完成日期（due），无法倒排工期。", Severity.WARNING),
    Code("W403", "unexpected-file", "无关文件", "台账目录里有与台账无关的文件或文件夹（如说明文档、附件），校验和发布时都被忽略；台账请不要放在这里。",
         Severity.WARNING),
    # X: the run itself failed.
    Code("X001", "internal", "内部错误", "校验程序自身出错，请把这段输出报告给专班办公室的技术人员。"),
]

CODES: dict[str, Code] = {code.id: code for code in _CODES}

# Personal data on a public site cannot be taken back once published: of all errors, these come first.
PRIVACY_CODES = frozenset({"E311", "E312", "E313"})


@dataclass(frozen=True, order=True)
class Finding:
    """One thing wrong with the ledgers, pointing at the line to fix."""

    file: str
    line: int
    column: int
    code: str
    message: str
    field: str = ""
    severity: Severity = dataclasses.field(default=Severity.ERROR, compare=False)

    @classmethod
    def make(cls, code: str, file: str, position: tuple[int, int], message: str, field: str = "") -> Finding:
        return cls(file, position[0], position[1], code, message, field, CODES[code].severity)

    @property
    def title(self) -> str:
        return CODES[self.code].title

    def to_dict(self) -> dict:
        return {
            "file": self.file,
            "line": self.line,
            "column": self.column,
            "code": self.code,
            "slug": CODES[self.code].slug,
            "title": self.title,
            "severity": str(self.severity),
            "field": self.field,
            "message": self.message,
        }


def most_serious_first(findings) -> list[Finding]:
    """Findings as a clerk should fix them: private data first, then errors, then warnings; within each, by
    file, line and column."""
    def rank(finding: Finding) -> tuple:
        level = 0 if finding.code in PRIVACY_CODES else 1 if finding.severity == Severity.ERROR else 2
        return level, finding

    return sorted(set(findings), key=rank)
