"""The outbox: events written with the state change they report, and their delivery state.

An event gets one delivery row per webhook endpoint that is enabled when the event is added.
The relay (``cxops.sinks.webhooks``) claims due deliveries with a lease, sends them, and records
the outcome here; the retry schedule itself lives in the relay. Endpoints store the NAME of the
environment variable holding their secret, never the secret.
"""

from __future__ import annotations

import re
import uuid
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Row, bindparam, func, insert, literal, select, update

from cxops.errors import ConfigError
from cxops.store.models import DeliveryRow, EndpointRow, OutboxRow, for_dialects, table_of
from cxops.store.records import Delivery, Endpoint, Event
from cxops.store.scope import Scope, utcnow

__all__ = ["REMOVED", "DeliveryState", "Outbox"]

_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,255}$")


#: Why an endpoint is disabled when a user removed it (``cxops webhooks remove``); adding the URL
#: again enables it again, unlike a receiver's 410 Gone.
REMOVED = "removed by the user"


class DeliveryState:
    PENDING = "pending"
    DELIVERED = "delivered"
    DEAD = "dead"  # the retry schedule ran out: a dead letter
    DISABLED = "disabled"  # the endpoint was disabled (410 Gone) before delivery
    ALL = (PENDING, DELIVERED, DEAD, DISABLED)


# Deliveries with their event and endpoint, the shape every delivery query starts from.
_JOINED = (
    select(DeliveryRow, OutboxRow, EndpointRow)
    .join(OutboxRow, DeliveryRow.event_id == OutboxRow.id)
    .join(EndpointRow, DeliveryRow.endpoint_id == EndpointRow.id)
)


_OUTBOX = table_of(OutboxRow)
_DELIVERIES = table_of(DeliveryRow)


def _add(insert: Any) -> Any:
    """Outbox.add's statement: the event, unless its id exists (then nothing is returned)."""
    return insert(_OUTBOX).on_conflict_do_nothing(index_elements=["id"]).returning(*_OUTBOX.c)


_ADD = for_dialects(_add)
#: One pending delivery of an event per endpoint enabled now, in one statement.
_DELIVER = insert(_DELIVERIES).from_select(
    ["event_id", "endpoint_id", "state", "attempts", "next_attempt"],
    select(
        bindparam("event", type_=_OUTBOX.c.id.type),
        EndpointRow.id,
        literal(DeliveryState.PENDING, _DELIVERIES.c.state.type),
        literal(0, _DELIVERIES.c.attempts.type),
        bindparam("now", type_=_DELIVERIES.c.next_attempt.type),
    ).where(EndpointRow.disabled_at.is_(None)),
)


def _endpoint(row: EndpointRow) -> Endpoint:
    return Endpoint(row.id, row.url, row.secret_env, row.disabled_at, row.disabled_reason)


def _event(row: OutboxRow | Row[Any]) -> Event:
    return Event(row.id, row.type, dict(row.payload), row.created, row.run_id)


class Outbox:
    """Events, webhook endpoints and per-endpoint delivery state."""

    def __init__(self, scope: Scope) -> None:
        self._scope = scope

    # -- endpoints ---------------------------------------------------------------------------

    def register(self, url: str, secret_env: str) -> Endpoint:
        """Add (or update the secret variable of) the endpoint at ``url``; returns it.

        An endpoint disabled by a 410 stays disabled: the receiver said it is gone for good. One
        the user removed is enabled again (its deliveries from before stay disabled).
        """
        if not _ENV_NAME.match(secret_env) or secret_env.lower().startswith("whsec_"):
            # Refusing anything that is not a variable name keeps a pasted secret out of the DB.
            raise ConfigError(
                "--webhook-secret-env takes the NAME of an environment variable, not the secret",
                hint="export CXOPS_WEBHOOK_SECRET=whsec_... and pass "
                "--webhook-secret-env CXOPS_WEBHOOK_SECRET",
            )
        if not url.startswith(("http://", "https://")):
            raise ConfigError(f"webhook URL must be http(s): {url!r}")
        with self._scope.session() as s:
            row = s.scalars(select(EndpointRow).where(EndpointRow.url == url)).one_or_none()
            if row is None:
                row = EndpointRow(url=url, secret_env=secret_env, created=utcnow())
                s.add(row)
            else:
                row.secret_env = secret_env
                if row.disabled_reason == REMOVED:
                    row.disabled_at = row.disabled_reason = None
            s.flush()
            return _endpoint(row)

    def remove(self, url: str) -> tuple[Endpoint, int]:
        """Stop sending to ``url``: the endpoint is disabled, its delivery history kept; returns
        it and how many pending deliveries were dropped. ConfigError when no endpoint has it."""
        with self._scope.session() as s:
            row = s.scalars(select(EndpointRow).where(EndpointRow.url == url)).one_or_none()
            if row is None:
                raise ConfigError(
                    f"no webhook endpoint {url!r}", hint="cxops webhooks list shows the endpoints"
                )
            endpoint_id = row.id
        dropped = self.disable(endpoint_id, REMOVED)
        return next(e for e in self.endpoints() if e.id == endpoint_id), dropped

    def endpoint_counts(self) -> dict[int, dict[str, int]]:
        """Per endpoint id: how many deliveries are in each state."""
        with self._scope.session() as s:
            rows = s.execute(
                select(DeliveryRow.endpoint_id, DeliveryRow.state, func.count()).group_by(
                    DeliveryRow.endpoint_id, DeliveryRow.state
                )
            ).all()
        out: dict[int, dict[str, int]] = {}
        for endpoint_id, state, n in rows:
            out.setdefault(int(endpoint_id), dict.fromkeys(DeliveryState.ALL, 0))[state] = int(n)
        return out

    def endpoints(self, *, enabled_only: bool = False) -> list[Endpoint]:
        """Registered endpoints, oldest first."""
        query = select(EndpointRow).order_by(EndpointRow.id)
        if enabled_only:
            query = query.where(EndpointRow.disabled_at.is_(None))
        with self._scope.session() as s:
            return [_endpoint(r) for r in s.scalars(query)]

    def disable(self, endpoint_id: int, reason: str) -> int:
        """Disable an endpoint and every delivery still pending to it; returns that count."""
        now = utcnow()
        with self._scope.session() as s:
            row = s.get(EndpointRow, endpoint_id)
            if row is None:
                raise ValueError(f"no endpoint {endpoint_id}")
            row.disabled_at, row.disabled_reason = now, reason
            result = s.execute(
                update(DeliveryRow)
                .where(DeliveryRow.endpoint_id == endpoint_id)
                .where(DeliveryRow.state == DeliveryState.PENDING)
                .values(state=DeliveryState.DISABLED, next_attempt=None)
            )
            return int(getattr(result, "rowcount", 0) or 0)

    # -- events ------------------------------------------------------------------------------

    def add(
        self,
        type: str,
        payload: dict[str, Any],
        *,
        run_id: str | None = None,
        event_id: str | None = None,
    ) -> Event:
        """Write an event and a pending delivery to each enabled endpoint.

        ``event_id`` (default ``msg_<uuid>``) becomes the ``webhook-id`` receivers dedupe on;
        pass a deterministic one when a retried pipeline step may emit the same event again:
        adding an id that exists returns the stored event and changes nothing.
        """
        values = {
            "id": event_id or f"msg_{uuid.uuid4().hex}",
            "type": type,
            "payload": payload,
            "created": utcnow(),
            "run_id": run_id,
        }
        with self._scope.connection() as conn:
            row = conn.execute(_ADD[conn.dialect.name], values).one_or_none()
            if row is None:  # the id exists: the stored event, nothing changed
                row = conn.execute(select(_OUTBOX).where(_OUTBOX.c.id == values["id"])).one()
                return _event(row)
            conn.execute(_DELIVER, {"event": row.id, "now": row.created})
            return _event(row)

    def get(self, event_id: str) -> Event | None:
        """The event with this id, or None."""
        with self._scope.session() as s:
            row = s.get(OutboxRow, event_id)
            return None if row is None else _event(row)

    def events(self, *, run_id: str | None = None) -> list[Event]:
        """Events in the order they were written."""
        query = select(OutboxRow).order_by(OutboxRow.created, OutboxRow.id)
        if run_id is not None:
            query = query.where(OutboxRow.run_id == run_id)
        with self._scope.session() as s:
            return [_event(r) for r in s.scalars(query)]

    # -- deliveries --------------------------------------------------------------------------

    @staticmethod
    def _delivery(d: DeliveryRow, e: OutboxRow, p: EndpointRow) -> Delivery:
        return Delivery(
            _event(e),
            _endpoint(p),
            d.state,
            d.attempts,
            d.next_attempt,
            d.last_status,
            d.last_error,
        )

    def deliveries(self, *, state: str | None = None) -> list[Delivery]:
        """Delivery rows (optionally in one state), by event order."""
        query = _JOINED.order_by(OutboxRow.created, OutboxRow.id, EndpointRow.id)
        if state is not None:
            query = query.where(DeliveryRow.state == state)
        with self._scope.session() as s:
            return [self._delivery(d, e, p) for d, e, p in s.execute(query).all()]

    def claim(self, now: datetime, lease: timedelta, limit: int = 100) -> list[Delivery]:
        """Take up to ``limit`` due pending deliveries, hiding them from others for ``lease``.

        If this process dies while sending, the lease runs out and another relay retries:
        delivery is at least once, and receivers dedupe on ``webhook-id``.
        """
        query = (
            _JOINED.where(DeliveryRow.state == DeliveryState.PENDING)
            .where(DeliveryRow.next_attempt <= now)
            .order_by(DeliveryRow.next_attempt, OutboxRow.created)
            .limit(limit)
        )
        if self._scope.dialect == "postgresql":
            query = query.with_for_update(of=DeliveryRow, skip_locked=True)
        with self._scope.session() as s:
            rows = s.execute(query).all()
            claimed = [(d, e, p) for d, e, p in rows]
            for d, _e, _p in claimed:
                d.next_attempt = now + lease
            s.flush()
            return [self._delivery(d, e, p) for d, e, p in claimed]

    def record(
        self,
        event_id: str,
        endpoint_id: int,
        *,
        state: str,
        status: int | None,
        error: str | None,
        next_attempt: datetime | None,
        at: datetime,
    ) -> None:
        """Record one attempt's outcome: the new state, HTTP status, error and next attempt."""
        with self._scope.session() as s:
            row = s.get(DeliveryRow, (event_id, endpoint_id))
            if row is None:
                raise ValueError(f"no delivery of {event_id} to endpoint {endpoint_id}")
            row.attempts += 1
            row.state, row.last_status, row.last_error = state, status, error
            row.last_attempt, row.next_attempt = at, next_attempt
            if state == DeliveryState.DELIVERED:
                row.delivered_at = at
            s.flush()

    def next_due(self) -> datetime | None:
        """When the earliest pending delivery becomes due (None when nothing is pending)."""
        with self._scope.session() as s:
            return s.scalar(
                select(func.min(DeliveryRow.next_attempt)).where(
                    DeliveryRow.state == DeliveryState.PENDING
                )
            )

    def counts(self) -> dict[str, int]:
        """How many deliveries are in each state."""
        with self._scope.session() as s:
            rows = s.execute(
                select(DeliveryRow.state, func.count()).group_by(DeliveryRow.state)
            ).all()
        out = dict.fromkeys(DeliveryState.ALL, 0)
        out.update({state: int(n) for state, n in rows})
        return out
