"""Where each vendor job is read, how its body maps to an :class:`Observation`, how to cancel.

The lifecycle tables stay vendor-neutral data in ``lifecycle.py``; this module holds the wire
knowledge (URLs and field names from the vendors' clients, see VENDORS.md):

- Cognigy task ``GET /new/v2.0/tasks/{id}`` → ``{_id,status,currentStep,totalStep,failReason}``,
  cancel ``POST /new/v2.0/tasks/{id}/cancel``.
- Genesys Architect jobs ``GET /api/v2/flows/{export/,validate/,}jobs/{id}?expand=messages`` →
  ``{id,status,messages[{type,text}]}`` (``messages`` only when expanded; no cancel in the API).
- Genesys publish/checkin Operation: ``GET /api/v2/flows/{flowId}`` → ``currentOperation``
  ``{actionName,actionStatus,complete,errorMessage,errorCode}``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from cxops.errors import ProtocolError
from cxops.transport.lifecycle import (
    COGNIGY_TASK,
    GENESYS_JOB,
    GENESYS_OPERATION,
    Lifecycle,
    Observation,
)

__all__ = [
    "JobSpec",
    "cognigy_task",
    "genesys_export_job",
    "genesys_import_job",
    "genesys_operation",
    "genesys_validate_job",
]

COGNIGY_API = "/new/v2.0"


@dataclass(frozen=True)
class JobSpec:
    """How to follow one job: its lifecycle, status URL, body parser and cancel call."""

    job_id: str
    lifecycle: Lifecycle
    status_url: str
    parse: Callable[[Any], Observation]
    cancel_url: str | None = None


def _need(data: Any, field: str, where: str) -> Any:
    if not isinstance(data, dict) or field not in data:
        raise ProtocolError(f"{where}: the job body has no '{field}'")
    return data[field]


def parse_cognigy_task(data: Any) -> Observation:
    """``ITask_2_0`` → state, progress from ``currentStep/totalStep``, ``failReason``."""
    state = _need(data, "status", "cognigy task")
    step, total = data.get("currentStep"), data.get("totalStep")
    progress = None
    if isinstance(step, int | float) and isinstance(total, int | float) and total > 0:
        progress = max(0.0, min(1.0, step / total))
    return Observation(str(state), progress, data.get("failReason") or None)


def parse_genesys_job(data: Any) -> Observation:
    """``ArchitectJobStateResponse`` → state and the error messages as the reason."""
    state = _need(data, "status", "genesys job")
    messages = data.get("messages") or []
    texts = [
        str(m.get("text"))
        for m in messages
        if isinstance(m, dict) and m.get("text") and str(m.get("type", "")).lower() != "info"
    ]
    return Observation(str(state), None, "; ".join(texts) or None)


def parse_genesys_operation(data: Any) -> Observation:
    """``Flow.currentOperation`` → ``actionStatus`` and ``errorMessage [errorCode]``."""
    op = _need(data, "currentOperation", "genesys flow")
    state = _need(op, "actionStatus", "genesys operation")
    reason = op.get("errorMessage")
    if reason and op.get("errorCode"):
        reason = f"{reason} [{op['errorCode']}]"
    return Observation(str(state), None, reason or None)


def cognigy_task(task_id: str, api: str = COGNIGY_API) -> JobSpec:
    """Follow a Cognigy task (snapshot, package, upload, merge, restore...)."""
    base = f"{api}/tasks/{task_id}"
    return JobSpec(task_id, COGNIGY_TASK, base, parse_cognigy_task, f"{base}/cancel")


def _genesys(kind: str, job_id: str) -> JobSpec:
    # A job read carries ``messages`` (a failure's reason, a validation's findings) only when
    # asked with ``expand=messages`` (SDK ``get_flows_*jobs_job_id(job_id, expand=...)``).
    url = f"/api/v2/flows/{kind}jobs/{job_id}?expand=messages"
    return JobSpec(job_id, GENESYS_JOB, url, parse_genesys_job)


def genesys_export_job(job_id: str) -> JobSpec:
    """Follow ``POST /api/v2/flows/export/jobs``."""
    return _genesys("export/", job_id)


def genesys_import_job(job_id: str) -> JobSpec:
    """Follow ``POST /api/v2/flows/jobs`` (after the file was PUT to its presigned URL)."""
    return _genesys("", job_id)


def genesys_validate_job(job_id: str) -> JobSpec:
    """Follow ``POST /api/v2/flows/validate/jobs`` (a preview API)."""
    return _genesys("validate/", job_id)


def genesys_operation(flow_id: str, operation_id: str | None = None) -> JobSpec:
    """Follow a flow's publish/checkin Operation through ``GET /api/v2/flows/{flowId}``."""
    return JobSpec(
        operation_id or flow_id,
        GENESYS_OPERATION,
        f"/api/v2/flows/{flow_id}",
        parse_genesys_operation,
    )
