"""Shell completion: ``--show-completion`` prints a script for cxops, and the shell's requests
complete command names without importing every command, and a command's own options."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from cxops.cli.main import main

CXOPS = str(Path(sys.executable).with_name("cxops"))


def _complete(words: str, cword: int) -> list[str]:
    env = {**os.environ, "_CXOPS_COMPLETE": "complete_bash", "COMP_WORDS": words,
           "COMP_CWORD": str(cword)}  # fmt: skip
    done = subprocess.run([CXOPS], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout.split()


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_show_completion_prints_a_script_for_cxops(
    shell: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """The script names the program and the variable the shell sets to ask it."""
    assert main(["--show-completion", shell]) == 0
    script = capsys.readouterr().out
    assert "cxops" in script and "_CXOPS_COMPLETE" in script


def test_completing_command_names_and_options() -> None:
    """``cxops do<TAB>`` gives doctor; ``cxops doctor --pro<TAB>`` gives its options."""
    assert _complete("cxops do", 1) == ["doctor"]
    assert {"export", "promote", "validate"} <= set(_complete("cxops ", 1))
    assert {"--profile", "--project"} == set(_complete("cxops doctor --pro", 2))


def test_completing_a_command_name_imports_no_command() -> None:
    """The command word is completed from names alone (a TAB must stay fast)."""
    code = (
        "import sys; from cxops.cli.app import register_for; "
        "register_for([], {'_CXOPS_COMPLETE': 'complete_bash', 'COMP_WORDS': 'cxops ex'}); "
        "print(sorted(m for m in sys.modules if m.startswith('cxops.cli.') and "
        "m not in ('cxops.cli.app',)))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
