"""Vendor-side compile checks: CXone save-and-validate, Genesys validate jobs (docs/compile.md).

``run_compile(settings, CompileOptions(repo=...), Recorder(store, params))`` writes the flows as
canonical files, checks each on the vendor, and returns a :class:`CompileReport` whose CX201 /
CX202 findings point at line:column of those files.
"""

from cxops.pipelines.compile.mapping import FlowFile, cxone_findings, genesys_findings
from cxops.pipelines.compile.record import Recorder
from cxops.pipelines.compile.run import (
    CompileOptions,
    CompileReport,
    compile_tenant,
    run_compile,
    write_bundles,
)
from cxops.pipelines.compile.units import UnitResult

__all__ = [
    "CompileOptions",
    "CompileReport",
    "FlowFile",
    "Recorder",
    "UnitResult",
    "compile_tenant",
    "cxone_findings",
    "genesys_findings",
    "run_compile",
    "write_bundles",
]
