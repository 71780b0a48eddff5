"""How fast `cxops --version` answers: the median of N runs, beside two baselines in the same run.

- floor: a bare interpreter (``python -c pass``), what no CLI written in Python can beat;
- eager: an interpreter that imports every command module, what ``--version`` cost before
  commands were imported lazily (``cxops.cli.app.COMMANDS``).

    .venv/bin/python benchmarks/cli_startup.py --runs 5

Ends with ``RESULT version_seconds=<median> floor_seconds=<median> eager_seconds=<median>``.
Target (issue #16): version_seconds < 0.5 on this machine.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path


def median_seconds(cmd: list[str], runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(cmd, check=True, capture_output=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    cxops = str(Path(sys.executable).with_name("cxops"))
    subprocess.run([cxops, "--version"], check=True, capture_output=True)  # warm the file cache
    version = median_seconds([cxops, "--version"], args.runs)
    floor = median_seconds([sys.executable, "-c", "pass"], args.runs)
    eager = median_seconds(
        [sys.executable, "-c", "from cxops.cli.app import register; register()"], args.runs
    )
    print(f"cxops --version  {version:.3f} s (median of {args.runs})")
    print(f"bare python      {floor:.3f} s")
    print(f"all commands     {eager:.3f} s (every command module imported)")
    figures = f"version_seconds={version:.3f} floor_seconds={floor:.3f} eager_seconds={eager:.3f}"
    print(f"RESULT {figures}")


if __name__ == "__main__":
    main()
