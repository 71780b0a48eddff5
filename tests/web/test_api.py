"""The JSON API: every answer matches its OpenAPI schema (SQLite and PostgreSQL), tokens are
enforced off loopback, actions need the token, and no secret ever appears in a page or answer."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import httpx
import pytest

from cxops.store import DeliveryState, Store
from cxops.store.scope import utcnow
from tests.store.fixtures import PgServer, pg_admin, pg_schema_url  # noqa: F401
from tests.web.demo_data import DemoData
from tests.web.helpers import TOKEN, check_schema, client, copy_sqlite, copy_store, tamper

GETS = [
    "/api/v1/environments",
    "/api/v1/runs",
    "/api/v1/projects",
    "/api/v1/audit",
    "/api/v1/metrics",
    "/api/v1/webhooks",
]


def _every_answer(c: httpx.Client) -> list[tuple[str, str, Any]]:
    """(OpenAPI path, URL, JSON) of every GET endpoint, path parameters from the data itself."""
    out = [(p, p, c.get(p).json()) for p in GETS]
    for r in c.get("/api/v1/runs").json()["runs"]:
        url = f"/api/v1/runs/{r['id']}"
        out.append(("/api/v1/runs/{run_id}", url, c.get(url).json()))
    projects = c.get("/api/v1/projects").json()
    for p in [p for p in projects if p["vendor"] == "cognigy"][:3]:
        for flow_id, _name in p["flows"][:2]:
            url = f"/api/v1/flows/{p['repo']}/{p['vendor']}/{p['project_id']}/{flow_id}"
            out.append(
                ("/api/v1/flows/{repo}/{vendor}/{project}/{flow_id}", url, c.get(url).json())
            )
    return out


def test_every_answer_matches_its_openapi_schema(demo_data: DemoData) -> None:
    """Each GET endpoint answers 200 with a body valid against the schema /openapi.json gives."""
    with client(demo_data.store_url, demo_data.repos) as c:
        openapi = c.get("/openapi.json").json()
        answers = _every_answer(c)
        posts = {
            "/api/v1/webhooks/deliveries/{event_id}/{endpoint_id}/redeliver",
            "/api/v1/runs/{run_id}/approval",  # answered in tests/pipelines/promote/test_approval
        }
        assert {p for p, _, _ in answers} | posts == set(openapi["paths"])
        for path, url, body in answers:
            assert "detail" not in body, (url, body)
            check_schema(openapi, path, "get", body)


def test_the_demo_reads_as_a_release_manager_expects(demo_data: DemoData) -> None:
    """Promotion titles by name, the rolled-back run's gates as sentences, the plan by names,
    the rollback report with identical hashes, and prod live at 1.1.0 with the failure noted."""
    with client(demo_data.store_url, demo_data.repos) as c:
        runs = c.get("/api/v1/runs", params={"kind": "promote"}).json()["runs"]
        assert [r["title"] for r in runs] == [
            "Appointment Booking 1.1.1: dev → prod",
            "Appointment Booking 1.1.0: dev → prod",
        ]
        detail = c.get(f"/api/v1/runs/{demo_data.rolled_back['run']}").json()
        sentences = [g["sentence"] for g in detail["gates"]]
        # Cognigy's simulation gate: the source's playbook run and its simulator batch.
        assert any(s.startswith("Simulation passed: 2 of 2") for s in sentences), sentences
        assert "After the deploy: health passed: 1 of 1 endpoint active." in sentences
        assert any(s.startswith("After the deploy: the smoke test FAILED") for s in sentences), (
            sentences
        )
        assert detail["changes"][0]["path"] == ["Main", "Greeting", "comment"]
        with client(demo_data.store_url) as bare:  # no repository: the plan's own names (#16)
            alone = bare.get(f"/api/v1/runs/{demo_data.rolled_back['run']}").json()
        assert alone["changes"][0]["path"] == ["Main", "Greeting", "comment"]
        rb = detail["rollback"]
        assert rb["identical"] is True and rb["hash_before"] == rb["hash_restored"]
        assert rb["run_id"] == f"{demo_data.rolled_back['run']}-rollback"
        matrix = c.get("/api/v1/environments").json()
        row = next(r for r in matrix["projects"] if r["project"] == "Appointment Booking")
        prod = next(cell for cell in row["cells"] if cell["environment"] == "prod")
        assert prod["version"] == "1.1.0" and prod["run_id"] == demo_data.promoted["run"]
        assert prod["last_failed"].startswith("1.1.1 rolled back")
        assert prod["content_hash"] == demo_data.promoted["target_hash_after"]


def test_filters_narrow_the_run_list(demo_data: DemoData) -> None:
    """kind, status, project, environment and since filter in the database."""
    with client(demo_data.store_url, demo_data.repos) as c:

        def ids(**params: str) -> set[str]:
            return {r["id"] for r in c.get("/api/v1/runs", params=params).json()["runs"]}

        every = ids()
        failed = ids(status="failed")
        assert failed == {demo_data.rolled_back["run"]}
        assert ids(project="Appointment Booking") == {
            demo_data.promoted["run"],
            demo_data.rolled_back["run"],
        }
        prod = ids(environment="prod")
        assert demo_data.promoted["run"] in prod and prod < every
        assert ids(since="1h") == every and ids(since="2000-01-01") == every
        assert ids(kind="rollback", environment="dev") == set()
        assert c.get("/api/v1/runs", params={"since": "soon"}).status_code == 404


def test_audit_flags_a_tampered_store(demo_data: DemoData, tmp_path: Path) -> None:
    """A changed entry: the answer is not ok, names the seq, and marks it and every later one."""
    url = copy_sqlite(demo_data.store_url, tmp_path)
    tamper(url, 3)
    with client(url, demo_data.repos) as c:
        body = c.get("/api/v1/audit").json()
        assert body["ok"] is False and body["problem"]["seq"] == 3
        assert "TAMPERED at seq 3" in body["status"]
        last = max(e["seq"] for e in body["entries"])
        assert {e["seq"] for e in body["entries"] if e["bad"]} == set(range(3, last + 1))
        assert body["head_seq"] == 2  # the chain is sound up to the entry before
        page = c.get("/audit", headers={"accept": "text/html"}).text
        assert "TAMPERED at seq 3" in page
        only = c.get("/api/v1/audit", params={"action": "promote.rollback"}).json()["entries"]
        assert [e["action"] for e in only] == ["promote.rollback"]


def test_postgresql_store_answers_the_same(demo_data: DemoData, pg_admin: PgServer) -> None:  # noqa: F811
    """The demo's records copied into PostgreSQL: every answer valid, the same runs listed."""
    for url in pg_schema_url(pg_admin):
        copy_store(demo_data.store_url, url)
        with (
            client(url, demo_data.repos) as pg,
            client(demo_data.store_url, demo_data.repos) as lite,
        ):
            openapi = pg.get("/openapi.json").json()
            for path, _url, body in _every_answer(pg):
                check_schema(openapi, path, "get", body)
            for params in ({}, {"project": "Appointment Booking"}, {"environment": "prod"}):
                got = [r["id"] for r in pg.get("/api/v1/runs", params=params).json()["runs"]]
                want = [r["id"] for r in lite.get("/api/v1/runs", params=params).json()["runs"]]
                assert got == want, params
            assert pg.get("/api/v1/audit").json()["ok"] is True


# -- tokens ----------------------------------------------------------------------------------


def test_off_loopback_every_read_needs_the_token(demo_data: DemoData) -> None:
    """0.0.0.0: API, pages, /metrics and /openapi.json answer 401 without the token, 200 with a
    bearer token or the login form's cookie; a wrong token is refused; static assets are open."""
    with client(demo_data.store_url, demo_data.repos, host="0.0.0.0", token=TOKEN) as c:
        for path in [*GETS, "/metrics", "/openapi.json"]:
            assert c.get(path).status_code == 401, path
            assert c.get(path, headers={"Authorization": "Bearer nope"}).status_code == 401
            assert c.get(path, headers={"Authorization": f"Bearer {TOKEN}"}).status_code == 200
        for page in ("/", "/runs", "/audit", "/dora", "/webhooks", "/flows"):
            answer = c.get(page, headers={"accept": "text/html"})
            assert answer.status_code == 401 and 'name="token"' in answer.text, page
        assert c.get("/static/cxops.css").status_code == 200
        refused = c.post("/login", data={"token": "wrong", "next": "/runs"})
        assert refused.status_code == 401 and "cxops_session" not in c.cookies
        ok = c.post("/login", data={"token": TOKEN, "next": "/runs"})
        assert ok.status_code == 303 and ok.headers["location"] == "/runs"
        assert TOKEN not in ok.headers.get("set-cookie", "")
        assert c.get("/runs", headers={"accept": "text/html"}).status_code == 200
        assert c.get("/api/v1/runs").status_code == 200
        away = c.post("/login", data={"token": TOKEN, "next": "//evil.example/"})
        assert away.headers["location"] == "/"  # no open redirect


def test_loopback_reads_freely(demo_data: DemoData) -> None:
    """On 127.0.0.1 without a token every page and answer is readable."""
    with client(demo_data.store_url, demo_data.repos) as c:
        for path in [*GETS, "/metrics", "/", "/runs", "/audit"]:
            assert c.get(path).status_code == 200, path


def _dead_letter(url: str) -> tuple[str, int]:
    with Store.open(url) as st:
        endpoint = st.outbox.register("http://127.0.0.1:9/hook", "CXOPS_TEST_HOOK_SECRET")
        event = st.outbox.add("flow.export.completed", {"run": "x"})
        st.outbox.record(
            event.id, endpoint.id, state=DeliveryState.DEAD, status=500, error="HTTP 500",
            next_attempt=None, at=utcnow(),
        )  # fmt: skip
        return event.id, endpoint.id


def test_redeliver_needs_the_token_and_is_audited(tmp_path: Path) -> None:
    """Without a configured token: 403; configured but not given: 401; given: the dead letter
    is pending again, due now, and the audit log says who asked."""
    url = f"sqlite:///{tmp_path / 'state.db'}"
    event_id, endpoint_id = _dead_letter(url)
    path = f"/api/v1/webhooks/deliveries/{event_id}/{endpoint_id}/redeliver"
    with client(url) as c:
        assert c.post(path).status_code == 403
        page = c.get("/webhooks", headers={"accept": "text/html"}).text
        assert re.search(r"<button type=\"submit\" disabled>Redeliver", page)
    with client(url, token=TOKEN) as c:
        assert c.post(path).status_code == 401
        assert c.post("/webhooks/redeliver", data={"event_id": event_id,
                      "endpoint_id": str(endpoint_id)}).status_code == 401  # fmt: skip
        crossed = c.post(path, headers={"Authorization": f"Bearer {TOKEN}",
                                        "Origin": "http://evil.example"})  # fmt: skip
        assert crossed.status_code == 403
        done = c.post(path, headers={"Authorization": f"Bearer {TOKEN}"}).json()
        assert done["redelivered"] is True
        again = c.post(path, headers={"Authorization": f"Bearer {TOKEN}"}).json()
        assert again["redelivered"] is False  # pending now, not a dead letter
    with Store.open(url) as st:
        (delivery,) = st.outbox.deliveries()
        assert delivery.state == DeliveryState.PENDING and delivery.next_attempt is not None
        last = st.audit.last()
        assert last is not None and (last.action, last.subject) == ("webhook.redeliver", event_id)
        assert st.audit.verify().ok


# -- secrets ---------------------------------------------------------------------------------


def test_no_secret_in_any_page_or_answer(
    demo_data: DemoData, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The emulator's credentials (profiles' API keys, client secrets, the webhook secret, set
    in the environment as the demo does) and the server's token appear nowhere."""
    secrets = {*demo_data.secrets, TOKEN}
    assert len(secrets) > 5
    for i, value in enumerate(sorted(demo_data.secrets)):
        monkeypatch.setenv(f"CXOPS_DEMO_CANARY_{i}", value)
    with client(demo_data.store_url, demo_data.repos, token=TOKEN) as c:
        auth = {"Authorization": f"Bearer {TOKEN}", "accept": "text/html"}
        urls = ["/", "/runs", "/flows", "/audit", "/dora", "/webhooks", "/metrics", "/login",
                "/openapi.json", *GETS]  # fmt: skip
        urls += [url for _, url, _ in _every_answer(c)]
        urls += [f"/runs/{r['id']}" for r in c.get("/api/v1/runs").json()["runs"]]
        urls += [u.removeprefix("/api/v1") for u in urls if u.startswith("/api/v1/flows/")]
        seen = 0
        for url in urls:
            answer = c.get(url, headers=auth)
            assert answer.status_code == 200, url
            for secret in secrets:
                assert secret not in answer.text, (url, secret[:4])
            seen += 1
        assert seen > 20


def test_a_queued_run_reads_queued_not_running(tmp_path: Path) -> None:
    """A run on a shared queue has no duration yet: the list and its page say 'queued'; once a
    worker takes it, 'running'."""
    url = f"sqlite:///{tmp_path / 'state.db'}"
    with Store.open(url) as st:
        assert st.runs.queue("export", {"tenant": "t1"}, "q" * 32)
    with client(url) as c:
        (item,) = c.get("/api/v1/runs").json()["runs"]
        assert (item["status"], item["duration_text"]) == ("queued", "queued")
        assert c.get(f"/api/v1/runs/{'q' * 32}").json()["run"]["duration_text"] == "queued"
    with Store.open(url) as st:
        st.runs.start("export", {"tenant": "t1"}, run_id="q" * 32)
    with client(url) as c:
        (item,) = c.get("/api/v1/runs").json()["runs"]
        assert (item["status"], item["duration_text"]) == ("running", "running")
