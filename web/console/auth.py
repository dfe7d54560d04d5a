"""Who is asking, and may they: the session cookie, the roles of each page, the CSRF check.

A request without a valid session is sent to /login (303); a signed-in user outside the page's
roles gets 403; a state-changing request whose CSRF token does not match the session's gets 403
before its handler runs.
"""

from __future__ import annotations

import hmac
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from urllib.parse import quote

from fastapi import Request
from starlette.concurrency import run_in_threadpool

from store.users import SessionInfo
from web.console.service import ConsoleService

COOKIE = "parley_session"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"

COLLECTORS = ("collector", "supervisor")
SUPERVISORS = ("supervisor",)
READERS = ("compliance", "supervisor")
AUDITORS = ("compliance", "admin")
KPI_VIEWERS = ("supervisor", "compliance", "admin")
THREAD_VIEWERS = ("collector", "supervisor", "compliance")
ADMINS = ("admin",)
ALL_ROLES = ("collector", "supervisor", "compliance", "admin")

HOME_BY_ROLE = {
    "collector": "/console/queue",
    "supervisor": "/console/queue",
    "compliance": "/console/search",
    "admin": "/console/users",
}


class LoginRequired(Exception):
    def __init__(self, next_url: str) -> None:
        super().__init__("sign in first")
        self.next_url = next_url


class Forbidden(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Caller:
    info: SessionInfo
    token: str

    @property
    def email(self) -> str:
        return self.info.user.email

    @property
    def role(self) -> str:
        return self.info.user.role


def login_url(request: Request) -> str:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return "/login?next=" + quote(target, safe="")


def require(service: ConsoleService, *roles: str) -> Callable[[Request], Awaitable[Caller]]:
    """A FastAPI dependency: the signed-in caller, if their role is one of `roles`."""

    async def dependency(request: Request) -> Caller:
        token = request.cookies.get(COOKIE, "")
        info = await run_in_threadpool(service.session_for, token) if token else None
        if info is None:
            raise LoginRequired(login_url(request))
        if info.user.role not in roles:
            raise Forbidden(
                f"your role ({info.user.role}) may not open this page; it is for {', '.join(roles)}"
            )
        if request.method not in ("GET", "HEAD"):
            sent = request.headers.get(CSRF_HEADER, "")
            if not sent:
                form = await request.form()
                value = form.get(CSRF_FIELD, "")
                sent = value if isinstance(value, str) else ""
            if not sent or not hmac.compare_digest(sent, info.csrf_token):
                raise Forbidden(
                    "this form has expired or did not come from Parley (CSRF token missing or "
                    "wrong); reload the page and try again"
                )
        return Caller(info, token)

    return dependency
