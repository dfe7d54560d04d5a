"""KPI charts as inline SVG rendered on the server by pygal: no JavaScript, no build step.

pygal's own tooltip script is left out (`js=[]`), so the page loads nothing from elsewhere.
"""

from __future__ import annotations

import pygal
from markupsafe import Markup
from pygal.style import Style

from reports.kpis import Kpis

STYLE = Style(
    background="transparent",
    plot_background="#ffffff",
    font_family="system-ui, sans-serif",
    colors=("#2563eb", "#dc2626", "#16a34a", "#d97706", "#7c3aed", "#0891b2", "#db2777",
            "#4b5563", "#65a30d", "#9333ea"),
)  # fmt: skip
COMMON = {
    "style": STYLE,
    "js": [],
    "disable_xml_declaration": True,
    "width": 640,
    "height": 300,
    "explicit_size": False,
    "legend_at_bottom": True,
    "print_values": False,
}


def _svg(chart: pygal.graph.graph.Graph) -> Markup:
    # The SVG is built from our own numbers and label names, never from debtor text.
    return Markup(chart.render(is_unicode=True))


def dso_trend(kpis: Kpis) -> Markup:
    chart = pygal.Line(title="DSO (days), weekly", show_legend=False, **COMMON)
    chart.x_labels = [week for week, _ in kpis.dso_trend]
    chart.add("DSO", [value for _, value in kpis.dso_trend])
    return _svg(chart)


def label_mix(kpis: Kpis) -> Markup:
    chart = pygal.StackedBar(title="Triage labels per week", **COMMON)
    weeks = list(kpis.label_mix)
    chart.x_labels = weeks
    labels = sorted({label for counts in kpis.label_mix.values() for label in counts})
    for label in labels:
        chart.add(label, [kpis.label_mix[week].get(label, 0) for week in weeks])
    if not labels:
        chart.add("no triage yet", [])
    return _svg(chart)


def draft_agreement(kpis: Kpis) -> Markup:
    chart = pygal.Pie(
        title="What collectors did with the agent's draft", inner_radius=0.4, **COMMON
    )
    for use, count in kpis.draft_agreement.items():
        chart.add(use, count)
    return _svg(chart)


def queue_health(kpis: Kpis) -> Markup:
    chart = pygal.Bar(title="Queue and SLA", **COMMON)
    chart.x_labels = ["open", "past SLA now", "resolved late (30 d)"]
    chart.add("items", [kpis.queue_open, kpis.sla_breaches_open, kpis.sla_breaches_resolved_30d])
    return _svg(chart)


def promises(kpis: Kpis) -> Markup:
    chart = pygal.Pie(title="Promises to pay", inner_radius=0.4, **COMMON)
    chart.add("kept", kpis.promises_kept)
    chart.add("broken", kpis.promises_broken)
    chart.add("pending", kpis.promises_pending)
    return _svg(chart)


def all_charts(kpis: Kpis) -> dict[str, Markup]:
    return {
        "dso": dso_trend(kpis),
        "labels": label_mix(kpis),
        "agreement": draft_agreement(kpis),
        "queue": queue_health(kpis),
        "promises": promises(kpis),
    }
