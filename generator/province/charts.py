"""The province's charts: plotly figures as the city portal draws them (rendering/charts.py), each with its table.

Every chart counts the verified cities only (figures.py); the tables carry the same numbers for a reader who
cannot see the chart, and are what the tests read.
"""

from __future__ import annotations

import html

import plotly.graph_objects as go

from ..model.vocabulary import Light, Status
from ..rendering.charts import Chart, _figure, count_axis
from .figures import Province
from .verify import Tally


def _plain(text: str) -> str:
    return html.escape(text, quote=False)  # plotly reads markup in labels (see rendering/charts._plain)


def status_chart(tally: Tally) -> Chart:
    labels = [s.label for s in Status]
    values = [tally.status.get(s.value, 0) for s in Status]
    fig = go.Figure(go.Bar(x=values, y=labels, orientation="h", marker_color=[s.colour for s in Status], text=values,
                           textposition="auto", hovertemplate="%{y}：%{x} 个<extra></extra>"))
    fig.update_layout(yaxis={"autorange": "reversed"}, xaxis=count_axis(max(values, default=0), "问题数（个）"),
                      height=280)
    return Chart("province-status", "全省各状态问题数（通过核验的城市）", _figure(fig), ("状态", "问题数"),
                 tuple(zip(labels, values, strict=True)))


def light_chart(tally: Tally) -> Chart:
    labels = [light.label for light in Light]
    values = [tally.light.get(light.value, 0) for light in Light]
    fig = go.Figure(go.Pie(labels=labels, values=values, hole=0.55, sort=False, direction="clockwise",
                           marker={"colors": [light.colour for light in Light]}, textinfo="label+value",
                           hovertemplate="%{label}：%{value} 个（%{percent}）<extra></extra>"))
    fig.update_layout(height=280, showlegend=False)
    return Chart("province-lights", "全省亮灯情况（通过核验的城市）", _figure(fig), ("亮灯", "问题数"),
                 tuple(zip(labels, values, strict=True)))


def stacked_chart(chart_id: str, title: str, groups: list[tuple[str, Tally]]) -> Chart:
    """One horizontal bar per city or department type, stacked by status."""
    names = [name for name, _ in groups]
    labels = [_plain(name) for name in names]
    fig = go.Figure()
    for status in Status:
        fig.add_trace(go.Bar(name=status.label, y=labels, x=[t.status.get(status.value, 0) for _, t in groups],
                             orientation="h", marker_color=status.colour,
                             hovertemplate="%{y}<br>" + status.label + "：%{x} 个<extra></extra>"))
    largest = max((t.total for _, t in groups), default=0)
    fig.update_layout(barmode="stack", xaxis=count_axis(largest, "问题数（个）"),
                      yaxis={"autorange": "reversed", "tickmode": "array", "tickvals": labels, "ticktext": labels},
                      height=140 + 30 * len(groups), margin={"t": 70},
                      legend={"orientation": "h", "y": 1.0, "yanchor": "bottom", "x": 0, "traceorder": "normal"})
    rows = tuple((name, *(t.status.get(s.value, 0) for s in Status), t.total) for name, t in groups)
    return Chart(chart_id, title, _figure(fig), ("名称", *(s.label for s in Status), "合计"), rows)


def city_chart(province: Province) -> Chart:
    return stacked_chart("province-cities", "各市问题数（按状态，通过核验的城市）",
                         [(r.city.name, r.tally) for r in province.verified])


def type_chart(province: Province) -> Chart:
    return stacked_chart("province-types", "各类部门问题数（按状态，通过核验的城市合计）", list(province.by_type.items()))


def score_chart(province: Province) -> Chart:
    names = [_plain(r.report.city.name) for r in province.ranking]
    values = [r.score for r in province.ranking]
    fig = go.Figure(go.Bar(x=values, y=names, orientation="h", marker_color="#3949ab", text=values,
                           textposition="auto", hovertemplate="%{y}：%{x} 分<extra></extra>"))
    fig.update_layout(yaxis={"autorange": "reversed", "tickmode": "array", "tickvals": names, "ticktext": names},
                      xaxis={"range": [0, 100], "title": {"text": "得分"}}, height=120 + 34 * len(names))
    return Chart("province-ranking", "各市得分（通过核验的城市）", _figure(fig), ("名次", "城市", "得分"),
                 tuple((r.rank, r.report.city.name, f"{r.score:.1f}") for r in province.ranking))
