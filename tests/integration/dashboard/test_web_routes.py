"""The dashboard's pages and API over a real socket and a real SQLite store."""

from __future__ import annotations

from collections.abc import Iterator

import httpx2
import pytest
from sqlalchemy import text

from orderbridge.adapters.store import DEFAULT_TENANT, SqlStore
from orderbridge.domain.history import OrderOutcome, OrderReport, RunOutcome, RunReport
from orderbridge.web import WebServices

from .seed import HOSTILE, NOW
from .web_client import ADMIN_PASSWORD, VIEWER_PASSWORD, Actions, csrf_of, dashboard, login


@pytest.fixture
def app(store: SqlStore) -> Iterator[tuple[str, WebServices, Actions]]:
    run_id = store.start_run(DEFAULT_TENANT, NOW)
    store.record_order_reports(
        run_id,
        [
            OrderReport("PO-1001", OrderOutcome.UPDATED, status="Shipped", changes=("memo",)),
            OrderReport(
                "PO-1006",
                OrderOutcome.FAILED,
                error=HOSTILE,
                warnings=("invoices not read this time: HTTP 503",),
            ),
        ],
        NOW,
    )
    store.finish_run(
        run_id,
        RunReport(
            NOW,
            NOW,
            RunOutcome.PARTIAL,
            monitored=6,
            checked=6,
            updated=1,
            unchanged=4,
            failed=1,
            skipped=0,
            requests={"autotask": 12, "tdsynnex": 6},
        ),
    )
    with dashboard(store) as running:
        yield running


@pytest.fixture
def url(app: tuple[str, WebServices, Actions]) -> str:
    return app[0]


@pytest.fixture
def admin(url: str) -> Iterator[httpx2.Client]:
    with httpx2.Client(base_url=url) as client:
        assert login(client, "ada", ADMIN_PASSWORD).status_code == 303
        yield client


@pytest.fixture
def viewer(url: str) -> Iterator[httpx2.Client]:
    with httpx2.Client(base_url=url) as client:
        assert login(client, "vic", VIEWER_PASSWORD).status_code == 303
        yield client


def test_pages_need_a_login_and_the_api_answers_401(url: str) -> None:
    with httpx2.Client(base_url=url) as client:
        page = client.get("/orders?q=PO-1")
        assert page.status_code == 303
        assert page.headers["location"] == "/login?next=%2Forders%3Fq%3DPO-1"
        assert client.get("/api/v1/orders").status_code == 401
        assert client.get("/healthz").json() == {"status": "ok", "store": "reachable"}


def test_login_sets_a_httponly_session_cookie_and_returns_to_the_page(url: str) -> None:
    with httpx2.Client(base_url=url) as client:
        form = client.get("/login?next=/orders/PO-1001")
        answer = client.post(
            "/login",
            data={
                "username": "ada",
                "password": ADMIN_PASSWORD,
                "csrf_token": csrf_of(form.text),
                "next": "/orders/PO-1001",
            },
        )
        assert answer.status_code == 303
        assert answer.headers["location"] == "/orders/PO-1001"
        cookie = answer.headers["set-cookie"].lower()
        assert "ob_session=" in cookie
        assert "httponly" in cookie
        assert "samesite=lax" in cookie
        assert client.get("/orders/PO-1001").status_code == 200


def test_login_refuses_a_missing_csrf_field_a_wrong_password_and_foreign_redirects(
    url: str,
) -> None:
    with httpx2.Client(base_url=url) as client:
        client.get("/login")
        no_csrf = client.post("/login", data={"username": "ada", "password": ADMIN_PASSWORD})
        assert no_csrf.status_code == 403
        wrong = login(client, "ada", "not it at all")
        assert wrong.status_code == 401
        assert "Wrong user name or password." in wrong.text
        form = client.get("/login")
        sent = {
            "username": "ada",
            "password": ADMIN_PASSWORD,
            "csrf_token": csrf_of(form.text),
            "next": "//evil.example/",
        }
        assert client.post("/login", data=sent).headers["location"] == "/"


def test_find_an_order_by_tracking_number_and_open_it(admin: httpx2.Client) -> None:
    listing = admin.get("/orders", params={"q": "1z999aa1"})
    assert 'href="/orders/PO-1001"' in listing.text
    assert "PO-1002" not in listing.text
    assert "1 order matching" in listing.text
    page = admin.get("/orders/PO-1001")
    assert page.status_code == 200
    for expected in ("Laptop 14in", "SN-A, SN-B", "shipped by FedEx", "Received → Shipped"):
        assert expected in page.text
    assert 'href="https://www.fedex.com/fedextrack/?trknbr=1Z999AA10123456784"' in page.text
    assert admin.get("/orders/PO-404").status_code == 404


def test_the_orders_list_filters_sorts_and_reports_bad_filters_in_words(
    admin: httpx2.Client,
) -> None:
    attention = admin.get("/orders", params={"attention": "1", "sort": "po", "dir": "asc"})
    rows = [po for po in ("PO-1002", "PO-1003", "PO-1004") if f">{po}</a>" in attention.text]
    assert rows == ["PO-1002", "PO-1003", "PO-1004"]
    assert "PO-1001</a>" not in attention.text
    bad = admin.get("/orders", params={"status": "lost"})
    assert bad.status_code == 400
    assert "is not an order status" in bad.text
    partial = admin.get("/orders", params={"q": "SO-77"}, headers={"HX-Request": "true"})
    assert "<html" not in partial.text
    assert "PO-1002" in partial.text


@pytest.mark.parametrize("path", ["/orders/PO-1006", "/orders?q=hostile1", "/activity/1"])
def test_text_from_upstream_is_escaped_never_markup(admin: httpx2.Client, path: str) -> None:
    page = admin.get(path)
    assert page.status_code == 200
    assert "<script>window.__pwned" not in page.text
    assert "<img src=x" not in page.text
    assert "&lt;script&gt;window.__pwned = 1&lt;/script&gt;" in page.text
    assert "script-src 'self'" in page.headers["content-security-policy"]


def test_state_changes_need_the_csrf_token(
    admin: httpx2.Client, app: tuple[str, WebServices, Actions]
) -> None:
    services = app[1]
    refused = admin.post("/settings/enabled", data={"enabled": "off"})
    assert refused.status_code == 403
    assert "security token" in refused.text
    assert services.runtime.load().enabled is True
    token = csrf_of(admin.get("/settings").text)
    done = admin.post("/settings/enabled", data={"enabled": "off", "csrf_token": token})
    assert done.status_code == 200
    assert "Scheduled sync is off" in done.text
    assert services.runtime.load().enabled is False
    assert admin.post("/api/v1/orders/PO-1001/resync").status_code == 403  # cookie, no header
    header = {"X-CSRF-Token": token}
    assert admin.post("/api/v1/orders/PO-1001/resync", headers=header).json()["ok"] is True
    assert app[2].resynced == ["PO-1001"]


def test_a_viewer_reads_but_gets_403_for_every_change(
    viewer: httpx2.Client, app: tuple[str, WebServices, Actions]
) -> None:
    services, actions = app[1], app[2]
    token = csrf_of(viewer.get("/settings").text)
    assert viewer.get("/orders/PO-1001").status_code == 200
    assert "Resync now" not in viewer.get("/orders/PO-1001").text
    for path, data in (
        ("/settings/enabled", {"enabled": "off"}),
        ("/settings", {"frequency": "daily"}),
        ("/orders/PO-1001/resync", {}),
    ):
        answer = viewer.post(path, data={**data, "csrf_token": token})
        assert answer.status_code == 403, path
        assert "only an admin may" in answer.text
    assert services.runtime.load().enabled is True
    assert actions.resynced == []


def test_settings_validation_is_in_words_and_stores_nothing(
    admin: httpx2.Client, app: tuple[str, WebServices, Actions]
) -> None:
    token = csrf_of(admin.get("/settings").text)
    form = {
        "csrf_token": token,
        "frequency": "every now and then",
        "daily_at": "06:00",
        "timezone": "UTC",
        "min_gap_s": "60",
        "scope": "active",
    }
    bad = admin.post("/settings", data=form)
    assert bad.status_code == 400
    assert "&#39;every now and then&#39; is not" in bad.text
    assert app[1].runtime.load().frequency.text == "hourly"
    good = admin.post("/settings", data={**form, "frequency": "custom:15m", "scope": "recent:60"})
    assert good.status_code == 200
    values = app[1].runtime.load()
    assert (values.frequency.text, values.scope.text) == ("custom:15m", "recent:60")


def test_api_tokens_read_and_admin_tokens_write(app: tuple[str, WebServices, Actions]) -> None:
    url, services, _ = app
    viewer_token = services.accounts.create_token("reader", "viewer")
    admin_token = services.accounts.create_token("writer", "admin")
    with httpx2.Client(base_url=url) as client:
        as_viewer = {"Authorization": f"Bearer {viewer_token}"}
        as_admin = {"Authorization": f"Bearer {admin_token}"}
        found = client.get("/api/v1/orders", params={"q": "sku-x1c"}, headers=as_viewer).json()
        assert [o["po_number"] for o in found["orders"]] == ["PO-1001"]
        detail = client.get("/api/v1/orders/PO-1001", headers=as_viewer).json()
        assert [h["to_status"] for h in detail["history"]] == ["Received", "Shipped"]
        runs = client.get("/api/v1/runs", headers=as_viewer).json()
        assert runs[0]["requests"] == {"autotask": 12, "tdsynnex": 6}
        failed = client.get("/api/v1/runs/1", headers=as_viewer).json()["orders"][0]
        assert (failed["po_number"], failed["error"]) == ("PO-1006", HOSTILE)
        change = {"enabled": "off"}
        assert client.patch("/api/v1/settings", json=change, headers=as_viewer).status_code == 403
        bad = client.patch("/api/v1/settings", json={"scope": "soon"}, headers=as_admin)
        assert bad.status_code == 422
        assert "is not a status scope" in bad.json()["detail"]["scope"]
        ok = client.patch("/api/v1/settings", json=change, headers=as_admin)
        assert ok.json()["enabled"] == "false"
        typed = client.patch(
            "/api/v1/settings", json={"enabled": True, "min_gap_s": 90}, headers=as_admin
        )
        assert (typed.json()["enabled"], typed.json()["min_gap_s"]) == ("true", "90")
        assert (
            client.get("/api/v1/orders", headers={"Authorization": "Bearer nope"}).status_code
            == 401
        )
        schema = client.get("/api/v1/openapi.json").json()
        assert {"/api/v1/orders", "/api/v1/orders/{po_number}", "/api/v1/settings"} <= set(
            schema["paths"]
        )


def test_metrics_need_a_token_and_speak_prometheus(app: tuple[str, WebServices, Actions]) -> None:
    url, services, _ = app
    token = services.accounts.create_token("prometheus", "viewer")
    with httpx2.Client(base_url=url) as client:
        assert client.get("/metrics").status_code == 401
        text = client.get("/metrics", headers={"Authorization": f"Bearer {token}"}).text
    assert 'orderbridge_orders{status="Shipped"} 2' in text
    assert 'orderbridge_runs_total{outcome="partial"} 1' in text
    assert 'orderbridge_requests_total{service="autotask",outcome="sent"} 12' in text
    assert "orderbridge_autotask_budget_used 12" in text
    assert 'orderbridge_cycle_duration_seconds_bucket{le="+Inf"} 1' in text
    assert "# TYPE orderbridge_cycle_duration_seconds histogram" in text


def test_public_metrics_need_no_token(store: SqlStore) -> None:
    from orderbridge.settings import WebSettings

    with dashboard(store, web=WebSettings(public_metrics=True)) as (url, _, _):
        assert httpx2.get(f"{url}/metrics").status_code == 200


def test_pages_render_for_a_signed_in_user(
    admin: httpx2.Client, app: tuple[str, WebServices, Actions]
) -> None:
    overview = admin.get("/")
    assert "Scheduled sync is on" in overview.text
    assert "3</strong> need attention" in overview.text
    assert "<svg" in overview.text
    assert "Autotask requests this hour: <strong>12</strong>" in overview.text
    assert '<a href="/orders/PO-1002">PO-1002</a></td><td>On hold</td>' in overview.text
    activity = admin.get("/activity")
    assert 'href="/activity/1"' in activity.text
    assert admin.get("/activity/99").status_code == 404
    run = admin.get("/activity/1").text  # a failed order shows its error and its warnings
    assert "onerror=alert(1)&gt;; invoices not read this time: HTTP 503</td>" in run
    doctor = admin.post("/doctor", data={"csrf_token": csrf_of(admin.get("/doctor").text)})
    assert "&lt;b&gt;no&lt;/b&gt;" in doctor.text
    assert "1 passed" in doctor.text
    assert app[2].doctor_runs == 1


def test_logout_needs_csrf_and_ends_the_session(admin: httpx2.Client) -> None:
    assert admin.post("/logout").status_code == 403
    token = csrf_of(admin.get("/").text)
    assert admin.post("/logout", data={"csrf_token": token}).status_code == 303
    assert admin.get("/").status_code == 303


def test_notification_outcomes_show_only_when_recorded(
    admin: httpx2.Client, store: SqlStore, app: tuple[str, WebServices, Actions]
) -> None:
    assert "Notifications:" not in admin.get("/").text
    with store.engine.begin() as connection:
        for n, status in enumerate(("sent", "sent", "failed")):
            connection.execute(
                text(
                    "INSERT INTO notification (tenant, event_key, kind, channel, digest, payload,"
                    " status, attempts, created_at, next_attempt_at, recipients) VALUES"
                    " ('default', :key, 'status_changed', 'email', 'immediate', '{}', :status, 1,"
                    " '2026-12-02 08:00:00', '2026-12-02 08:00:00', '[\"desk@msp.example\"]')"
                ),
                {"key": f"k{n}", "status": status},
            )
    overview = admin.get("/").text
    assert "Notifications: failed 1, sent 2" in overview
    assert "— 1 failed" in overview
    token = app[1].accounts.create_token("prom", "viewer")
    metrics = admin.get("/metrics", headers={"Authorization": f"Bearer {token}"}).text
    assert 'orderbridge_notifications_total{outcome="failed"} 1' in metrics
