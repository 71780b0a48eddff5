"""Store fixtures (see ``fixtures``)."""

from tests.store.fixtures import pg_admin, sqlite_url, store, store_url  # noqa: F401
