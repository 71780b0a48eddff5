"""Assemble the emulator: ``/{vendor}/{tenant}/...`` per fixture tenant, plus ``/_emulator``."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.routing import Mount

from cxops.emulator.context import EmulatorConfig, EmulatorContext, VendorEmulator
from cxops.emulator.control import create_control_app
from cxops.emulator.middleware import EmulatorMiddleware
from cxops.emulator.receiver import Receiver
from cxops.emulator.registry import all_vendors


def create_app(
    config: EmulatorConfig | None = None, vendors: dict[str, VendorEmulator] | None = None
) -> Starlette:
    """The whole emulator as one ASGI app; ``app.state.ctx`` is its :class:`EmulatorContext`."""
    config = config or EmulatorConfig()
    ctx = EmulatorContext(config)
    ctx.receiver = Receiver(config.webhook_secret, seed=config.seed)
    chosen = vendors if vendors is not None else all_vendors()
    ctx.install({k: v for k, v in chosen.items() if k in config.vendors})
    routes = [Mount("/_emulator", app=create_control_app(ctx))]
    for name, vendor in ctx.vendors.items():
        for tenant in config.tenants:
            routes.append(Mount(f"/{name}/{tenant}", app=vendor.create_app(ctx, tenant)))
    app = Starlette(routes=routes)
    app.add_middleware(EmulatorMiddleware, ctx=ctx)
    app.state.ctx = ctx
    return app


def create_vendor_app(
    vendor: str, tenant: str = "dev", config: EmulatorConfig | None = None
) -> Starlette:
    """One vendor tenant served at the root, exactly at the vendor's own paths."""
    config = config or EmulatorConfig()
    ctx = EmulatorContext(config)
    ctx.receiver = Receiver(config.webhook_secret, seed=config.seed)
    ctx.install({vendor: all_vendors()[vendor]})
    app = Starlette(routes=[Mount("/", app=ctx.vendors[vendor].create_app(ctx, tenant))])
    app.add_middleware(EmulatorMiddleware, ctx=ctx, vendor=vendor, tenant=tenant)
    app.state.ctx = ctx
    return app
