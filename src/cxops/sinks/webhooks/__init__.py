"""Signed webhooks from the outbox: Standard Webhooks signatures, retries, dead letters.

``Relay(store).drain_once()`` sends what is due; ``async with Relay(store).running():`` keeps
delivering while a long command runs. See docs/webhooks.md.
"""

from cxops.sinks.webhooks.relay import DeliveryReport, Relay, event_body
from cxops.sinks.webhooks.schedule import SCHEDULE, next_delay
from cxops.sinks.webhooks.signing import load_secrets, parse_secrets, signature_headers

__all__ = [
    "SCHEDULE",
    "DeliveryReport",
    "Relay",
    "event_body",
    "load_secrets",
    "next_delay",
    "parse_secrets",
    "signature_headers",
]
