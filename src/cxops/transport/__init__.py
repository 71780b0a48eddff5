"""The only place cxops speaks HTTP: auth, retries, pacing, paging and job polling.

Other rooms build a client with :func:`open_client` (or :func:`connect`) from the
:class:`ConnectionSettings` that :func:`resolve_connection` (or ``cli.connection``) produced, then
call :meth:`VendorClient.get_json` / :meth:`VendorClient.send_json` /
:meth:`VendorClient.request`, the pagers (``cognigy_pages``, ``cognigy_cursor``, ``cxone_pages``,
``genesys_pages``) and :func:`poll_job` with a job spec (``cognigy_task``,
``genesys_export_job``, ``genesys_import_job``, ``genesys_validate_job``, ``genesys_operation``).
See docs/transport.md.
"""

from cxops.transport.client import IDEMPOTENCY_HEADER, VendorClient
from cxops.transport.factory import (
    USER_AGENT,
    connect,
    connect_odata,
    create_http_client,
    open_client,
)
from cxops.transport.jobs import (
    JobSpec,
    cognigy_task,
    genesys_export_job,
    genesys_import_job,
    genesys_operation,
    genesys_validate_job,
)
from cxops.transport.lifecycle import Outcome
from cxops.transport.paging import cognigy_cursor, cognigy_pages, cxone_pages, genesys_pages
from cxops.transport.poller import Cadence, JobEvent, JobResult, poll_job
from cxops.transport.settings import ConnectionSettings, TransportOptions, resolve_connection

__all__ = [
    "IDEMPOTENCY_HEADER",
    "USER_AGENT",
    "Cadence",
    "ConnectionSettings",
    "JobEvent",
    "JobResult",
    "JobSpec",
    "Outcome",
    "TransportOptions",
    "VendorClient",
    "cognigy_cursor",
    "cognigy_pages",
    "cognigy_task",
    "connect",
    "connect_odata",
    "create_http_client",
    "cxone_pages",
    "genesys_export_job",
    "genesys_import_job",
    "genesys_operation",
    "genesys_pages",
    "genesys_validate_job",
    "open_client",
    "poll_job",
    "resolve_connection",
]
