"""The webhooks page: endpoints (the secret's variable NAME, never its value), deliveries and
their attempts, dead letters; and redelivery of one event to one endpoint."""

from __future__ import annotations

from sqlalchemy import update

from cxops.store import Delivery, DeliveryState, Store
from cxops.store.models import DeliveryRow
from cxops.store.scope import utcnow
from cxops.web.queries.schemas import DeliveryView, EndpointView, WebhooksView
from cxops.web.queries.words import when

__all__ = ["redeliver", "webhooks_view"]

_SHOWN = 300


def _delivery(d: Delivery) -> DeliveryView:
    return DeliveryView(
        event_id=d.event.id,
        event_type=d.event.type,
        run_id=d.event.run_id,
        created_text=when(d.event.created),
        endpoint_id=d.endpoint.id,
        endpoint_url=d.endpoint.url,
        state=d.state,
        attempts=d.attempts,
        last_status=d.last_status,
        last_error=d.last_error,
        next_attempt_text=when(d.next_attempt) if d.next_attempt else None,
    )


def webhooks_view(store: Store) -> WebhooksView:
    counts = store.outbox.endpoint_counts()
    endpoints = [
        EndpointView(
            id=e.id,
            url=e.url,
            secret_env=e.secret_env,
            enabled=e.disabled_at is None,
            disabled_reason=e.disabled_reason,
            counts=counts.get(e.id, dict.fromkeys(DeliveryState.ALL, 0)),
        )
        for e in store.outbox.endpoints()
    ]
    every = store.outbox.deliveries()
    return WebhooksView(
        endpoints=endpoints,
        deliveries=[_delivery(d) for d in reversed(every[-_SHOWN:])],
        dead=[_delivery(d) for d in every if d.state == DeliveryState.DEAD],
        counts=store.outbox.counts(),
    )


def redeliver(store: Store, event_id: str, endpoint_id: int, actor: str) -> bool:
    """Make one dead delivery (a dead letter) pending again, due now; audited in the same
    transaction. The relay (``cxops webhooks deliver``, or any command that runs pipelines)
    sends it; receivers dedupe on the unchanged ``webhook-id``. False when there is no such
    delivery in a state that can be retried."""
    with store.transaction() as tx, tx.session() as s:
        result = s.execute(
            update(DeliveryRow)
            .where(DeliveryRow.event_id == event_id)
            .where(DeliveryRow.endpoint_id == endpoint_id)
            .where(DeliveryRow.state == DeliveryState.DEAD)
            .values(state=DeliveryState.PENDING, next_attempt=utcnow())
        )
        if not getattr(result, "rowcount", 0):
            return False
        tx.audit.append(actor, "webhook.redeliver", event_id, {"endpoint": endpoint_id})
    return True
