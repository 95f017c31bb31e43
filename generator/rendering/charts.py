"""Chart specifications: plotly figures as JSON without a template (styling happens in the browser).

Aggregate charts go through plotly's graph objects, which validate them; a problem's milestone chart
is built as a plain dict of the same shape because 10,000 graph objects would cost more than the rest
of the generation (a test checks that plotly accepts it).
"""

from __future__ import annotations

import datetime as dt
import html
import json
from dataclasses import dataclass

import plotly.graph_objects as go

from ..derivation.campaign import Campaign, Row, tally
from ..model.vocabulary import BLUE, NEUTRAL, Figure, Light, Status


@dataclass(frozen=True)
class Chart:
    """A figure and the table a reader who cannot see it gets instead."""

    id: str
    title: str
    figure: dict
    columns: tuple[str, ...]
    rows: tuple[tuple, ...]
    keep_table: bool = False  # the table stays open beside the drawn chart (it names what the chart numbers)

    def json(self) -> str:
        text = json.dumps(self.figure, ensure_ascii=False, separators=(",", ":"), sort_keys=True, default=str)
        # The spec sits in a <template>: no markup character may stay literal inside it.
        return text.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")


def _plain(text: str) -> str:
    """Ledger text inside a figure: plotly reads <b>, <a href>, <span style> in labels as markup, and
    turns &lt; back into "<" when it draws, so escaping shows the text exactly as written."""
    return html.escape(text, quote=False)


def _figure(fig: go.Figure) -> dict:
    spec = fig.to_plotly_json()
    spec.get("layout", {}).pop("template", None)
    return {"data": spec["data"], "layout": spec.get("layout", {})}


def count_axis(largest: int, title: str | None = None) -> dict:
    """An axis of whole problems: never a tick at 0.5 个; a title only where it reads horizontally (a
    rotated "个" reads as an arrow, so vertical count axes carry the unit in the chart's title instead)."""
    axis: dict = {"rangemode": "tozero", "tickformat": ",d"}
    if largest <= 8:  # plotly would step by 0.5 or 0.2 on a short axis
        axis["dtick"] = 1
    if title:
        axis["title"] = {"text": title}
    return axis


def date_axis(**extra) -> dict:
    """A time axis read on any width: month labels upright (charts.js picks how many fit the chart's width)
    and set below the axis line by more than the lowest count's label, so "2025年7月" never sits on the 0."""
    return {"type": "date", "tickformat": "%Y年%-m月", "tickangle": 0, "ticklabelstandoff": 6, **extra}


def status_chart(chart_id: str, rows: list[Row]) -> Chart:
    counts = tally(rows).by_status
    labels = [s.label for s in Status]
    values = [counts[s] for s in Status]
    fig = go.Figure(go.Bar(
        x=values, y=labels, orientation="h", marker_color=[s.colour for s in Status],
        text=values, textposition="auto", hovertemplate="%{y}：%{x} 个<extra></extra>"))
    fig.update_layout(yaxis={"autorange": "reversed"}, xaxis=count_axis(max(values, default=0), "问题数（个）"),
                      height=280)
    return Chart(chart_id, "各状态问题数", _figure(fig), ("状态", "问题数"), tuple(zip(labels, values, strict=True)))


def light_chart(chart_id: str, rows: list[Row]) -> Chart:
    counts = tally(rows).by_light
    labels = [light.label for light in Light]
    values = [counts[light] for light in Light]
    fig = go.Figure(go.Pie(
        labels=labels, values=values, hole=0.55, sort=False, direction="clockwise",
        marker={"colors": [light.colour for light in Light]}, textinfo="label+value",
        hovertemplate="%{label}：%{value} 个（%{percent}）<extra></extra>"))
    fig.update_layout(height=280, showlegend=False)
    return Chart(chart_id, "亮灯情况", _figure(fig), ("亮灯", "问题数"), tuple(zip(labels, values, strict=True)))


def stacked_status_chart(chart_id: str, title: str, groups: list[tuple[str, list[Row]]]) -> Chart:
    """One horizontal bar per group (department or category), stacked by status."""
    names = [name for name, _ in groups]
    labels = [_plain(name) for name in names]
    tallies = [tally(rows).by_status for _, rows in groups]
    fig = go.Figure()
    for status in Status:
        fig.add_trace(go.Bar(
            name=status.label, y=labels, x=[t[status] for t in tallies], orientation="h",
            marker_color=status.colour, hovertemplate="%{y}<br>" + status.label + "：%{x} 个<extra></extra>"))
    # every name shown (plotly would skip some on a phone); the legend above the bars, in status order
    largest = max((sum(t.values()) for t in tallies), default=0)
    fig.update_layout(barmode="stack", xaxis=count_axis(largest, "问题数（个）"),
                      yaxis={"autorange": "reversed", "tickmode": "array", "tickvals": labels, "ticktext": labels},
                      height=140 + 30 * len(groups), margin={"t": 70},
                      legend={"orientation": "h", "y": 1.0, "yanchor": "bottom", "x": 0, "traceorder": "normal"})
    table = tuple((name, *(t[s] for s in Status), sum(t.values())) for name, t in zip(names, tallies, strict=True))
    return Chart(chart_id, title, _figure(fig), ("名称", *(s.label for s in Status), "合计"), table)


def curve_chart(chart_id: str, points: list[tuple[dt.date, int, int]]) -> Chart:
    dates = [d.isoformat() for d, _, _ in points]
    fig = go.Figure()
    fig.add_trace(go.Scatter(x=dates, y=[f for _, f, _ in points], name="累计发现", mode="lines",
                             line={"color": BLUE, "shape": "hv"}, hovertemplate="%{x}<br>累计发现：%{y} 个<extra></extra>"))
    fig.add_trace(go.Scatter(x=dates, y=[c for _, _, c in points], name="已销号（反弹的不计）", mode="lines",
                             line={"color": Status.CLOSED.colour, "shape": "hv"}, fill="tozeroy",
                             hovertemplate="%{x}<br>已销号：%{y} 个<extra></extra>"))
    fig.update_layout(height=320, hovermode="x unified", xaxis=date_axis(),
                      yaxis=count_axis(max((f for _, f, _ in points), default=0)),
                      legend={"orientation": "h", "y": 1.0, "yanchor": "bottom", "x": 0}, margin={"t": 40})
    # the table lists month ends only, so it stays readable over a long campaign
    monthly: dict[str, tuple] = {}
    for day, found, closed in points:
        monthly[day.strftime("%Y-%m")] = (day.isoformat(), found, closed)
    return Chart(chart_id, "累计发现与销号（个）", _figure(fig), ("日期", "累计发现", "已销号（反弹的不计）"), tuple(monthly.values()))


def trend_chart(chart_id: str, points: list[tuple[dt.date, int, int, int, int]]) -> Chart:
    """Week by week from the published snapshots: not closed, closed, overdue and red."""
    dates = [p[0].isoformat() for p in points]
    series = ((Figure.UNCLOSED.label, BLUE, 1), (Figure.CLOSED.label, Status.CLOSED.colour, 2),
              (Figure.OVERDUE.label, Status.OVERDUE.colour, 3), (Figure.RED.label, Light.RED.colour, 4))
    fig = go.Figure()
    for name, colour, index in series:
        fig.add_trace(go.Scatter(x=dates, y=[p[index] for p in points], name=name, mode="lines",
                                 line={"color": colour, "dash": "dot" if index == 4 else "solid"},
                                 hovertemplate=f"%{{x}}<br>{name}：%{{y}} 个<extra></extra>"))
    fig.update_layout(height=320, hovermode="x unified", xaxis=date_axis(),
                      yaxis=count_axis(max((max(p[1:]) for p in points), default=0)),
                      legend={"orientation": "h", "y": 1.0, "yanchor": "bottom", "x": 0}, margin={"t": 40})
    # the table lists each month's last week only, so it stays readable over a long campaign
    monthly: dict[str, tuple] = {}
    for point in points:
        monthly[point[0].strftime("%Y-%m")] = (point[0].isoformat(), *point[1:])
    return Chart(chart_id, "每周趋势（周快照，个）", _figure(fig), ("截至", *(name for name, _, _ in series)),
                 tuple(monthly.values()))


def steps_chart(chart_id: str, campaign: Campaign, rows: list[Row]) -> Chart:
    """How many open problems stand at each of the eight steps."""
    steps = campaign.portal.steps
    counts = [0] * len(steps)
    not_started = 0
    for row in rows:
        if row.state.status == Status.CLOSED:
            continue
        if row.step_index < 0:
            not_started += 1
        else:
            counts[row.step_index] += 1
    labels = ["尚未开展", *(f"{i + 1}. {s.name}" for i, s in enumerate(steps))]
    values = [not_started, *counts]
    # bars lie along the steps' names, which read across on a phone instead of standing on end below the bars
    fig = go.Figure(go.Bar(x=values, y=labels, orientation="h", marker_color=BLUE, text=values, textposition="auto",
                           hovertemplate="%{y}：%{x} 个<extra></extra>"))
    fig.update_layout(height=80 + 26 * len(labels), xaxis=count_axis(max(values, default=0)),
                      yaxis={"autorange": "reversed"})
    return Chart(chart_id, "未销号问题所处“八步走”步骤（个）", _figure(fig), ("步骤", "问题数"),
                 tuple(zip(labels, values, strict=True)))


def indicator_chart(chart_id: str, indicator) -> Chart:
    dates = [v.date.isoformat() for v in indicator.values]
    values = [v.value for v in indicator.values]
    # the unit travels as `meta`: pasted into the template, a "%{" in it would read as a placeholder
    fig = go.Figure(go.Scatter(x=dates, y=values, mode="lines+markers", name=_plain(indicator.name),
                               meta=_plain(indicator.unit), line={"color": BLUE},
                               hovertemplate="%{x}<br>%{y:,.0f} %{meta}<extra></extra>"))
    if indicator.target:
        fig.add_hline(y=indicator.target, line_dash="dash", line_color=Light.YELLOW.colour,
                      annotation_text=f"目标 {indicator.target:,.0f}")
    xaxis = date_axis()
    if len(dates) == 1:  # one value so far (early in the campaign): one tick, not the same month four times
        day = indicator.values[0].date
        xaxis |= {"tickmode": "array", "tickvals": dates, "ticktext": [f"{day.year}年{day.month}月{day.day}日"]}
    # the unit goes in the chart's title: a vertical axis title turns it on its side
    fig.update_layout(height=240, xaxis=xaxis, yaxis={"rangemode": "tozero", "tickformat": ",.0f"})
    return Chart(chart_id, f"{indicator.name}（{indicator.unit}）", _figure(fig), ("日期", f"累计（{indicator.unit}）"),
                 tuple(zip(dates, (f"{v:,.0f}" for v in values), strict=True)))


def milestone_chart(row: Row) -> Chart | None:
    """A problem's milestones against its deadlines: planned (hollow circle), late and not done (red hollow
    diamond), done on time (green circle), done late (red diamond). Late is a diamond as well as red, so it
    is not told by colour alone. Rows are numbered so the chart fits a phone; the table names them."""
    problem, state = row.problem, row.state
    dated = [m for m in problem.milestones if m.due is not None]
    if not dated:
        return None
    labels = [f"节点{i}" for i in range(1, len(dated) + 1)]
    late = [m.done > m.due if m.done else state.as_of > m.due for m in dated]

    def markers(name: str, picked: list[int], day, symbol: str, colour) -> dict:
        return {"type": "scatter", "mode": "markers", "name": name,
                "y": [labels[i] for i in picked], "x": [day(dated[i]).isoformat() for i in picked],
                "text": [_plain(dated[i].title) for i in picked],
                "marker": {"symbol": symbol, "size": 12, "line": {"width": 2}, "color": colour},
                "hovertemplate": "%{text}<br>" + name + "：%{x}<extra></extra>"}

    pending = [i for i, m in enumerate(dated) if m.done is None]
    done = [i for i, m in enumerate(dated) if m.done is not None]
    traces = [markers("计划日期", [i for i in range(len(dated)) if not (i in pending and late[i])],
                      lambda m: m.due, "circle-open", NEUTRAL)]
    overdue = [i for i in pending if late[i]]
    if overdue:
        traces.append(markers("逾期未完成", overdue, lambda m: m.due, "diamond-open", Light.RED.colour))
    on_time = [i for i in done if not late[i]]
    if on_time:
        traces.append(markers("按期完成", on_time, lambda m: m.done, "circle", Light.GREEN.colour))
    done_late = [i for i in done if late[i]]
    if done_late:
        traces.append(markers("逾期完成", done_late, lambda m: m.done, "diamond", Light.RED.colour))
    lines = [(problem.deadline, "原定时限", NEUTRAL), (state.as_of, "数据截至", BLUE)]
    if state.deadline != problem.deadline:
        lines.insert(1, (state.deadline, "现行时限", Light.RED.colour))
    days = sorted([*(m.due for m in dated), *(m.done for m in dated if m.done), *(d for d, _, _ in lines)])
    span = max(1, (days[-1] - days[0]).days)
    shapes, annotations, previous, level = [], [], None, 0
    for day, label, colour in sorted(lines):
        # labels of lines closer than a quarter of the axis go on separate rows instead of on top of each other:
        # on a 320 px phone a quarter of the axis is about the width of a four-character label
        level = level + 1 if previous is not None and (day - previous).days < span / 4 else 0
        previous = day
        shapes.append({"type": "line", "xref": "x", "yref": "paper", "x0": day.isoformat(), "x1": day.isoformat(),
                       "y0": 0, "y1": 1, "line": {"color": colour, "dash": "dot", "width": 1.5}})
        annotations.append({"xref": "x", "yref": "paper", "x": day.isoformat(), "y": 1.0, "yshift": 4 + 16 * level,
                            "text": label, "showarrow": False, "font": {"size": 11, "color": colour},
                            "yanchor": "bottom"})
    figure = {"data": traces,
              "layout": {"height": 210 + 34 * len(dated), "shapes": shapes, "annotations": annotations,
                         # ticks in Chinese from the zh-CN locale, as many as fit the width (charts.js)
                         "xaxis": {"type": "date", "nticks": 6, "tickangle": 0, "ticklabelstandoff": 6},
                         "yaxis": {"autorange": "reversed"},
                         # the legend in the foot of the chart, below the date labels whatever their height;
                         # its two rows on a phone have the room the bottom margin keeps for them
                         "legend": {"orientation": "h", "yref": "container", "y": 0, "yanchor": "bottom", "x": 0},
                         "margin": {"t": 30 + 16 * len(lines), "b": 84}}}
    table = tuple(
        (f"{label}：{m.title}", m.due.isoformat(), m.done.isoformat() if m.done else "未完成",
         "是" if is_late else "否")
        for label, m, is_late in zip(labels, dated, late, strict=True))
    return Chart(f"milestones-{problem.id}", "倒排工期节点", figure, ("节点", "计划日期", "实际完成", "是否滞后"), table,
                 keep_table=True)
