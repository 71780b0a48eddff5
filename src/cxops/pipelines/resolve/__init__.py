"""Dependency resolution: graph, cycles, version ranges, ``cxops.lock``, registry push
(docs/resolve.md).

``run_resolve(settings, ResolveOptions(repo=...), store=..., publish=Publish(...))`` returns the
:class:`ResolveReport` (findings CX101/CX105/CX106, the lock written) and what was pushed.
"""

from cxops.pipelines.resolve.build import BuildReport, ensure_build
from cxops.pipelines.resolve.pipeline import Publish, run_resolve
from cxops.pipelines.resolve.registry import Pushed, push_artifact
from cxops.pipelines.resolve.run import ResolveOptions, ResolveReport, resolve_tenant

__all__ = [
    "BuildReport",
    "Publish",
    "Pushed",
    "ResolveOptions",
    "ResolveReport",
    "ensure_build",
    "push_artifact",
    "resolve_tenant",
    "run_resolve",
]
