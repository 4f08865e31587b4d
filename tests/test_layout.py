"""The package's layout: imports flow one way, with no circles, and every module says its purpose.

The graph is read from the source (every ``import``, also those inside functions, but not
those for type hints only), so a circle shows here even when lazy imports would keep it from
failing at run time.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import stockpile

ROOT = Path(stockpile.__file__).parent
REPORT = "stockpile.analysis.report"


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_module_name(p): p for p in sorted(ROOT.rglob("*.py"))}


def _resolve(module: str, node: ast.ImportFrom) -> str:
    if not node.level:
        return node.module or ""
    package = module if MODULES[module].name == "__init__.py" else module.rsplit(".", 1)[0]
    base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
    return f"{base}.{node.module}" if node.module else base


def imports(module: str) -> set[str]:
    """The stockpile modules ``module`` imports (``from pkg import sub`` counts as ``pkg.sub``)."""
    found = set()
    tree = ast.parse(MODULES[module].read_text(encoding="utf-8"))
    typing_only = {id(n) for block in ast.walk(tree) if _type_checking(block)
                   for n in ast.walk(block)}
    for node in ast.walk(tree):
        if id(node) in typing_only:
            continue
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            source = _resolve(module, node)
            for alias in node.names:
                sub = f"{source}.{alias.name}"
                found.add(sub if sub in MODULES else source)
    return {name for name in found if name in MODULES and name != module}


def _type_checking(node: ast.AST) -> bool:
    """``if TYPE_CHECKING:`` blocks import for type hints only, never at run time."""
    return isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)


GRAPH = {module: imports(module) for module in MODULES}


def _cycle(graph: dict[str, set[str]]) -> list[str]:
    """One import circle, or [] (depth-first search with colours)."""
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str]:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                return [*stack[stack.index(nxt):], nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        state[node] = 2
        stack.pop()
        return []

    for node in sorted(graph):
        if node not in state and (found := visit(node)):
            return found
    return []


def test_no_import_circles() -> None:
    assert _cycle(GRAPH) == []


def test_cycle_finder_finds_a_planted_circle() -> None:
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": set()}) == ["a", "b", "c", "a"]


def test_statistics_do_not_import_the_report() -> None:
    """The report reads statistics; statistics, the model and experiments never read it."""
    outside = {m: sorted(i for i in deps if i.startswith(REPORT))
               for m, deps in GRAPH.items()
               if not m.startswith(REPORT) and m not in {"stockpile.cli.report"}}
    assert {m: d for m, d in outside.items() if d and not m.startswith("stockpile.cli")} == {}


def test_report_parts_live_in_one_subpackage() -> None:
    flat = {p.stem for p in (ROOT / "analysis").glob("*.py")}
    assert not flat & {"report_parts", "story", "narrative", "document", "views", "plots",
                       "workbook", "labels", "columns", "text", "batch", "sources"}
    assert {"summary", "sensitivity", "discovery", "goalseek", "results", "validation",
            "magazine"} <= flat


def test_every_analysis_module_opens_with_what_it_is_for() -> None:
    for module, path in MODULES.items():
        if not module.startswith("stockpile.analysis"):
            continue
        doc = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8")))
        assert doc and len(doc.splitlines()[0]) > 15, f"{module}: no opening docstring line"


def test_every_module_imports_in_a_fresh_interpreter() -> None:
    names = [m for m in MODULES if not m.endswith("__main__")]
    code = "import importlib, sys\nfor name in sys.argv[1:]: importlib.import_module(name)"
    done = subprocess.run([sys.executable, "-c", code, *names], capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]


def test_make_report_stays_importable_from_the_package() -> None:
    from stockpile.analysis.report import make_report

    assert callable(make_report)
