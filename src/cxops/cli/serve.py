"""``cxops serve``: the release dashboard, the JSON API and ``/metrics``."""

from __future__ import annotations

import os
from pathlib import Path

import typer

from cxops.cli.common import Output, output_options, say
from cxops.cli.runs import store_option
from cxops.errors import ConfigError


@output_options("text", "json")
def serve(
    host: str = typer.Option("127.0.0.1", help="Address to listen on (loopback by default)."),
    port: int = typer.Option(8080, min=0, max=65535, help="Port to listen on."),
    repo: list[Path] = typer.Option(
        [], "--repo", file_okay=False, help="An export repository to read (repeatable)."
    ),
    token_env: str | None = typer.Option(
        None,
        "--token-env",
        help="NAME of the environment variable holding the token (required off loopback; "
        "actions such as redelivering a webhook always need it).",
    ),
    audit_head: Path | None = typer.Option(
        None, "--audit-head", dir_okay=False, help="A head from `cxops audit head` to check."
    ),
    store: str | None = store_option(),
    *,
    out: Output,
) -> None:
    """Serve the dashboard: environments, runs, flows, audit, metrics and webhooks pages, the
    same data as JSON under /api/v1 (OpenAPI at /openapi.json) and Prometheus at /metrics.
    With --json, one document on stdout once listening: {"url", "repos", "token"}.

    No page calls a vendor. Off loopback every request needs the token (Authorization:
    Bearer, or the login form's cookie).

    Example: CXOPS_DASHBOARD_TOKEN=$(openssl rand -hex 16) cxops serve --repo demo-repo/dev
    --repo demo-repo/prod --host 0.0.0.0 --token-env CXOPS_DASHBOARD_TOKEN
    """
    import uvicorn

    from cxops.emulator.server import bind
    from cxops.web.app import create_app
    from cxops.web.config import WebConfig, is_loopback

    token = None
    if token_env:
        token = os.environ.get(token_env) or None
        if token is None:
            raise ConfigError(
                f"--token-env {token_env}: the variable is not set",
                hint=f"export {token_env}=$(openssl rand -hex 16)",
            )
        if len(token) < 16:
            raise ConfigError(
                f"the token in {token_env} is too short ({len(token)} characters)",
                hint="use at least 16 random characters",
            )
    if not is_loopback(host) and token is None:
        raise ConfigError(
            f"listening on {host} lets other machines in: a token is required",
            hint="pass --token-env NAME (the variable holding the token), or keep --host 127.0.0.1",
        )
    for folder in repo:
        if not (folder / "flows").is_dir():
            raise ConfigError(
                f"--repo {folder}: not an export repository (no flows/ folder)",
                hint="give a folder written by cxops export",
            )
    config = WebConfig(store_url=store, repos=tuple(repo), host=host, token=token,
                       audit_head=audit_head)  # fmt: skip
    app = create_app(config)
    # Bind first: a port in use is then an OSError the error handler reports as exit 2 (uvicorn
    # would log it and exit on its own; issue #15).
    sock = bind(host, port)
    shown = f"[{host}]" if ":" in host else host
    url = f"http://{shown}:{sock.getsockname()[1]}/"
    if out.json:  # one document, once listening: where the dashboard is
        out.document({"url": url, "repos": [str(r) for r in repo], "token": token is not None})
    else:
        say(f"cxops dashboard on {url} (Ctrl+C stops it)")
    try:
        uvicorn.Server(uvicorn.Config(app, log_level="warning")).run(sockets=[sock])
    finally:
        sock.close()
