"""The only place cxops speaks HTTP: auth, retries, pacing, paging and job polling.

Other rooms build a client with :func:`open_client` (or :func:`connect`) from the
:class:`ConnectionSettings` that :func:`resolve_connection` (or ``cli.connection``) produced, and
call :meth:`VendorClient.get_json`, :meth:`VendorClient.send_json`, the pagers and the poller.
"""

from cxops.transport.client import VendorClient
from cxops.transport.factory import USER_AGENT, connect, create_http_client, open_client
from cxops.transport.settings import ConnectionSettings, TransportOptions, resolve_connection

__all__ = [
    "USER_AGENT",
    "ConnectionSettings",
    "TransportOptions",
    "VendorClient",
    "connect",
    "create_http_client",
    "open_client",
    "resolve_connection",
]
