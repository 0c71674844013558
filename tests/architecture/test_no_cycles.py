"""No import cycle anywhere in deskpay: every module can be understood from the ones below it."""

from __future__ import annotations

import grimp


def _cycles(graph: grimp.ImportGraph) -> list[list[str]]:
    """The strongly connected groups of more than one module (Tarjan), each one an import cycle."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        for imported in graph.find_modules_directly_imported_by(module):
            if not imported.startswith("deskpay"):
                continue
            if imported not in index:
                visit(imported)
                low[module] = min(low[module], low[imported])
            elif imported in on_stack:
                low[module] = min(low[module], index[imported])
        if low[module] == index[module]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == module:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for module in sorted(graph.modules):
        if module not in index:
            visit(module)
    return found


def test_deskpay_has_no_import_cycle():
    # Imports inside functions count too: a cycle hidden in a function is still a cycle.
    graph = grimp.build_graph("deskpay")
    assert _cycles(graph) == []


def test_the_check_finds_a_cycle_when_there_is_one():
    graph = grimp.ImportGraph()
    for module in ("deskpay.a", "deskpay.b", "deskpay.c"):
        graph.add_module(module)
    graph.add_import(importer="deskpay.a", imported="deskpay.b")
    graph.add_import(importer="deskpay.b", imported="deskpay.c")
    graph.add_import(importer="deskpay.c", imported="deskpay.a")
    assert _cycles(graph) == [["deskpay.a", "deskpay.b", "deskpay.c"]]
