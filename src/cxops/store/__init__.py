"""Runs, steps, the tamper-evident audit log and the outbox (SQLAlchemy 2 + Alembic).

Start with :meth:`Store.open`; docs/store.md shows how a pipeline uses it.
"""

from cxops.store.audit import Verification
from cxops.store.chain import Problem
from cxops.store.engine import resolve_url
from cxops.store.keys import SIGNING_KEY_ENV, load_public_key, load_signing_key
from cxops.store.outbox import DeliveryState
from cxops.store.records import (
    AuditEntry,
    Delivery,
    Endpoint,
    Event,
    Run,
    RunStatus,
    Step,
    StepStart,
    StepStatus,
)
from cxops.store.store import Store, StoreError, Tx

__all__ = [
    "SIGNING_KEY_ENV",
    "AuditEntry",
    "Delivery",
    "DeliveryState",
    "Endpoint",
    "Event",
    "Problem",
    "Run",
    "RunStatus",
    "Step",
    "StepStart",
    "StepStatus",
    "Store",
    "StoreError",
    "Tx",
    "Verification",
    "load_public_key",
    "load_signing_key",
    "resolve_url",
]
