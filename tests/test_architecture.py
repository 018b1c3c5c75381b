"""The package's shape: every module imports alone, and no module imports itself through others."""

from __future__ import annotations

import ast
import importlib
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "publisher"


def _modules() -> dict[str, Path]:
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name] = path
    return found


MODULES = _modules()
#: Modules that can be imported as a library (``__main__`` runs the command line when imported).
LIBRARY = sorted(name for name in MODULES if not name.endswith("__main__"))


def _type_checking_only(node: ast.AST, parents: dict[ast.AST, ast.AST]) -> bool:
    while node in parents:
        node = parents[node]
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            return True
    return False


def imports_of(name: str) -> set[str]:
    """The project modules ``name`` imports anywhere in its code (at the top or inside a
    function: a lazy import hides a circle, it does not remove it), except under TYPE_CHECKING."""
    path = MODULES[name]
    tree = ast.parse(path.read_text(encoding="utf-8"))
    parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(tree):
        if _type_checking_only(node, parents):
            continue
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(anchor + ([base] if base else []))
            targets = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in MODULES else base for alias in node.names]
        else:
            continue
        found.update(t for t in targets if t in MODULES and t != name)
    return found


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                return stack[stack.index(nxt):] + [nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (found := visit(node)):
            return found
    return None


def test_no_import_circle():
    graph = {name: imports_of(name) for name in MODULES}
    # A module taking names from its own package's __init__ (which may import that module
    # lazily, as sources/ does its readers) is how packages work; every other edge counts.
    for name in graph:
        graph[name] = {t for t in graph[name] if not name.startswith(t + ".")}
    assert _cycle(graph) is None, " -> ".join(_cycle(graph) or [])


def test_the_checker_finds_a_circle():
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b"}, "b": set()}) is None


def test_renderers_do_not_import_the_cache():
    """Caching is the incremental layer's business (docs/architecture.md)."""
    for name in MODULES:
        if name.startswith(("publisher.feeds", "publisher.books", "publisher.model", "publisher.sources")):
            assert not {m for m in imports_of(name) if m.startswith("publisher.incremental")}, name


@pytest.mark.parametrize("name", LIBRARY)
def test_every_module_imports_first(name):
    """Each module imports in a fresh interpreter with nothing imported before it."""
    done = subprocess.run([sys.executable, "-c", f"import {name}"], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def test_every_module_says_what_it_holds():
    for name in LIBRARY:
        assert (importlib.import_module(name).__doc__ or "").strip(), f"{name} has no docstring"


def test_the_layout_and_the_architecture_name_every_package():
    """README's Layout section and docs/architecture.md keep up with the packages."""
    root = PACKAGE.parent
    readme = (root / "README.md").read_text(encoding="utf-8")
    layout = readme.split("## Layout", 1)[1].split("\n## ", 1)[0]
    architecture = (root / "docs" / "architecture.md").read_text(encoding="utf-8")
    packages = sorted(p.parent.name for p in PACKAGE.glob("*/__init__.py"))
    modules = sorted(p.name for p in PACKAGE.glob("*.py") if p.name not in ("__init__.py", "__main__.py"))
    assert packages and modules
    for name in packages:
        assert f"{name}/" in layout, f"README's Layout does not name {name}/"
        assert f"{name}/" in architecture, f"docs/architecture.md does not name {name}/"
    for name in modules:
        assert name in layout, f"README's Layout does not name {name}"
