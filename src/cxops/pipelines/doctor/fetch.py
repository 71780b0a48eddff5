"""Fetching one answer read-only and checking it against what cxops reads from it."""

from __future__ import annotations

from typing import Any

from cxops.errors import CxopsError, NetworkError, PermissionDenied, ProtocolError, VendorError
from cxops.pipelines.doctor.report import Check, Report
from cxops.transport import VendorClient
from cxops.vendors.reads import Answer

__all__ = ["fetch", "first", "skipped"]


async def fetch(
    client: VendorClient,
    report: Report,
    spec: Answer,
    url: str,
    params: dict[str, Any] | None = None,
) -> Any:
    """GET ``url`` (never anything else), add a ``fields`` check for ``spec.route`` and return
    the answer when it could be read (None otherwise). A network failure is re-raised: the
    caller decides whether the vendor is unreachable."""
    try:
        body = await client.get_json(url, params=params)
    except PermissionDenied:
        report.add(
            Check("fields", spec.route, "denied", "403: the credentials may not read this",
                  http_status=403)
        )  # fmt: skip
        return None
    except NetworkError:
        raise
    except ProtocolError:
        report.add(Check("fields", spec.route, "failed", "the answer is not usable JSON"))
        return None
    except VendorError as exc:
        status = getattr(exc, "status", None)
        report.add(
            Check("fields", spec.route, "failed", "the vendor answered with an error",
                  http_status=status if isinstance(status, int) else None)
        )  # fmt: skip
        return None
    except CxopsError:
        raise
    if spec.items is not None and body == {}:  # a 204: nothing listed (CXone's empty search)
        report.add(Check("fields", spec.route, "skipped", "the listing is empty"))
        return body
    found = spec.problems(body)
    report.add(Check("fields", spec.route, "missing" if found else "ok", problems=found))
    return body


def skipped(report: Report, spec: Answer, why: str) -> None:
    """A ``fields`` line for an answer that could not be fetched (nothing to fetch it for)."""
    report.add(Check("fields", spec.route, "skipped", why))


def first(body: Any, key: str) -> dict[str, Any] | None:
    """The first object of the listing ``body[key]``, if any."""
    rows = body.get(key) if isinstance(body, dict) else None
    if isinstance(rows, list):
        for row in rows:
            if isinstance(row, dict):
                return row
    return None
