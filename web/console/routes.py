"""The console's pages and actions, mounted on the same FastAPI app as the webhooks.

Every handler: resolve the caller (auth.require: session, role, CSRF), call one ConsoleService
method in a worker thread, render a template or redirect. Templates autoescape everything, so a
debtor's text is always shown as text.

No `from __future__ import annotations` here: FastAPI must evaluate the `Annotated[Caller,
auth(...)]` parameters at definition time, where the closure's `auth` is in scope.
"""

import asyncio
import hmac
import secrets
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote, urlsplit

from fastapi import APIRouter, Depends, FastAPI, Form, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.concurrency import run_in_threadpool

from agent import guard
from reports.contact import AccountNotFound
from reports.queue import REASON_FILTERS, QueueFilter
from reports.search import SearchError, SearchQuery, parse_date
from reports.thread import ThreadNotFound, ThreadView
from store import users
from store.queue import QueueItemNotFound
from web.console import charts
from web.console.auth import (
    ADMINS,
    ALL_ROLES,
    AUDITORS,
    COLLECTORS,
    COOKIE,
    HOME_BY_ROLE,
    KPI_VIEWERS,
    READERS,
    SUPERVISORS,
    THREAD_VIEWERS,
    Caller,
    Forbidden,
    LoginRequired,
    require,
)
from web.console.plans import PlanOffers
from web.console.service import ConsoleError, ConsoleService

HERE = Path(__file__).resolve().parent
LOGIN_CSRF_COOKIE = "parley_login_csrf"
LEGAL_STATES = (
    "active", "dispute_hold", "cease", "attorney", "bankruptcy", "deceased", "wrong_party",
    "payment_plan", "paid", "closed",
)  # fmt: skip
LABELS = (
    "promise_to_pay", "payment_made", "payment_plan_request", "hardship", "dispute",
    "validation_request", "cease_communication", "channel_opt_out", "attorney_represented",
    "bankruptcy", "deceased", "wrong_party", "info_request", "callback_request", "complaint",
    "abusive", "auto_reply", "other",
)  # fmt: skip
GUARD_RULES = (
    "disclosure_present", "opt_out_present", "prohibited_language", "amounts_match_ledger",
    "dates_match_ledger", "channel_permitted", "legal_state_permits", "third_party_disclosure",
    "frequency_cap", "length", "allowed_hours",
)  # fmt: skip


def _environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(HERE / "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["ago"] = _ago
    env.filters["when"] = lambda value: f"{value:%Y-%m-%d %H:%M} UTC" if value else ""
    return env


def _ago(seconds: float) -> str:
    negative = seconds < 0
    seconds = abs(int(seconds))
    if seconds < 3600:
        text = f"{seconds // 60} min"
    elif seconds < 86400 * 2:
        text = f"{seconds // 3600} h {seconds % 3600 // 60:02d} min"
    else:
        text = f"{seconds // 86400} d"
    return f"-{text}" if negative else text


def _safe_next(value: str) -> str:
    """Only a path on this site: never an absolute URL an attacker could bounce users to."""
    parts = urlsplit(value)
    if value.startswith("/") and not value.startswith("//") and not parts.netloc:
        return value
    return ""


def install_console(app: FastAPI, service: ConsoleService, *, secure_cookies: bool) -> None:
    """Add the console's routes, static files and error pages to `app`."""
    templates = _environment()
    router = APIRouter()
    app.mount("/console/static", StaticFiles(directory=HERE / "static"), name="console-static")

    def page(
        request: Request, name: str, caller: Caller | None, status: int = 200, **context: Any
    ) -> HTMLResponse:
        html = templates.get_template(name).render(
            request=request,
            user=caller.info.user if caller else None,
            csrf=caller.info.csrf_token if caller else "",
            **context,
        )
        return HTMLResponse(html, status_code=status)

    def error_page(request: Request, status: int, message: str) -> HTMLResponse:
        return page(request, "error.html", None, status, code=status, message=message)

    @app.exception_handler(LoginRequired)
    async def _login_required(request: Request, exc: LoginRequired) -> Response:
        return RedirectResponse(exc.next_url, status_code=303)

    @app.exception_handler(Forbidden)
    async def _forbidden(request: Request, exc: Forbidden) -> Response:
        return error_page(request, 403, exc.message)

    @app.exception_handler(ConsoleError)
    async def _console_error(request: Request, exc: ConsoleError) -> Response:
        return error_page(request, exc.status, str(exc))

    @app.exception_handler(ThreadNotFound)
    @app.exception_handler(QueueItemNotFound)
    @app.exception_handler(AccountNotFound)
    async def _not_found(request: Request, exc: Exception) -> Response:
        return error_page(request, 404, str(exc).strip("'\""))

    def auth(*roles: str) -> Any:
        return Depends(require(service, *roles))

    def set_cookie(response: Response, name: str, value: str, max_age: int) -> None:
        response.set_cookie(
            name,
            value,
            max_age=max_age,
            httponly=True,
            samesite="lax",
            secure=secure_cookies,
            path="/",
        )

    # --- sign-in -------------------------------------------------------------------------------

    @router.get("/login", response_class=HTMLResponse)
    async def login_form(request: Request, next: str = "", error: str = "") -> Response:
        token = secrets.token_urlsafe(24)
        response = page(request, "login.html", None, next=_safe_next(next), error=error,
                        login_csrf=token)  # fmt: skip
        set_cookie(response, LOGIN_CSRF_COOKIE, token, 3600)
        return response

    @router.post("/login")
    async def login(
        request: Request,
        email: Annotated[str, Form()] = "",
        password: Annotated[str, Form()] = "",
        next: Annotated[str, Form()] = "",
        csrf_token: Annotated[str, Form()] = "",
    ) -> Response:
        expected = request.cookies.get(LOGIN_CSRF_COOKIE, "")
        if not expected or not hmac.compare_digest(expected, csrf_token):
            return error_page(
                request, 403, "the sign-in form expired (CSRF check); open /login and try again"
            )
        client = request.client.host if request.client else ""
        result, token, _ = await run_in_threadpool(service.sign_in, email, password, client)
        if result.user is None:
            await asyncio.sleep(users.failure_delay(result.failures))
            fresh = secrets.token_urlsafe(24)
            failed = page(
                request,
                "login.html",
                None,
                401,
                next=_safe_next(next),
                error="Wrong email or password, or the user is disabled.",
                login_csrf=fresh,
                email=email,
            )
            set_cookie(failed, LOGIN_CSRF_COOKIE, fresh, 3600)
            return failed
        target = _safe_next(next) or HOME_BY_ROLE[result.user.role]
        if result.user.must_change_password:
            target = "/console/password"
        response: Response = RedirectResponse(target, status_code=303)
        set_cookie(response, COOKIE, token, int(users.SESSION_LIFETIME.total_seconds()))
        response.delete_cookie(LOGIN_CSRF_COOKIE, path="/")
        return response

    @router.post("/logout")
    async def logout(*, caller: Annotated[Caller, auth(*ALL_ROLES)]) -> Response:
        await run_in_threadpool(service.sign_out, caller.token, caller.email)
        response = RedirectResponse("/login", status_code=303)
        response.delete_cookie(COOKIE, path="/")
        return response

    @router.get("/console")
    async def home(*, caller: Annotated[Caller, auth(*ALL_ROLES)]) -> Response:
        return RedirectResponse(HOME_BY_ROLE[caller.role], status_code=303)

    @router.get("/console/password", response_class=HTMLResponse)
    async def password_form(
        *, request: Request, caller: Annotated[Caller, auth(*ALL_ROLES)]
    ) -> Response:
        return page(request, "password.html", caller)

    @router.post("/console/password")
    async def password_change(
        *,
        request: Request,
        password: Annotated[str, Form()] = "",
        repeat: Annotated[str, Form()] = "",
        caller: Annotated[Caller, auth(*ALL_ROLES)],
    ) -> Response:
        if password != repeat:
            return page(request, "password.html", caller, 400, error="The two entries differ.")
        try:
            await run_in_threadpool(service.change_password, caller.info.user, password)
        except users.UserError as exc:
            return page(request, "password.html", caller, 400, error=str(exc))
        return RedirectResponse(HOME_BY_ROLE[caller.role], status_code=303)

    # --- collector -----------------------------------------------------------------------------

    @router.get("/console/queue", response_class=HTMLResponse)
    async def queue_page(
        *,
        request: Request,
        reason: str = "",
        channel: str = "",
        assignee: str = "",
        page_no: Annotated[int, Query(alias="page", ge=1, le=100_000)] = 1,
        caller: Annotated[Caller, auth(*COLLECTORS)],
    ) -> Response:
        if assignee == "mine":
            assignee = caller.email
        if caller.role == "collector" and assignee not in ("", "unassigned", caller.email):
            raise Forbidden("collectors see their own items and unassigned ones")
        flt = QueueFilter(
            reason=reason if reason in REASON_FILTERS else "",
            channel=channel if channel in ("email", "sms") else "",
            assignee=assignee,
            visible_to=caller.email if caller.role == "collector" else "",
        )
        result = await run_in_threadpool(service.queue, flt, page_no)
        workers = await run_in_threadpool(service.workers) if caller.role == "supervisor" else []
        return page(
            request,
            "queue.html",
            caller,
            result=result,
            flt=flt,
            reasons=REASON_FILTERS,
            workers=workers,
            notice=request.query_params.get("notice", ""),
        )

    @router.get("/console/next")
    async def next_item(
        *, after: int | None = None, caller: Annotated[Caller, auth(*COLLECTORS)]
    ) -> Response:
        thread_id = await run_in_threadpool(service.next_thread, after)
        if thread_id is None:
            return RedirectResponse("/console/queue?notice=queue+empty", status_code=303)
        return RedirectResponse(f"/console/threads/{thread_id}", status_code=303)

    def thread_page(
        request: Request,
        caller: Caller,
        view: ThreadView,
        *,
        draft: str | None = None,
        verdict: guard.Verdict | None = None,
        status: int = 200,
        notice: str = "",
        offers: PlanOffers | None = None,
        plan_key: str = "",
    ) -> HTMLResponse:
        return page(
            request,
            "thread.html",
            caller,
            status,
            view=view,
            draft=service.starter_draft(view) if draft is None else draft,
            verdict=verdict,
            notice=notice or request.query_params.get("notice", ""),
            can_act=caller.role in COLLECTORS,
            can_assign=caller.role in SUPERVISORS,
            workers=[],
            offers=offers,
            plan_key=plan_key,
        )

    async def offers_for(caller: Caller, view: ThreadView) -> PlanOffers | None:
        if view.open_item_id is None or caller.role not in COLLECTORS:
            return None
        return await run_in_threadpool(service.plan_options, view.open_item_id, caller.info.user)

    @router.get("/console/threads/{thread_id}", response_class=HTMLResponse)
    async def thread(
        *, request: Request, thread_id: int, caller: Annotated[Caller, auth(*THREAD_VIEWERS)]
    ) -> Response:
        view = await run_in_threadpool(service.thread, thread_id, caller.info.user)
        return thread_page(request, caller, view, offers=await offers_for(caller, view))

    @router.get("/console/items/{item_id}/plans/{key}")
    async def plan_text(
        *, item_id: int, key: str, caller: Annotated[Caller, auth(*COLLECTORS)]
    ) -> JSONResponse:
        text = await run_in_threadpool(service.plan_draft, item_id, key, caller.info.user)
        return JSONResponse({"plan": key, "text": text})

    @router.post("/console/items/{item_id}/check")
    async def check(
        *,
        item_id: int,
        text: Annotated[str, Form()] = "",
        plan: Annotated[str, Form()] = "",
        caller: Annotated[Caller, auth(*COLLECTORS)],
    ) -> JSONResponse:
        verdict = await run_in_threadpool(service.preview, item_id, text, plan)
        return JSONResponse(_verdict_json(verdict))

    @router.post("/console/items/{item_id}/send", response_class=HTMLResponse)
    async def send(
        *,
        request: Request,
        item_id: int,
        text: Annotated[str, Form()] = "",
        plan: Annotated[str, Form()] = "",
        caller: Annotated[Caller, auth(*COLLECTORS)],
    ) -> Response:
        result = await run_in_threadpool(service.send, item_id, text, caller.info.user, plan)
        thread_id = await run_in_threadpool(service.thread_of_item, item_id)
        assert thread_id is not None
        if result.outbox_id is None:
            view = await run_in_threadpool(service.thread, thread_id, caller.info.user)
            return thread_page(
                request,
                caller,
                view,
                draft=text[:200_000],
                verdict=result.verdict,
                status=422,
                offers=await offers_for(caller, view),
                plan_key=plan[:64],
            )
        notice = quote(f"Reply queued for sending (outbox #{result.outbox_id}); item resolved.")
        return RedirectResponse(f"/console/threads/{thread_id}?notice={notice}", status_code=303)

    @router.post("/console/items/{item_id}/resolve")
    async def resolve(
        *,
        item_id: int,
        outcome: Annotated[str, Form()] = "",
        caller: Annotated[Caller, auth(*COLLECTORS)],
    ) -> Response:
        await run_in_threadpool(service.resolve, item_id, outcome, caller.info.user)
        return RedirectResponse(f"/console/next?after={item_id}", status_code=303)

    @router.post("/console/items/{item_id}/claim")
    async def claim(*, item_id: int, caller: Annotated[Caller, auth(*COLLECTORS)]) -> Response:
        await run_in_threadpool(service.claim, item_id, caller.info.user)
        thread_id = await run_in_threadpool(service.thread_of_item, item_id)
        return RedirectResponse(f"/console/threads/{thread_id}", status_code=303)

    @router.post("/console/items/{item_id}/assign")
    async def assign(
        *,
        item_id: int,
        assignee: Annotated[str, Form()] = "",
        back: Annotated[str, Form()] = "",
        caller: Annotated[Caller, auth(*SUPERVISORS)],
    ) -> Response:
        await run_in_threadpool(service.assign, item_id, assignee, caller.info.user)
        return RedirectResponse(_safe_next(back) or "/console/queue", status_code=303)

    # --- compliance ----------------------------------------------------------------------------

    @router.get("/console/search", response_class=HTMLResponse)
    async def search_page(
        *,
        request: Request,
        q: str = "",
        since: str = "",
        until: str = "",
        label: str = "",
        legal_state: str = "",
        guard_rule: str = "",
        author: str = "",
        page_no: Annotated[int, Query(alias="page", ge=1, le=100_000)] = 1,
        caller: Annotated[Caller, auth(*READERS)],
    ) -> Response:
        error = ""
        result = None
        try:
            query = SearchQuery(
                text=q[:200],
                since=parse_date(since, "from"),
                until=parse_date(until, "to"),
                label=label if label in LABELS else "",
                legal_state=legal_state if legal_state in LEGAL_STATES else "",
                guard_rule=guard_rule if guard_rule in GUARD_RULES else "",
                author=author[:320],
            )
            result = await run_in_threadpool(service.search, query, page_no, caller.info.user)
        except SearchError as exc:
            error = str(exc)
            query = SearchQuery()
        return page(
            request,
            "search.html",
            caller,
            400 if error else 200,
            query=query,
            result=result,
            error=error,
            labels=LABELS,
            legal_states=LEGAL_STATES,
            guard_rules=GUARD_RULES,
            raw=request.query_params,
        )

    @router.get("/console/threads/{thread_id}/transcript", response_class=HTMLResponse)
    async def transcript(
        *, request: Request, thread_id: int, caller: Annotated[Caller, auth(*READERS)]
    ) -> Response:
        view = await run_in_threadpool(
            lambda: service.thread(thread_id, caller.info.user, transcript=True)
        )
        return page(request, "transcript.html", caller, view=view)

    @router.get("/console/accounts/{account_id}/contacts", response_class=HTMLResponse)
    async def contacts(
        *, request: Request, account_id: str, caller: Annotated[Caller, auth(*READERS)]
    ) -> Response:
        report = await run_in_threadpool(service.contact_report, account_id, caller.info.user)
        return page(request, "contacts.html", caller, report=report)

    @router.get("/console/audit", response_class=HTMLResponse)
    async def audit_page(
        *, request: Request, caller: Annotated[Caller, auth(*AUDITORS)]
    ) -> Response:
        return page(request, "audit.html", caller, verification=None)

    @router.post("/console/audit/verify", response_class=HTMLResponse)
    async def audit_verify(
        *, request: Request, caller: Annotated[Caller, auth(*AUDITORS)]
    ) -> Response:
        verification = await run_in_threadpool(service.verify, caller.info.user)
        return page(request, "audit.html", caller, verification=verification)

    @router.get("/console/audit/export")
    async def audit_export(
        *,
        format: str = "jsonl",
        thread_id: int | None = None,
        since: str = "",
        until: str = "",
        caller: Annotated[Caller, auth(*AUDITORS)],
    ) -> Response:
        try:
            start, end = parse_date(since, "since"), parse_date(until, "until")
        except SearchError as exc:
            raise ConsoleError(str(exc)) from exc
        text = await run_in_threadpool(
            lambda: service.export(
                format, caller.info.user, thread_id=thread_id, since=start, until=end
            )
        )
        scope = f"thread-{thread_id}" if thread_id else "audit"
        media = "text/csv" if format == "csv" else "application/x-ndjson"
        return Response(
            text,
            media_type=f"{media}; charset=utf-8",
            headers={"content-disposition": f'attachment; filename="parley-{scope}.{format}"'},
        )

    @router.get("/console/kpis", response_class=HTMLResponse)
    async def kpis_page(
        *, request: Request, caller: Annotated[Caller, auth(*KPI_VIEWERS)]
    ) -> Response:
        figures = await run_in_threadpool(service.kpis)
        svg = await run_in_threadpool(charts.all_charts, figures)
        return page(request, "kpis.html", caller, k=figures, charts=svg)

    # --- admin ---------------------------------------------------------------------------------

    @router.get("/console/users", response_class=HTMLResponse)
    async def users_page(*, request: Request, caller: Annotated[Caller, auth(*ADMINS)]) -> Response:
        listed = await run_in_threadpool(service.users)
        return page(request, "users.html", caller, users=listed, roles=users.ROLES, created=None)

    @router.post("/console/users", response_class=HTMLResponse)
    async def users_add(
        *,
        request: Request,
        email: Annotated[str, Form()] = "",
        role: Annotated[str, Form()] = "",
        caller: Annotated[Caller, auth(*ADMINS)],
    ) -> Response:
        added, password = await run_in_threadpool(service.add_user, email, role, caller.info.user)
        listed = await run_in_threadpool(service.users)
        return page(
            request,
            "users.html",
            caller,
            users=listed,
            roles=users.ROLES,
            created=(added.email, password),
        )

    @router.post("/console/users/disable")
    async def users_disable(
        *, email: Annotated[str, Form()] = "", caller: Annotated[Caller, auth(*ADMINS)]
    ) -> Response:
        await run_in_threadpool(service.disable_user, email, caller.info.user)
        return RedirectResponse("/console/users", status_code=303)

    app.include_router(router)


def _verdict_json(verdict: guard.Verdict) -> dict[str, Any]:
    return {
        "allowed": verdict.allowed,
        "failures": [
            {"rule": f.rule, "reason": f.reason, "excerpt": f.excerpt} for f in verdict.failures
        ],
        "send_after": verdict.send_after.isoformat() if verdict.send_after else None,
    }
