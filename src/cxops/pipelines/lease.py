"""One promotion per target: a lease on the target environment, held for the whole promotion.

The lease is a row of the store's ``leases`` table (``store/leases.py``), so it works the same
on SQLite and PostgreSQL, across processes and machines that share the store. Its holder is the
*run*, not the process: a promotion killed half way keeps its target until it is resumed
(``cxops runs resume``) or cancelled (``cxops runs cancel``, which rolls it back), because the
target may be half changed; a second promotion to that target exits 2 with
"promotion RUN is in progress on TARGET" meanwhile (issue #14: two promotions at once both
failed verification and left prod running the second one's failed release).

- taken in the promotion's first step, in the same transaction that records the run, so a run
  exists if and only if it held the lease;
- checked (holder and fencing token) before every step that changes the target: a run that no
  longer holds its lease stops before touching the target;
- released in the transaction that ends the run.

Dry runs change nothing and take no lease. Issue #17 (queues partitioned by target) builds on
:func:`target_name`.
"""

from __future__ import annotations

from typing import Any

from cxops.errors import CxopsError, UsageError
from cxops.store import Store, Tx

__all__ = ["LeaseBusy", "LeaseLost", "acquire", "check", "target_name"]


class LeaseBusy(UsageError):
    """Another promotion holds the target (exit 2: nothing was done)."""


class LeaseLost(CxopsError):
    """The run no longer holds its target's lease; it must not change the target."""

    exit_code = 1


def target_name(params: dict[str, Any]) -> str:
    """The lease name of a promotion's target: the vendor and the tenant as the vendor knows
    it (base URL and tenant or org id), never the profile name (two profiles, one tenant)."""
    conn = params["connections"]["target"]
    where = [conn.get("base_url") or "", conn.get("tenant_id") or ""]
    return "promote:" + ":".join([str(conn["vendor"]), *(w for w in where if w)])


def acquire(tx: Tx, run_id: str, params: dict[str, Any]) -> int:
    """Take the target's lease for ``run_id`` inside ``tx``; its fencing token, or LeaseBusy."""
    grant = tx.leases.acquire(target_name(params), run_id)
    if not grant.ok:
        raise LeaseBusy(
            f"promotion {grant.holder} is in progress on {params['target']}",
            hint=(
                f"wait for it to end, resume it (`cxops runs resume {grant.holder}`) if its "
                f"process died, or stop it (`cxops runs cancel {grant.holder}`)"
            ),
        )
    return grant.token


def check(store: Store, run_id: str, params: dict[str, Any], token: int | None) -> None:
    """LeaseLost unless ``run_id`` still holds its target with ``token``."""
    if params.get("dry_run"):
        return
    held = store.leases.get(target_name(params))
    if held is None or held.holder != run_id or (token is not None and held.token != token):
        raise LeaseLost(
            f"run {run_id} no longer holds the lease on {params['target']}",
            hint="another promotion took the target over; see `cxops runs list --kind promote`",
        )
