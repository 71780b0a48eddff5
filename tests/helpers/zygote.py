"""A fork server for kill -9 trials: ``cxops`` imported once, each command a fresh forked process.

Starting ``python -m cxops`` costs ~2 s of imports; a kill matrix needs dozens of processes. The
zygote is a separate, single-threaded Python process that imports the CLI and then, per request
(one JSON line on stdin: ``{"args", "env", "cwd", "out", "err"}``), forks a child that takes that
environment and working folder, writes its stdout/stderr to the named files and runs the CLI's
``main``. The child is a real process: ``CXOPS_PIPELINE_KILL_AT`` SIGKILLs it at the boundary and
the next command recovers in another new process, exactly as with ``subprocess``. The zygote
answers one JSON line per request: ``{"code": exit code, or -signal when killed}``.

Never fork the pytest process itself: it runs the emulator's threads.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any


@dataclass
class Result:
    """What a forked command did."""

    returncode: int
    stdout: str
    stderr: str


class Zygote:
    """The parent's handle on the fork server (a context manager)."""

    def __init__(self) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "tests.helpers.zygote"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            cwd=Path(__file__).resolve().parents[2],
        )
        self._count = 0

    def run(self, args: list[str], env: dict[str, str], cwd: Path) -> Result:
        """Run ``cxops *args`` in a forked child; wait for it."""
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self._count += 1
        out, err = cwd / f".zygote-{self._count}.out", cwd / f".zygote-{self._count}.err"
        request = {"args": args, "env": env, "cwd": str(cwd), "out": str(out), "err": str(err)}
        self.proc.stdin.write(json.dumps(request) + "\n")
        self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError("the zygote process died")
        code = int(json.loads(line)["code"])
        return Result(code, out.read_text(encoding="utf-8"), err.read_text(encoding="utf-8"))

    def close(self) -> None:
        """Stop the fork server."""
        if self.proc.stdin is not None:
            self.proc.stdin.close()
        self.proc.wait(timeout=30)
        if self.proc.stdout is not None:
            self.proc.stdout.close()

    def __enter__(self) -> Zygote:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _child(request: dict[str, Any]) -> None:  # pragma: no cover - runs in the forked child
    os.chdir(request["cwd"])
    os.environ.clear()
    os.environ.update(request["env"])
    for fd, path in ((1, request["out"]), (2, request["err"])):
        f = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.dup2(f, fd)
        os.close(f)
    sys.stdout = open(1, "w", encoding="utf-8", closefd=False)  # noqa: SIM115
    sys.stderr = open(2, "w", encoding="utf-8", closefd=False)  # noqa: SIM115
    from cxops.cli.main import main

    try:
        code = main(request["args"])
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


def serve(requests: IO[str], answers: IO[str]) -> None:  # pragma: no cover - the zygote
    """Fork one child per request line; answer each with its exit code."""
    from cxops.cli.app import register

    register()  # the point: every command imported once, before any fork

    for line in requests:
        request = json.loads(line)
        pid = os.fork()
        if pid == 0:
            _child(request)
        _, status = os.waitpid(pid, 0)
        code = -os.WTERMSIG(status) if os.WIFSIGNALED(status) else os.WEXITSTATUS(status)
        answers.write(json.dumps({"code": code}) + "\n")
        answers.flush()


if __name__ == "__main__":  # pragma: no cover
    serve(sys.stdin, sys.stdout)
