"""`rectify synth`: a deterministic synthetic ledger of any size, valid, with every status, for scale tests."""

from __future__ import annotations

import datetime as dt
import random
import shutil
from pathlib import Path

from ..loading.yamlio import dump

STEPS = [("analysis", "分析研判"), ("plan", "制定方案"), ("mobilize", "部署动员"), ("implement", "推进整改"),
         ("supervise", "督查督办"), ("accept", "验收评估"), ("publicize", "结果公示"), ("consolidate", "成效巩固")]
CATEGORIES = [("ecology", "生态环境"), ("rural-assets", "农村集体三资"), ("education", "教育"), ("health", "医疗卫生"),
              ("real-estate", "不动产登记"), ("business-fees", "涉企收费"), ("food-drug", "食品药品安全"),
              ("transport", "交通出行")]
TOWNS = ["东*镇", "西*镇", "南*镇", "北*镇", "*河镇", "*山乡", "*湾街道", "*桥街道"]
SUBJECTS = ["农用地土壤重金属超标", "村集体资金账目不清", "学校违规收费", "医院过度检查", "不动产证办理积压",
            "涉企检查重复收费", "小作坊食品卫生不达标", "公交线路覆盖不足", "河道垃圾堆积", "集体资产出租不规范"]
ACTIONS = ["开展全面排查", "制定专项方案", "约谈相关负责人", "建立长效机制", "组织现场核查", "完成整改验收",
           "召开专题会议", "印发工作通知", "开展回访调查", "落实资金保障"]
KINDS = ("not_started", "in_progress", "overdue", "done", "closed", "rebound")


def _letters(index: int, width: int = 2) -> str:
    out = ""
    for _ in range(width):
        index, digit = divmod(index, 26)
        out = chr(ord("A") + digit) + out
    return out


def synthesize(out: Path, problems: int, departments: int, today: dt.date, seed: int = 2025) -> int:
    """Write a ledger to `out` (replacing it), written up to `today`: no entry after it, every status on it.
    Returns the number of problem files written."""
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    rng = random.Random(seed)
    start = today - dt.timedelta(days=700)
    _write(out / "portal.yml", {
        "city": "样例市",
        "title": "样例市打好问题整改硬仗 整改公示（合成数据）",
        "office": "样例市问题整改工作专班办公室",
        "feedback": "12345 政务服务便民热线",
        "campaign_start": start,
        "categories": [{"id": cid, "name": name} for cid, name in CATEGORIES],
        "steps": [{"id": sid, "name": name} for sid, name in STEPS],
        "thresholds": {"red_lag": 30, "yellow_lag": 10, "due_soon_days": 15, "stale_days": 45},
    })
    units = [{"id": f"dept-{i + 1:03d}", "name": f"样例市第{i + 1}局", "short": f"第{i + 1}局",
              "prefix": "D" + _letters(i), "owners": [f"@sample-city/dept-{i + 1:03d}"]}
             for i in range(departments)]
    _write(out / "departments.yml", {"departments": units})
    counters: dict[tuple[str, int], int] = {}
    for index in range(problems):
        unit = units[index % departments]
        kind = KINDS[index % len(KINDS)]
        problem = _problem(rng, index, unit, kind, today, start, units)
        key = (unit["prefix"], problem["opened"].year)
        counters[key] = counters.get(key, 0) + 1
        problem["id"] = f"{unit['prefix']}-{problem['opened'].year}-{counters[key]:03d}"
        problem = {"id": problem.pop("id"), **problem}
        _write(out / unit["id"] / f"{problem['id']}.yml", problem)
    return problems


def _day(start: dt.date, end: dt.date, rng: random.Random) -> dt.date:
    return start + dt.timedelta(days=rng.randint(0, max(0, (end - start).days)))


def _problem(rng: random.Random, index: int, unit: dict, kind: str, today: dt.date, start: dt.date,
             units: list[dict]) -> dict:
    town = rng.choice(TOWNS)
    subject = rng.choice(SUBJECTS)
    category = CATEGORIES[index % len(CATEGORIES)][0]
    if kind == "not_started":
        opened = today - dt.timedelta(days=rng.randint(1, 30))
        deadline = today + dt.timedelta(days=rng.randint(60, 400))
    elif kind == "overdue":
        opened = _day(start, today - dt.timedelta(days=200), rng)
        deadline = today - dt.timedelta(days=rng.randint(1, 90))
    elif kind == "in_progress":
        opened = _day(start, today - dt.timedelta(days=60), rng)
        deadline = today + dt.timedelta(days=rng.randint(5, 400))
    else:
        opened = _day(start, today - dt.timedelta(days=300), rng)
        deadline = opened + dt.timedelta(days=rng.randint(200, 500))
    log: list[dict] = []
    cursor = opened
    first_deadline = deadline  # differs when an extension moved it

    def progress(percent: int, until: dt.date) -> None:
        nonlocal cursor
        cursor = _day(cursor, until, rng)
        step = STEPS[min(7, percent * 8 // 101)][0]
        log.append({"date": cursor, "type": "progress", "step": step, "percent": percent,
                    "summary": f"{rng.choice(ACTIONS)}，{town}{subject}整改完成{percent}%。",
                    "evidence": [f"样整改〔{cursor.year}〕{rng.randint(1, 300)}号"]})

    if kind != "not_started":
        latest = today - dt.timedelta(days=rng.randint(0, 20))
        if kind in ("in_progress", "overdue"):
            for percent in sorted(rng.sample(range(5, 100, 5), rng.randint(1, 4))):
                progress(percent, min(latest, cursor + dt.timedelta(days=60)))
            original = deadline - dt.timedelta(days=30)
            if kind == "overdue" and index % 4 == 1 and original > opened + dt.timedelta(days=40):
                # the deadline in force came from an extension that has itself passed
                log.append({"date": cursor, "type": "extension", "deadline": deadline,
                            "reason": "涉及历史遗留问题，需协调多个部门", "approved_by": "样例市问题整改工作专班"})
                first_deadline = original
        else:
            finish = min(today - dt.timedelta(days=40), opened + dt.timedelta(days=rng.randint(60, 250)))
            for percent in (30, 70):
                progress(percent, finish)
            progress(100, finish)
            if kind == "done":
                log.append({"date": cursor, "type": "notice", "until": cursor + dt.timedelta(days=7),
                            "summary": "整改结果向社会公示，接受群众监督。"})
            else:
                close_on = cursor + dt.timedelta(days=10)
                log.append({"date": cursor, "type": "notice", "until": cursor + dt.timedelta(days=7),
                            "summary": "整改结果向社会公示，接受群众监督。"})
                log.append({"date": close_on, "type": "close", "approved_by": "样例市问题整改工作专班办公室",
                            "document": f"样销号〔{close_on.year}〕{index % 500 + 1}号",
                            "summary": "整改到位，同意销号。"})
                review_on = _day(close_on + dt.timedelta(days=5), today - dt.timedelta(days=1), rng)
                outcome = "rebound" if kind == "rebound" else "consolidated"
                log.append({"date": review_on, "type": "review", "outcome": outcome,
                            "satisfaction": rng.randint(70, 99),
                            "findings": "回访群众，问题未再出现。" if outcome == "consolidated" else "回访发现问题有所反弹。"})
                if outcome == "rebound":  # the new round's deadline (E331), still ahead: the problem stays a rebound
                    log[-1]["deadline"] = today + dt.timedelta(days=90)
    milestones = []
    for number, share in enumerate((0.3, 0.7), start=1):
        due = opened + dt.timedelta(days=int((deadline - opened).days * share))
        milestone = {"title": f"第{number}阶段：{ACTIONS[(index + number) % len(ACTIONS)]}", "due": due}
        if due <= today and kind != "not_started" and rng.random() < 0.7:
            milestone["done"] = due
        milestones.append(milestone)
    cooperating = [units[(index + 1) % len(units)]["id"]] if len(units) > 1 else []
    return {
        "title": f"{town}{subject}问题（合成第{index + 1}号）",
        "category": category,
        "source": {"kind": "inspection", "name": "合成数据督察反馈"},
        "description": f"经排查，{town}存在{subject}的情况，群众反映较多。",
        "department": unit["id"],
        "cooperating": [*cooperating, f"{town}人民政府"],
        "leader": "副市长 某某",
        "team": f"{subject}整改工作专班",
        "section": "综合科",
        "responsible": "科长 某某",
        "target": f"{town}{subject}问题得到根本解决，建立长效机制。",
        "measures": [f"{rng.choice(ACTIONS)}。", f"{rng.choice(ACTIONS)}。"],
        "opened": opened,
        "deadline": first_deadline,
        "supervision": ("none", "none", "city", "province")[index % 4],
        "milestones": milestones,
        "log": log,
    }


def _write(path: Path, data: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(dump(data), encoding="utf-8")
