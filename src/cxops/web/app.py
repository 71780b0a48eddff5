"""``create_app``: the one ASGI app of ``cxops serve`` (pages, ``/api/v1``, ``/metrics``)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, PlainTextResponse, Response
from fastapi.staticfiles import StaticFiles
from pydantic import ValidationError

from cxops._version import __version__
from cxops.errors import CxopsError, UsageError
from cxops.sinks.metrics_prometheus import prometheus_text
from cxops.store import Store
from cxops.web import api, pages
from cxops.web.auth import gate_reads
from cxops.web.config import WebConfig
from cxops.web.deps import Ctx
from cxops.web.queries.repos import Repos

__all__ = ["create_app"]

_STATIC = Path(__file__).parent / "static"


def create_app(config: WebConfig, store: Store | None = None) -> FastAPI:
    """The app for ``config``; ``store`` (else ``Store.open(config.store_url)``) stays open
    for the app's life and is closed when it stops (only when this function opened it)."""
    opened = store is None
    the_store = store if store is not None else Store.open(config.store_url)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        if opened:
            the_store.close()

    app = FastAPI(
        title="cxops",
        version=__version__,
        description="The release dashboard's data: runs, environments, audit, metrics, webhooks.",
        lifespan=lifespan,
        docs_url=None,  # Swagger UI loads its assets from a CDN; nothing loads from the internet
        redoc_url=None,
    )
    app.state.ctx = Ctx(the_store, Repos(config.repos), config)
    app.middleware("http")(gate_reads(config, pages.login_page))
    app.mount("/static", StaticFiles(directory=_STATIC), name="static")
    app.include_router(api.router)
    app.include_router(pages.router)

    @app.get("/metrics", response_class=PlainTextResponse, include_in_schema=False)
    def prometheus() -> PlainTextResponse:
        """Prometheus text exposition (the same collector as ``cxops metrics --prometheus``)."""
        return PlainTextResponse(
            prometheus_text(the_store), media_type="text/plain; version=0.0.4; charset=utf-8"
        )

    @app.exception_handler(CxopsError)
    async def cxops_error(request: Request, exc: CxopsError) -> Response:
        status = 404 if isinstance(exc, UsageError) else 500
        return _error(request, status, exc.message, exc.hint)

    @app.exception_handler(ValidationError)
    async def bad_data(request: Request, exc: ValidationError) -> Response:
        return _error(request, 500, "the store holds data this page cannot show", None)

    return app


def _error(request: Request, status: int, message: str, hint: str | None) -> Response:
    if request.url.path.startswith("/api/"):
        return JSONResponse({"detail": message, "hint": hint}, status_code=status)
    page: HTMLResponse = pages.render(
        request, "error.html", status_code=status, message=message, hint=hint, nav=""
    )
    return page
