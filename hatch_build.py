"""Hatchling build hook: compile the RFC 8785 encoder (``src/cxops/model/_jcs.c``).

The extension is built with setuptools' ``build_ext`` (the compiler and flags Python itself was
built with). A wheel carries it and is tagged for this interpreter and platform; an editable
install (``pip install -e .``, as ``make .venv/.installed`` runs) places it next to the sources
in ``src/cxops/model/``, where the editable path finds it. Without a working compiler the build
goes on without it, with a warning: ``cxops.model.canonical_fast`` then uses its numpy path.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

MODULE = "cxops.model._jcs"
SOURCE = Path("src/cxops/model/_jcs.c")


def _compile(source: Path, work: Path) -> Path:
    """Build the extension under ``work``; return the path of the shared library."""
    from setuptools import Distribution, Extension
    from setuptools.command.build_ext import build_ext

    dist = Distribution({"name": "cxops", "ext_modules": [Extension(MODULE, [str(source)])]})
    command = build_ext(dist)
    command.build_lib = str(work / "lib")
    command.build_temp = str(work / "temp")
    command.ensure_finalized()
    command.run()
    return Path(command.get_ext_fullpath(MODULE))


class CustomBuildHook(BuildHookInterface):  # type: ignore[type-arg]
    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        root = Path(self.root)
        in_tree = root / "src" / "cxops" / "model"
        if version == "editable":
            for stale in in_tree.glob("_jcs.*.so"):
                stale.unlink()  # never leave a library built from an older _jcs.c behind
        self._work = Path(tempfile.mkdtemp(prefix="cxops-jcs-"))
        try:
            built = _compile(root / SOURCE, self._work)
        except Exception as exc:  # no compiler, no headers: build the pure-Python package
            print(
                f"WARNING: cxops' compiled RFC 8785 encoder ({SOURCE}) was not built: {exc}; "
                "content hashing falls back to the slower numpy path",
                file=sys.stderr,
            )
            return
        if version == "editable":
            shutil.copy2(built, in_tree / built.name)
            return
        build_data["force_include"][str(built)] = f"cxops/model/{built.name}"
        build_data["pure_python"] = False
        build_data["infer_tag"] = True

    def finalize(self, version: str, build_data: dict[str, Any], artifact_path: str) -> None:
        shutil.rmtree(self._work, ignore_errors=True)
