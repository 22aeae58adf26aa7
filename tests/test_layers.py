"""The layers hold: views use domain, models and caching; the domain only models; no cycles.

Read from the source (every import statement, those inside functions too), not from what
happens to be imported at run time, so that an import dodged into a function still counts.
"""
import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "wiki"

# What each layer may import besides itself. The base (db, config) is open to every layer; the
# rest of the top level is infrastructure, which may use everything but the views.
BASE = {"wiki.db", "wiki.config"}
ALLOWED = {
    "models": {"models"},
    "domain": {"models", "domain"},
    "caching": {"models", "domain", "caching", "infrastructure"},
    "exchange": {"models", "domain", "exchange"},
    "infrastructure": {"models", "domain", "caching", "exchange", "infrastructure"},
    "views": {"models", "domain", "caching", "exchange", "infrastructure"},
    "factory": {"models", "domain", "caching", "exchange", "infrastructure", "views"},
}


def module_name(path):
    """Return the dotted name of a module file of the package."""
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def layer(name):
    """Return the layer a module of the package belongs to."""
    if name in ("wiki", "wiki.__main__"):
        return "factory"
    if name in BASE:
        return "base"
    second = name.split(".")[1]
    return second if second in ALLOWED else "infrastructure"


def modules():
    """Return {dotted name: path} of every module of the package."""
    return {module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def imports(name, path, known):
    """Return the package's modules that a module imports, at any depth of its code."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            for alias in node.names:  # `from wiki.x import y` names module wiki.x.y or wiki.x
                dotted = f"{node.module}.{alias.name}"
                found.add(dotted if dotted in known else node.module)
    return {target for target in found if target in known and target != name}


def graph():
    """Return {module: set of imported modules} over the whole package."""
    known = modules()
    return {name: imports(name, path, known) for name, path in known.items()}


def own_package(name):
    """Return the view package a view module belongs to (itself for a one-module blueprint)."""
    parts = name.split(".")
    return ".".join(parts[:3])


def violations(edges):
    """Return the imports that cross the layers the wrong way, as 'a -> b' lines."""
    found = []
    for source, targets in edges.items():
        for target in sorted(targets):
            if layer(target) == "base" or layer(source) == "factory":
                continue
            if layer(target) == "views":
                # A blueprint package's modules share its blueprint; nothing else uses a view.
                if layer(source) == "views" and own_package(source) == own_package(target):
                    continue
                found.append(f"{source} -> {target}")
            elif layer(target) not in ALLOWED.get(layer(source), set()):
                found.append(f"{source} -> {target}")
    return found


def cycles(edges):
    """Return the import cycles of the package, each as a list of modules."""
    found, state = [], {}

    def visit(node, path):
        state[node] = "open"
        for target in sorted(edges[node]):
            if state.get(target) == "open":
                found.append(path[path.index(target):] + [target])
            elif target not in state:
                visit(target, [*path, target])
        state[node] = "done"

    for node in sorted(edges):
        if node not in state:
            visit(node, [node])
    return found


def test_every_import_goes_down_the_layers():
    """Views use domain, models and caching; the domain only models; nothing imports views."""
    assert violations(graph()) == []


def test_there_are_no_import_cycles():
    """No module imports itself through others, whether at the top or inside a function."""
    assert cycles(graph()) == []


def test_the_layers_are_the_ones_the_docs_name():
    """The folders the architecture describes exist and hold modules."""
    layers = {layer(name) for name in modules()}
    assert {"models", "domain", "caching", "views", "exchange", "infrastructure"} <= layers


@pytest.mark.parametrize(("source", "target"), [
    ("wiki.domain.schedule", "wiki.views.measures"),
    ("wiki.domain.schedule", "wiki.caching.pagecache"),
    ("wiki.models.measures", "wiki.domain.schedule"),
    ("wiki.exchange.read", "wiki.views.api"),
    ("wiki.cli", "wiki.views.measures"),
    ("wiki.views.measures", "wiki.views.pages"),
])
def test_a_wrong_import_is_found(source, target):
    """The check fails on an import against the direction (so it cannot pass by accident)."""
    assert violations({source: {target}}) == [f"{source} -> {target}"]


def test_a_cycle_is_found():
    """The check finds a cycle of three modules."""
    edges = {"a": {"b"}, "b": {"c"}, "c": {"a"}}
    assert cycles(edges) == [["a", "b", "c", "a"]]
