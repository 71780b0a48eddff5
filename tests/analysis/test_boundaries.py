"""model/ and analysis/ import nothing of cxops but each other, and do no I/O or clock reads."""

from __future__ import annotations

import ast
from pathlib import Path

import cxops

ROOT = Path(cxops.__file__).parent
FORBIDDEN_MODULES = {
    "os",
    "time",
    "datetime",
    "random",
    "socket",
    "subprocess",
    "httpx",
    "pathlib",
    "shutil",
    "tempfile",
}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_pure_rooms_import_only_each_other() -> None:
    """Every module under model/ and analysis/ imports only model/analysis of cxops, and no
    module that reads files, the clock, the network or randomness; no call to open()."""
    files = sorted((ROOT / "model").rglob("*.py")) + sorted((ROOT / "analysis").rglob("*.py"))
    assert len(files) > 10
    for path in files:
        for name in _imports(path):
            if name.startswith("cxops"):
                assert name.startswith(("cxops.model", "cxops.analysis")), (path, name)
            assert name.split(".")[0] not in FORBIDDEN_MODULES, (path, name)
        calls = {
            n.func.id
            for n in ast.walk(ast.parse(path.read_text()))
            if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)
        }
        assert "open" not in calls, path
