"""What a compile leaves in the store: a run, one step per unit, state events and audit entries.

Every state change of a unit (a CXone script save, a Genesys validate job) is one outbox event
``compile.<state>`` (``queued``, ``in_progress``, ``done``, ``failed``) in the same transaction
as its step and audit entry, so a signed webhook goes out for each (the relay delivers them).
Event ids are derived from the run, the unit and the state, so re-emitting after a resume is a
no-op. Steps carry the timing that per-operation latency and success rates are computed from.
"""

from __future__ import annotations

import hashlib
from typing import Any

from cxops.store import Store

__all__ = ["STATES", "Recorder"]

STATES = ("queued", "in_progress", "done", "failed")


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


class Recorder:
    """Writes one compile run's records; ``store`` None records nothing (a dry library use)."""

    def __init__(self, store: Store | None, params: dict[str, Any]) -> None:
        self.store = store
        self.run_id = store.runs.start("compile", params).id if store else None
        self.actor = "cli"

    def _key(self, vendor: str, unit: str) -> str:
        return f"{self.run_id}:compile:{vendor}:{_digest(unit)}"

    def state(
        self, vendor: str, unit: str, state: str, detail: dict[str, Any] | None = None
    ) -> None:
        """Record that ``unit`` (a script path, a flow id) entered ``state``.

        ``in_progress`` begins the unit's step (its latency clock); ``done``/``failed`` finish
        it, with ``detail`` as the step result; every state emits its event and audit entry.
        """
        if self.store is None:
            return
        key = self._key(vendor, unit)
        payload = {"run": self.run_id, "vendor": vendor, "unit": unit, "state": state}
        payload.update(detail or {})
        if state == "in_progress":
            self.store.steps.begin(str(self.run_id), f"compile.{vendor}", key)
        with self.store.transaction() as tx:
            if state == "done":
                tx.steps.finish(key, result=detail or {})
            elif state == "failed":
                tx.steps.finish(key, status="failed", error=str((detail or {}).get("error")))
            tx.audit.append(self.actor, f"compile.{state}", unit, payload)
            tx.emit(
                f"compile.{state}",
                payload,
                run_id=self.run_id,
                event_id=f"msg_{self.run_id}_{_digest(unit + vendor)}_{state}",
            )

    def finish(self, status: str, summary: dict[str, Any], error: str | None = None) -> None:
        """End the run with its summary (findings by severity, units checked)."""
        if self.store is None or self.run_id is None:
            return
        with self.store.transaction() as tx:
            tx.finish_run(self.run_id, status, summary=summary, error=error)
            tx.audit.append(self.actor, f"compile.{status}", self.run_id, summary)
            tx.emit(
                "compile.completed",
                {"run": self.run_id, "status": status, **summary},
                run_id=self.run_id,
                event_id=f"msg_{self.run_id}_compile_completed",
            )
