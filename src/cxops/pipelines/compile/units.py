"""One compile unit each: a CXone script save-and-validate, a Genesys validate job.

CXone validates only on save (``POST scripts``): a clean or warned script is **saved** (a new
``masterID`` is minted, the tenant changes), a rejected one (409) is not. cxops therefore saves
back exactly the script it read (``to_native`` of the lossless bundle), so the content the
tenant runs is unchanged; only its version history grows. An **inactive** script is never
saved (a save would make it live again): it is reported ``skipped``. The answer is read by
``cxops.model.native.cxone_answers`` (the live batch shape, tolerantly). Genesys validates
without saving.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from cxops.analysis.findings import Finding
from cxops.errors import ProtocolError
from cxops.model.native import cxone as cxone_native
from cxops.model.native.cxone_answers import SaveProblem, read_save_answer
from cxops.pipelines.compile.cxone_codes import REFUSED
from cxops.pipelines.compile.mapping import FlowFile, cxone_findings, genesys_findings
from cxops.transport import JobEvent, VendorClient, genesys_validate_job, poll_job
from cxops.transport.vendor_errors import json_body

__all__ = [
    "CXONE_API",
    "UnitResult",
    "save_cxone_script",
    "skip_inactive_script",
    "validate_genesys_flow",
]

CXONE_API = "/inContactAPI/services/v31.0"
_OUTCOME = {200: "clean", 206: "warnings", 409: "rejected"}


@dataclass
class UnitResult:
    """What one unit's check gave: outcome (``clean``, ``warnings``, ``rejected``, ``failed``),
    the vendor's status or job state, its findings and how long it took (seconds)."""

    vendor: str
    unit: str
    outcome: str
    status: str
    seconds: float
    findings: list[Finding] = field(default_factory=list)
    error: str | None = None
    master_id: str | None = None

    def detail(self) -> dict[str, Any]:
        """The JSON-ready summary stored with the step and sent with the event."""
        counts = {"error": 0, "warning": 0}
        for f in self.findings:
            counts[f.severity.value] = counts.get(f.severity.value, 0) + 1
        out: dict[str, Any] = {
            "outcome": self.outcome,
            "status": self.status,
            "seconds": round(self.seconds, 6),
            "errors": counts["error"],
            "warnings": counts["warning"],
        }
        if self.master_id:
            out["master_id"] = self.master_id
        if self.error:
            out["error"] = self.error
        return out


async def save_cxone_script(client: VendorClient, file: FlowFile) -> UnitResult:
    """Save the script as read and map the answer (200 / 206 / 409) to CX201/CX202 findings."""
    script = cxone_native.flow_to_native(file.flow)
    started = time.monotonic()
    # Repeating this save after a 429 or a lost answer stores the same content again (at worst
    # one more history version), so it is declared safe to retry.
    response = await client.request(
        "POST",
        f"{CXONE_API}/scripts",
        json={"scriptContent": script},
        accept=(206, 409),
        idempotent=True,
    )
    elapsed = time.monotonic() - started
    answer = read_save_answer(json_body("cxone", response) if response.content else {})
    problems = list(answer.problems)
    if (response.status_code == 409 or answer.success is False) and not answer.errors:
        # Refused without naming a problem: still an error on the script, never a pass.
        problems.append(SaveProblem("", None, "error", REFUSED))
    outcome = _OUTCOME.get(response.status_code, "clean")
    if answer.success is False:
        outcome = "rejected"
    elif outcome == "clean" and answer.warnings:
        outcome = "warnings"
    findings = cxone_findings(file, problems)
    return UnitResult(
        vendor="cxone",
        unit=file.flow.id,
        outcome=outcome,
        status=str(response.status_code),
        seconds=elapsed,
        findings=findings,
        master_id=str(answer.master_id) if answer.master_id is not None else None,
    )


def skip_inactive_script(file: FlowFile) -> UnitResult:
    """An inactive script's unit: not saved (a save would make it the live script again)."""
    return UnitResult(
        vendor="cxone", unit=file.flow.id, outcome="skipped", status="inactive", seconds=0.0
    )


async def validate_genesys_flow(
    client: VendorClient,
    file: FlowFile,
    files: Mapping[str, FlowFile],
    *,
    deadline: float,
    on_event: Callable[[JobEvent], None] | None = None,
) -> UnitResult:
    """Run a validate job on the flow version cxops wrote, poll it to completion, and map its
    messages to CX201/CX202 findings on the nodes they name."""
    flow: dict[str, Any] = {"id": file.flow.id}
    if file.flow.version:
        flow["version"] = file.flow.version
    started = time.monotonic()
    job = await client.send_json(
        "POST", "/api/v2/flows/validate/jobs", {"flows": [{"flow": flow}]}, idempotent=True
    )
    if not isinstance(job, Mapping) or not job.get("id"):
        raise ProtocolError("genesys POST /flows/validate/jobs answered without a job 'id'")
    job_id = str(job["id"])
    result = await poll_job(
        client, genesys_validate_job(job_id), deadline=deadline, on_event=on_event
    )
    messages = result.body.get("messages") if isinstance(result.body, Mapping) else None
    findings = genesys_findings(files, list(messages or []), file.flow.id)
    return UnitResult(
        vendor="genesys",
        unit=file.flow.id,
        outcome=_outcome(findings),
        status=result.state,
        seconds=time.monotonic() - started,
        findings=findings,
    )


def _outcome(findings: list[Finding]) -> str:
    """Genesys' words for what CXone's 409 / 206 / 200 say."""
    if any(f.code == "CX201" for f in findings):
        return "rejected"
    return "warnings" if findings else "clean"
