"""Rows of the long overviews: timeline bars and table rows, dependency nodes and list rows.

At 1,000 measures each row cost 0.1–0.3 ms to render (macros, translations, dates, URLs), most of
a timeline's time. Each row is rendered once per distinct content and kept, as the cards are
(wiki.caching.fragments): its key holds every value it shows, plus language, URL root and the
reader's rights, so a changed measure gets a new row in every worker and no row is ever stale. They
share the cards' store.
"""
from wiki.caching import fragments

TEMPLATE = "overview/_rows.html"


def timeline(plan, measures, context, slips, baseline):
    """Return ({code: bar HTML}, [arrow HTML], {code: table row HTML}) of the timeline."""
    prefix, assessments = fragments.prefix(), context["assessments"]
    requires, stale = context["requires"], context["stale"]
    bars = {}
    for bar in plan.bars:
        m, a = bar.measure, assessments[bar.measure.code]
        key = (prefix, "timeline-bar", m.code, m.title, m.obligation, m.status, m.planned_start,
               m.planned_end, fragments.warnings_key(a), bar.y, bar.planned, bar.actual,
               bar.actual_open, bar.baseline, plan.width)
        bars[m.code] = fragments.render(key, TEMPLATE, "timeline_bar", bar, plan.width, a)
    arrows = [fragments.render((prefix, "timeline-arrow", arrow), TEMPLATE, "timeline_arrow",
                               *arrow)
              for arrow in plan.arrows]
    rows = {}
    for m in measures:
        a, prerequisites = assessments[m.code], tuple(sorted(requires.get(m.code, ())))
        base = baseline.get(m.code) if baseline else False
        key = (prefix, "timeline-row", m.code, m.title, m.obligation, m.status, m.planned_start,
               m.planned_end, m.actual_start, m.actual_end, prerequisites, slips[m.code], base,
               fragments.warnings_key(a), stale.get(m.id))
        rows[m.code] = fragments.render(key, TEMPLATE, "timeline_row", m, prerequisites,
                                        slips[m.code], base, a, stale.get(m.id))
    return bars, arrows, rows


def dependencies(graph, by_code, dependents, risk_edges, context):
    """Return ({code: node HTML}, [edge HTML], {code: list row HTML}) of the dependencies.

    risk_edges: the (prerequisite, dependent) pairs that belong to an at-risk chain.
    """
    prefix, assessments = fragments.prefix(), context["assessments"]
    requires, stale = context["requires"], context["stale"]
    edges = []
    for edge in graph.edges:
        risky = edge[:2] in risk_edges
        edges.append(fragments.render(("graph-edge", edge, risky), TEMPLATE, "graph_edge",
                                      *edge, risky))
    nodes = {}
    for code, (x, y) in graph.positions.items():
        m, a = by_code[code], assessments[code]
        key = (prefix, "graph-node", code, m.title, m.obligation, m.status,
               fragments.warnings_key(a), x, y)
        nodes[code] = fragments.render(key, TEMPLATE, "graph_node", code, x, y, m, a)
    rows = {}
    for m in context["measures"]:
        a = assessments[m.code]
        prerequisites = tuple(sorted(requires.get(m.code, ())))
        following = tuple(sorted(dependents.get(m.code, ())))
        key = (prefix, "dependency-row", m.code, m.title, m.obligation, m.status, prerequisites,
               following, fragments.warnings_key(a), stale.get(m.id))
        rows[m.code] = fragments.render(key, TEMPLATE, "dependency_row", m, prerequisites,
                                        following, a, stale.get(m.id))
    return nodes, edges, rows
