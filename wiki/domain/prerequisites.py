"""Prerequisites of a measure: which codes are unknown, and which cycle they would close."""
from wiki.domain import schedule
from wiki.models import Dependency, Measure


def unknown(codes, known):
    """Return the codes that are not among the known ones, in their order."""
    return [code for code in codes if code not in known]


def cycle(code, requires, edges):
    """Return the cycle that giving code these prerequisites would close, or None.

    edges: {dependent: prerequisites} of the programme as it is; code's own are replaced.
    """
    graph = {dependent: set(prerequisites) for dependent, prerequisites in edges.items()}
    graph[code] = set(requires)
    return schedule.find_cycle(graph)


def saved_edges():
    """Return {dependent code: set of prerequisite codes} as stored."""
    edges = {}
    for dependent, prerequisite in Dependency.edges():
        edges.setdefault(dependent, set()).add(prerequisite)
    return edges


def problems(code, requires, measure=None):
    """Return (unknown codes, cycle or None) of saving a measure with these prerequisites.

    measure: the saved measure (None for a new one), whose unchanged prerequisites are known
    to make no cycle, so the walk over the whole graph is skipped.
    """
    known = {m.code for m in Measure.select(Measure.code).where(Measure.code.in_(requires))}
    missing = unknown(requires, known)
    if missing:
        return missing, None
    if measure is not None and set(requires) == {m.code for m in measure.prerequisites()}:
        return [], None
    return [], cycle(code, requires, saved_edges())
