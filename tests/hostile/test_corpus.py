"""Every hostile file of the corpus is refused by validate, diff and lock, and nothing is written.

Runs in-process through the CLI's one error handler (``cxops.cli.main.main``), so the exit codes
are the ones a shell sees. "Refused" means exit 1 with CX100 named, or exit 2; never 0 (a flow
hidden from the gate) and never 4 (a crash). The folder around the target is listed before and
after each case (names, kinds, sizes, link targets, modification times): it must not change.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from cxops.cli.main import main
from tests.hostile.corpus import Case, cases

CASES = cases()


def test_the_corpus_is_big_enough() -> None:
    """The issue asks for at least 100 hostile cases; each family is represented."""
    names = [c.name for c in CASES]
    assert len(names) >= 100
    for family in ("single-", "meta-", "flowfile-", "number-", "syntax-", "type-"):
        assert any(n.startswith(family) for n in names), family


def _listing(root: Path) -> dict[str, tuple[str, int, int, str]]:
    """Everything under ``root`` without following links: kind, size, mtime, link target."""
    out: dict[str, tuple[str, int, int, str]] = {}
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        for name in dirnames + filenames:
            path = Path(dirpath) / name
            st = path.lstat()
            kind = "link" if path.is_symlink() else "dir" if path.is_dir() else "file"
            target = os.readlink(path) if kind == "link" else ""
            size = 0 if kind == "dir" else st.st_size
            out[str(path.relative_to(root))] = (kind, size, st.st_mtime_ns, target)
    return out


def _materialise(case: Case, target: Path) -> None:
    for rel, data in case.files.items():
        path = target / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)


def _refused(code: int, out: str, err: str, what: str) -> None:
    assert code in (1, 2), f"{what}: exit {code}\n{out[-800:]}\n{err[-800:]}"
    if code == 1:
        assert "CX100" in out + err, f"{what}: exit 1 without CX100\n{out[-800:]}\n{err[-800:]}"
    assert "unexpected error" not in err, f"{what}: {err[-800:]}"
    assert "Traceback" not in out + err, f"{what}: {err[-800:]}"


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_hostile_file_is_refused_everywhere(
    case: Case, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """validate, diff (against itself), lock and lock --check refuse it; nothing is written."""
    root = tmp_path / "around"
    target = root / "target"
    _materialise(case, target)
    (root / "outside.txt").write_text("canary\n")
    before = _listing(root)
    spec = str(target)
    commands = {
        "validate": ["validate", spec],
        "validate-json": ["validate", spec, "--format", "json"],
        "diff": ["diff", spec, spec],
        "lock": ["lock", spec],
        "lock-check": ["lock", "--check", spec],
    }
    for what, argv in commands.items():
        code = main(argv)
        captured = capsys.readouterr()
        _refused(code, captured.out, captured.err, f"{case.name} {what}")
    assert _listing(root) == before, f"{case.name}: files changed around the target"
