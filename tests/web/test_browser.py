"""The dashboard in a real browser (Debian's Chromium driven by Playwright) on the demo's data:
every page opens, a run is followed from the list to its plan and rollback report, the audit log
is filtered, a tampered store is flagged, the login form lets a user in off loopback.

Screenshots go to a temporary folder, and into docs/dashboard/ when ``CXOPS_DASHBOARD_SHOTS=1``
(``make dashboard-shots``), so a normal test run leaves the working tree alone.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from cxops import demo
from cxops.emulator import EmulatorThread
from tests.web.demo_data import DemoData
from tests.web.helpers import TOKEN, copy_sqlite, serving, tamper

CHROMIUM = Path("/usr/bin/chromium")
DOCS = Path(__file__).resolve().parents[2] / "docs" / "dashboard"
#: Read at import: the autouse isolation fixture removes every CXOPS_* variable from tests.
SAVE_SHOTS = os.environ.get("CXOPS_DASHBOARD_SHOTS") == "1"


@pytest.fixture(scope="module")
def browser(demo_data: DemoData) -> Iterator[Any]:
    """One headless Chromium for this module (Debian's package; no Playwright download).

    Module-scoped, not session: Playwright's sync API keeps an event loop running in this
    thread while it is open, and every later test that calls ``asyncio.run`` (the pipelines)
    would fail. It asks for the demo's data first for the same reason."""
    if not CHROMIUM.exists():
        reason = f"{CHROMIUM} is missing (apt-get install -y chromium)"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{reason}; CI=true: the browser tests must run")
        pytest.skip(f"SKIPPING THE BROWSER TESTS: {reason}")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        yield b
        b.close()


@pytest.fixture(scope="session")
def shots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("shots")


@pytest.fixture(scope="session")
def site(demo_data: DemoData) -> Iterator[str]:
    """The dashboard on the demo's store and repositories, once for the session."""
    with serving(demo_data.store_url, demo_data.repos) as url:
        yield url


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    p = context.new_page()
    p.set_default_timeout(20_000)
    yield p
    context.close()


def _shot(page: Any, shots: Path, name: str) -> None:
    path = shots / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    if SAVE_SHOTS:
        DOCS.mkdir(parents=True, exist_ok=True)
        shutil.copy(path, DOCS / path.name)


def test_every_page_opens(page: Any, site: str, shots: Path, demo_data: DemoData) -> None:
    """Environments, runs, flows, audit, metrics and webhooks render with their data."""
    page.goto(site + "/")
    assert page.locator("table.matrix").is_visible()
    row = page.locator("tr", has_text="Appointment Booking")
    assert "1.1.0" in row.inner_text() and "rolled back" in row.inner_text()
    _shot(page, shots, "environments")
    page.goto(site + "/runs")
    assert page.locator("table.runs tbody tr").count() == 9  # 6 exports, 2 promotions, 1 rollback
    _shot(page, shots, "runs")
    page.goto(site + "/dora")
    assert "change failure rate" in page.inner_text("main")
    assert page.locator("svg.chart rect.failed").count() == 1
    _shot(page, shots, "metrics")
    page.goto(site + "/webhooks")
    assert "CXOPS_DEMO_WEBHOOK_SECRET" in page.inner_text("main")
    _shot(page, shots, "webhooks")
    page.goto(site + "/audit")
    assert "The audit log verifies" in page.inner_text("#verdict")
    _shot(page, shots, "audit")
    page.goto(site + "/flows")
    assert page.locator("details.project").count() > 10


def test_follow_a_run_to_its_plan_and_rollback(page: Any, site: str, shots: Path) -> None:
    """From the list, the rolled-back promotion: gates in sentences, the change by names,
    the rollback report with the content hash before and restored, identical."""
    page.goto(site + "/runs?kind=promote")
    page.get_by_role(
        "link", name=page.locator("tr", has_text="1.1.1").locator("a").inner_text()
    ).click()
    page.wait_for_selector("#rollback")
    text = page.inner_text("main")
    assert "Rollback report" in text and "Restored to identical content." in text
    hashes = page.locator("table.hashes code").all_inner_texts()
    assert len(hashes) == 2 and hashes[0] == hashes[1] and hashes[0].startswith("sha256:")
    assert "Main \u203a Greeting \u203a comment" in page.inner_text("#plan")
    assert "Simulation passed" in page.inner_text("#gates")
    assert page.locator(".timeline .step").count() >= 8
    _shot(page, shots, "run-rolled-back")
    page.locator("#rollback a").click()
    assert "rollback of" in page.inner_text("h1")


def test_a_finding_leads_to_the_flow_graph(page: Any, site: str, shots: Path) -> None:
    """An export's loop finding links to the flow, drawn with the cycle highlighted."""
    runs = httpx.get(site + "/api/v1/runs", params={"kind": "export"}).json()["runs"]
    cognigy_dev = next(r for r in runs if r["vendor"] == "cognigy" and r["environment"] == "dev")
    page.goto(site + f"/runs/{cognigy_dev['id']}")
    page.locator("#findings tr", has_text="CX109").first.locator("a").click()
    page.wait_for_selector("svg.flow")
    assert page.locator("svg.flow g.node.cycle").count() >= 2
    assert page.locator("svg.flow path.edge.cycle").count() >= 2
    assert "Cycles" in page.inner_text("aside") and "CX109" in page.inner_text("aside")
    _shot(page, shots, "flow")


def test_filter_the_audit_log(page: Any, site: str) -> None:
    """Choosing an action in the form lists only those entries."""
    page.goto(site + "/audit")
    page.select_option("select[name=action]", "promote.rollback")
    page.get_by_role("button", name="Filter").click()
    page.wait_for_url("**/audit?**")
    actions = page.locator("table.audit tbody tr td:nth-child(4)").all_inner_texts()
    assert actions == ["promote.rollback"]


def test_a_tampered_store_is_flagged(
    page: Any, demo_data: DemoData, tmp_path: Path, shots: Path
) -> None:
    """An entry changed in the database: the page says TAMPERED, names it, marks the rows."""
    url = copy_sqlite(demo_data.store_url, tmp_path)
    tamper(url, 4)
    with serving(url, demo_data.repos) as site:
        page.goto(site + "/audit")
        verdict = page.inner_text("#verdict")
        assert "TAMPERED at seq 4 (hash-mismatch)" in verdict
        assert page.locator("tr.bad-row").count() >= 1
        _shot(page, shots, "audit-tampered")


def test_sign_in_off_loopback(page: Any, demo_data: DemoData) -> None:
    """Bound off loopback: the page asks for the token, then shows the runs."""
    with serving(demo_data.store_url, demo_data.repos, host="0.0.0.0", token=TOKEN) as site:
        answer = page.goto(site + "/runs")
        assert answer is not None and answer.status == 401
        page.fill("input[name=token]", TOKEN)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_selector("table.runs")
        assert page.url.endswith("/runs") and TOKEN not in page.content()


def test_approve_a_waiting_promotion_and_see_it_finish(
    page: Any, demo_data: DemoData, emulator_server: EmulatorThread, tmp_path: Path, shots: Path
) -> None:
    """``cxops promote --gates validation,approval`` waits in its own process; in the page a
    signed-in user approves it with a reason; the page refreshes itself until it is promoted."""
    url = copy_sqlite(demo_data.store_url, tmp_path / "store")
    work = tmp_path / "work"
    saved = {v: os.environ.get(v) for v in demo.KEY_ENV.values()}
    demo._write_profiles(emulator_server, work)  # sets the key variables, as the demo does
    env = {**os.environ, "CXOPS_STORE_URL": url}
    for var in demo.KEY_ENV.values():
        env[var] = os.environ[var]
    for var, value in saved.items():
        if value is None:
            os.environ.pop(var, None)
    httpx.post(f"{emulator_server.url}/_emulator/clock", json={"speed": 200}).raise_for_status()
    command = [sys.executable, "-m", "cxops", "promote", "--from", "dev", "--to", "prod",
               "--project", demo.PROJECT, "--gates", "validation,approval", "--rate", "5000",
               "--concurrency", "32", "--json"]  # fmt: skip
    proc = subprocess.Popen(
        command, cwd=work, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    try:
        with serving(url, demo_data.repos, token=TOKEN) as site:
            run_id = _wait_for_approval(url, proc)
            page.goto(f"{site}/login?next=/runs/{run_id}")
            page.fill("input[name=token]", TOKEN)
            page.get_by_role("button", name="Sign in").click()
            page.wait_for_selector("#approval")
            _shot(page, shots, "run-waiting-for-approval")
            page.fill("input[name=approver]", "Dana")
            page.fill("input[name=reason]", "CAB approved the greeting change")
            page.get_by_role("button", name="Approve").click()
            page.wait_for_selector("span.status.succeeded", timeout=120_000)  # live refresh
            assert "Approved by Dana (dashboard): CAB approved the greeting change." in (
                page.inner_text("#gates")
            )
        out, err = proc.communicate(timeout=60)
        assert proc.returncode == 0, err.decode()[-2000:]
        assert json.loads(out)["outcome"] == "promoted"
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        httpx.post(f"{emulator_server.url}/_emulator/clock", json={"speed": 1}).raise_for_status()
        emulator_server.ctx.reset()


def _wait_for_approval(url: str, proc: subprocess.Popen[bytes]) -> str:
    """The id of the promotion once it waits at its approval gate."""
    from cxops.pipelines.promote.approval import pending
    from cxops.store import Store

    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        assert proc.poll() is None, proc.stderr.read().decode()[-2000:] if proc.stderr else ""
        with Store.open(url) as st:
            for run in st.runs.list(kind="promote", status="running"):
                if pending(st, run) is not None:
                    return run.id
        time.sleep(0.3)
    raise AssertionError("the promotion never asked for approval")
