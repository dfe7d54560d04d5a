"""Every console route checks the session, the role and (for changes) the CSRF token."""

from __future__ import annotations

import pytest
from fastapi.routing import APIRoute

from tests.web.console.conftest import ROLES, Console

C, S, P, A = "collector", "supervisor", "compliance", "admin"
ALLOWED: dict[tuple[str, str], tuple[str, ...]] = {
    ("POST", "/logout"): ROLES,
    ("GET", "/console"): ROLES,
    ("GET", "/console/password"): ROLES,
    ("POST", "/console/password"): ROLES,
    ("GET", "/console/queue"): (C, S),
    ("GET", "/console/next"): (C, S),
    ("GET", "/console/threads/{thread_id}"): (C, S, P),
    ("POST", "/console/items/{item_id}/check"): (C, S),
    ("POST", "/console/items/{item_id}/send"): (C, S),
    ("POST", "/console/items/{item_id}/resolve"): (C, S),
    ("POST", "/console/items/{item_id}/claim"): (C, S),
    ("POST", "/console/items/{item_id}/assign"): (S,),
    ("GET", "/console/search"): (P, S),
    ("GET", "/console/threads/{thread_id}/transcript"): (P, S),
    ("GET", "/console/accounts/{account_id}/contacts"): (P, S),
    ("GET", "/console/audit"): (P, A),
    ("POST", "/console/audit/verify"): (P, A),
    ("GET", "/console/audit/export"): (P, A),
    ("GET", "/console/kpis"): (S, P, A),
    ("GET", "/console/users"): (A,),
    ("POST", "/console/users"): (A,),
    ("POST", "/console/users/disable"): (A,),
}
PUBLIC = {("GET", "/login"), ("POST", "/login"), ("GET", "/healthz")}


def console_routes(console: Console) -> list[tuple[str, str]]:
    found = []
    for route in console.client.app.routes:  # type: ignore[attr-defined]
        if not isinstance(route, APIRoute) or route.path.startswith("/webhooks/"):
            continue
        for method in sorted(route.methods):
            found.append((method, route.path))
    return found


def concrete(path: str, console: Console) -> str:
    item_id, thread_id = console.open_item()
    return (
        path.replace("{item_id}", str(item_id))
        .replace("{thread_id}", str(thread_id))
        .replace("{account_id}", "A-100")
    )


def test_every_route_is_classified(console: Console) -> None:
    unknown = [r for r in console_routes(console) if r not in ALLOWED and r not in PUBLIC]
    assert not unknown, f"classify these routes in ALLOWED: {unknown}"


def test_without_a_session_every_console_route_sends_to_login(console: Console) -> None:
    console.client.cookies.clear()
    for method, path in ALLOWED:
        response = console.client.request(method, concrete(path, console))
        assert response.status_code in (303, 401), (method, path, response.status_code)
        if response.status_code == 303:
            assert response.headers["location"].startswith("/login?next="), (method, path)


@pytest.mark.parametrize("role", ROLES)
def test_each_role_gets_403_where_it_does_not_belong(console: Console, role: str) -> None:
    csrf = console.login(role)
    for (method, path), allowed in ALLOWED.items():
        if path in ("/logout",) or (path == "/console/password" and method == "POST"):
            continue
        data = {"csrf_token": csrf} if method == "POST" else None
        response = console.client.request(method, concrete(path, console), data=data)
        if role in allowed:
            assert response.status_code != 403, (role, method, path, response.text[:300])
        else:
            assert response.status_code == 403, (role, method, path, response.status_code)


def test_a_change_without_the_csrf_token_is_refused(console: Console) -> None:
    item_id, _ = console.open_item()
    console.login("collector")
    for path in (f"/console/items/{item_id}/resolve", f"/console/items/{item_id}/claim"):
        response = console.client.post(path, data={"outcome": "done"})
        assert response.status_code == 403, path
        wrong = console.client.post(path, data={"outcome": "done", "csrf_token": "forged"})
        assert wrong.status_code == 403, path
    # Nothing changed: the item is still open and nobody holds it.
    assert console.open_item()[0] == item_id
    response = console.client.post("/logout")
    assert response.status_code == 403


def test_login_without_its_form_token_is_refused(console: Console) -> None:
    console.client.cookies.clear()
    response = console.client.post(
        "/login", data={"email": "admin@example.test", "password": "correct horse battery"}
    )
    assert response.status_code == 403
    assert "parley_session" not in response.cookies
