"""Print the tests that use ../shared (SHARED, SEED, CORPUS, or a helper or fixture that does), as pytest ids.

.ci/run runs these again from a clone with no ../shared beside it: they must skip with a reason
or use the bundled copy. Whole files when the module itself uses them (e.g. a skip mark).
"""

from __future__ import annotations

import ast
import re
import sys
from pathlib import Path

NAMES = re.compile(r"\b(SHARED|SEED|CORPUS)\b")


def _users(text: str, tree: ast.Module) -> set[str]:
    """Functions of a module whose source names SHARED, SEED or CORPUS."""
    return {n.name for n in tree.body if isinstance(n, ast.FunctionDef) and NAMES.search(ast.get_source_segment(text, n))}


def main(root: Path) -> None:
    helpers: set[str] = set()
    for conftest in sorted(root.rglob("conftest.py")):
        text = conftest.read_text(encoding="utf-8")
        helpers |= _users(text, ast.parse(text))
    for path in sorted(root.rglob("test_*.py")):
        text = path.read_text(encoding="utf-8")
        tree = ast.parse(text)
        local = helpers | {h for h in _users(text, tree) if not h.startswith("test_")}
        uses = re.compile(r"\b(SHARED|SEED|CORPUS" + "".join(f"|{re.escape(h)}" for h in sorted(local)) + r")\b")
        top = [n for n in tree.body if not isinstance(n, (ast.FunctionDef, ast.ClassDef, ast.Import, ast.ImportFrom))]
        if any(uses.search(ast.get_source_segment(text, n)) for n in top):
            print(path.as_posix())
            continue
        for node in tree.body:
            if isinstance(node, ast.FunctionDef) and node.name.startswith("test_"):
                if uses.search(ast.get_source_segment(text, node)):
                    print(f"{path.as_posix()}::{node.name}")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path("tests"))
