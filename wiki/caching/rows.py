"""Rows of the long overviews: timeline bars and table rows, dependency nodes and list rows.

At 1,000 measures each row cost 0.1–0.3 ms to render (macros, translations, dates, URLs), most of
a timeline's time. Each row is rendered once per distinct content and kept, as the cards are
(wiki.caching.fragments, which declares what each row reads): its key holds every value it
shows, plus language, URL root and the reader's rights, so a changed measure gets a new row in
every worker and no row is ever stale. They share the cards' store.
"""
from wiki.caching import fragments


def timeline(plan, measures, context, slips, baseline):
    """Return ({code: bar HTML}, [arrow HTML], {code: table row HTML}) of the timeline."""
    assessments, requires, stale = context["assessments"], context["requires"], context["stale"]
    bars = {bar.measure.code: fragments.fragment("timeline-bar", bar, plan.width,
                                                 assessments[bar.measure.code])
            for bar in plan.bars}
    arrows = [fragments.fragment("timeline-arrow", *arrow) for arrow in plan.arrows]
    rows = {}
    for m in measures:
        prerequisites = tuple(sorted(requires.get(m.code, ())))
        base = baseline.get(m.code) if baseline else False
        rows[m.code] = fragments.fragment("timeline-row", m, prerequisites, slips[m.code], base,
                                assessments[m.code], stale.get(m.id))
    return bars, arrows, rows


def dependencies(graph, by_code, dependents, risk_edges, context):
    """Return ({code: node HTML}, [edge HTML], {code: list row HTML}) of the dependencies.

    risk_edges: the (prerequisite, dependent) pairs that belong to an at-risk chain.
    """
    assessments, requires, stale = context["assessments"], context["requires"], context["stale"]
    edges = [fragments.fragment("graph-edge", *edge, edge[:2] in risk_edges)
             for edge in graph.edges]
    nodes = {code: fragments.fragment("graph-node", code, x, y, by_code[code], assessments[code])
             for code, (x, y) in graph.positions.items()}
    rows = {}
    for m in context["measures"]:
        prerequisites = tuple(sorted(requires.get(m.code, ())))
        following = tuple(sorted(dependents.get(m.code, ())))
        rows[m.code] = fragments.fragment("dependency-row", m, prerequisites, following,
                                assessments[m.code], stale.get(m.id))
    return nodes, edges, rows
