"""Layered layout of the prerequisite graph (pure functions, no database)."""
from dataclasses import dataclass, field

NODE_W, NODE_H = 190, 58  # px of a node box
GAP_X, GAP_Y = 70, 18  # px between layers and between nodes of a layer
PAD = 12


@dataclass
class Graph:
    """Node positions {code: (x, y)}, layers and edges, and the drawing's size."""

    layers: list = field(default_factory=list)  # [[codes]]
    positions: dict = field(default_factory=dict)
    edges: list = field(default_factory=list)  # (prerequisite, dependent, x1, y1, x2, y2)
    width: int = 0
    height: int = 0


def layers(codes, requires):
    """Put each measure one layer right of its latest prerequisite (longest path from a root)."""
    depth, members = {}, set(codes)  # a set: "in" on a list of 1,000 codes cost 10 ms

    def depth_of(code, seen=()):
        if code not in depth:
            prerequisites = [p for p in requires.get(code, ()) if p in members and p not in seen]
            depth[code] = 1 + max((depth_of(p, (*seen, code)) for p in prerequisites),
                                  default=-1)
        return depth[code]

    for code in codes:
        depth_of(code)
    result = [[] for _ in range(max(depth.values(), default=-1) + 1)]
    for code in sorted(codes):
        result[depth[code]].append(code)
    return result


def layout(codes, requires, order=None):
    """Lay out measures in layers; within a layer by the mean row of their prerequisites."""
    graph = Graph(layers=layers(codes, requires))
    rank = {code: i for i, code in enumerate(order or sorted(codes))}
    row = {}
    for index, layer in enumerate(graph.layers):
        def key(code):
            parents = [row[p] for p in requires.get(code, ()) if p in row]
            return (sum(parents) / len(parents) if parents else rank[code], rank[code])
        layer.sort(key=key)
        for position, code in enumerate(layer):
            row[code] = position
            graph.positions[code] = (PAD + index * (NODE_W + GAP_X),
                                     PAD + position * (NODE_H + GAP_Y))
    for code in sorted(codes):
        for prerequisite in sorted(requires.get(code, ())):
            if prerequisite in graph.positions:
                x1, y1 = graph.positions[prerequisite]
                x2, y2 = graph.positions[code]
                graph.edges.append((prerequisite, code, x1 + NODE_W, y1 + NODE_H // 2,
                                    x2, y2 + NODE_H // 2))
    graph.width = PAD * 2 + len(graph.layers) * (NODE_W + GAP_X) - GAP_X
    graph.height = PAD * 2 + max((len(layer) for layer in graph.layers), default=0) * (
        NODE_H + GAP_Y)
    return graph
