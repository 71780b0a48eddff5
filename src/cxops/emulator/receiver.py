"""A webhook receiver that checks Standard Webhooks signatures, the way a careful consumer does.

``POST /_emulator/webhooks/{endpoint}`` verifies ``webhook-id``, ``webhook-timestamp`` and
``webhook-signature`` with the reference ``standardwebhooks`` package (not cxops' own signer, so
a bug in one cannot hide behind the same bug in the other), refuses stale or bad signatures with
401, records each event once by ``webhook-id`` (repeats answer 200 and count as duplicates), and
can be told to fail a share of deliveries or answer a fixed status such as 410.
"""

from __future__ import annotations

import json
import random
import threading
from dataclasses import dataclass, field
from typing import Any

from standardwebhooks.webhooks import Webhook, WebhookVerificationError
from starlette.requests import Request
from starlette.responses import JSONResponse, Response


@dataclass
class Endpoint:
    secret: str
    fail_rate: float = 0.0
    fail_status: int = 503
    status: int | None = None  # answer this for every delivery (e.g. 410 Gone)
    events: dict[str, dict[str, Any]] = field(default_factory=dict)
    attempts: int = 0
    rejected: int = 0
    failed: int = 0
    duplicates: int = 0


class Receiver:
    def __init__(self, default_secret: str, seed: int = 0) -> None:
        self.default_secret = default_secret
        self._seed = seed
        self._rng = random.Random(seed)
        self._lock = threading.Lock()
        self.endpoints: dict[str, Endpoint] = {}

    def endpoint(self, name: str) -> Endpoint:
        with self._lock:
            return self.endpoints.setdefault(name, Endpoint(self.default_secret))

    def clear(self) -> None:
        with self._lock:
            self.endpoints.clear()
            self._rng = random.Random(self._seed)

    async def deliver(self, request: Request) -> Response:
        ep = self.endpoint(request.path_params["endpoint"])
        body = await request.body()
        ep.attempts += 1
        if ep.status is not None:
            return JSONResponse({"status": ep.status}, status_code=ep.status)
        try:
            Webhook(ep.secret).verify(body, dict(request.headers))
        except WebhookVerificationError as exc:
            ep.rejected += 1
            return JSONResponse({"error": "invalid signature", "detail": str(exc)}, status_code=401)
        with self._lock:
            fail = self._rng.random() < ep.fail_rate
        if fail:
            ep.failed += 1
            return JSONResponse({"error": "injected failure"}, status_code=ep.fail_status)
        msg_id = request.headers["webhook-id"]
        if msg_id in ep.events:
            ep.duplicates += 1
            ep.events[msg_id]["deliveries"] += 1
        else:
            try:
                payload: Any = json.loads(body)
            except ValueError:
                payload = body.decode("utf-8", "replace")
            ep.events[msg_id] = {
                "id": msg_id,
                "timestamp": request.headers["webhook-timestamp"],
                "payload": payload,
                "deliveries": 1,
            }
        return Response(status_code=204)

    async def show(self, request: Request) -> Response:
        ep = self.endpoint(request.path_params["endpoint"])
        return JSONResponse(
            {
                "endpoint": request.path_params["endpoint"],
                "attempts": ep.attempts,
                "rejected": ep.rejected,
                "failed": ep.failed,
                "duplicates": ep.duplicates,
                "events": list(ep.events.values()),
            }
        )

    async def configure(self, request: Request) -> Response:
        """``PUT`` ``{secret?, fail_rate?, fail_status?, status?}``; ``status: null`` clears it."""
        ep = self.endpoint(request.path_params["endpoint"])
        data = await request.json()
        if not isinstance(data, dict):
            return JSONResponse({"error": "expected a JSON object"}, status_code=400)
        for key in ("secret", "fail_rate", "fail_status", "status"):
            if key in data:
                setattr(ep, key, data[key])
        return JSONResponse(
            {"secret_set": bool(ep.secret), "fail_rate": ep.fail_rate, "status": ep.status}
        )
