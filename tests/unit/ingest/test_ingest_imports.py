"""The modules of ``gpworkforce.ingest`` import one way: no cycles, no imports hidden in functions.

grimp (installed with import-linter) reads every import statement, including those inside
functions, so a cycle dodged by a lazy import is still a cycle here.
"""

from __future__ import annotations

import ast
from pathlib import Path

import grimp

import gpworkforce.ingest

PACKAGE = "gpworkforce.ingest"


def import_cycles(graph: grimp.ImportGraph, package: str) -> list[list[str]]:
    """Every set of modules of ``package`` that import each other in a cycle (Tarjan's SCC),
    including a module that imports itself."""
    modules = sorted(m for m in graph.modules if m == package or m.startswith(package + "."))
    inside = set(modules)
    edges = {m: sorted(graph.find_modules_directly_imported_by(m) & inside) for m in modules}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles: list[list[str]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        for target in edges[module]:
            if target not in index:
                visit(target)
                low[module] = min(low[module], low[target])
            elif target in on_stack:
                low[module] = min(low[module], index[target])
        if low[module] == index[module]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == module:
                    break
            if len(component) > 1 or module in edges[module]:
                cycles.append(sorted(component))

    for module in modules:
        if module not in index:
            visit(module)
    return cycles


def test_ingest_modules_form_no_import_cycle() -> None:
    graph = grimp.build_graph("gpworkforce", cache_dir=None)
    assert import_cycles(graph, PACKAGE) == []


def test_the_check_finds_a_cycle() -> None:
    """The check itself can fail: a deliberate cycle (through a lazy import or not) is reported."""
    graph = grimp.ImportGraph()
    for module in ("p", "p.errors", "p.base", "p.catalogue", "p.readers", "p.registry"):
        graph.add_module(module)
    graph.add_import(importer="p.base", imported="p.errors")
    graph.add_import(importer="p.readers", imported="p.base")
    graph.add_import(importer="p.catalogue", imported="p.readers")
    graph.add_import(importer="p.registry", imported="p.catalogue")
    assert import_cycles(graph, "p") == []
    graph.add_import(importer="p.base", imported="p.catalogue")  # the old lazy import in base
    assert import_cycles(graph, "p") == [["p.base", "p.catalogue", "p.readers"]]


def test_no_imports_inside_functions() -> None:
    """Imports sit at the top of each module, where the direction of the layers can be read."""
    root = Path(gpworkforce.ingest.__file__).parent
    hidden = []
    for path in sorted(root.glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                hidden.extend(
                    f"{path.name}:{inner.lineno}"
                    for inner in ast.walk(node)
                    if isinstance(inner, ast.Import | ast.ImportFrom)
                )
    assert hidden == []
