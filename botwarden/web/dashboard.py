"""The dashboard: server-rendered pages for people, behind a login with a session cookie and CSRF tokens.

People log in with a token from ``botwarden tokens create`` (a person's token, scoped to their operator
like any API token). Every page shows only the operator's own accounts, feeds and queue.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.middleware.sessions import SessionMiddleware

from botwarden.rules import load_registry
from botwarden.rules.examples import examples_for
from botwarden.store import reads
from botwarden.store.review import approve, reject
from botwarden.store.tokens import Principal, token_principal, verify_token
from botwarden.web.api import EntryId, account_view, entry_view, owned_entry, visible_routes
from botwarden.web.auth import Db, owned_account
from botwarden.web.errors import ApiError

HERE = Path(__file__).parent
templates = Jinja2Templates(directory=HERE / "templates")
router = APIRouter(include_in_schema=False)


class LoginNeeded(Exception):
    pass


def person(request: Request, session: Db) -> Principal:
    token_id = request.session.get("token_id")
    found = token_principal(session, token_id) if isinstance(token_id, int) else None
    if found is None:
        request.session.clear()
        raise LoginNeeded
    return found


Person = Annotated[Principal, Depends(person)]


def _csrf(request: Request) -> str:
    if "csrf" not in request.session:
        request.session["csrf"] = secrets.token_urlsafe(24)
    return str(request.session["csrf"])


def _check_csrf(request: Request, token: str) -> None:
    if not token or not secrets.compare_digest(token, str(request.session.get("csrf", ""))):
        raise ApiError(403, "the form is out of date or was not sent by this dashboard; reload the page")


def _page(request: Request, name: str, who: Principal | None, **context: Any) -> HTMLResponse:
    return templates.TemplateResponse(
        request, name, {"who": who, "csrf": _csrf(request), "page": name.removesuffix(".html"), **context}
    )


@router.get("/login")
def login_form(request: Request) -> HTMLResponse:
    return _page(request, "login.html", None, error="")


@router.post("/login")
def login(
    request: Request, session: Db, token: Annotated[str, Form()], csrf: Annotated[str, Form()]
) -> Response:
    _check_csrf(request, csrf)
    found = verify_token(session, token.strip())
    if found is None:
        return _page(request, "login.html", None, error="That token is unknown or revoked.")
    request.session.clear()
    request.session.update({"token_id": found.token_id, "csrf": secrets.token_urlsafe(24)})
    return RedirectResponse("/", status_code=303)


@router.post("/logout")
def logout(request: Request, csrf: Annotated[str, Form()]) -> Response:
    _check_csrf(request, csrf)
    request.session.clear()
    return RedirectResponse("/login", status_code=303)


@router.get("/")
def overview(request: Request, who: Person, session: Db) -> HTMLResponse:
    from botwarden.web.api import accounts as account_list

    accounts = account_list(who, session)
    denials = reads.recent_denials(session, {a.id for a in accounts}, limit=10)
    return _page(request, "overview.html", who, accounts=accounts, denials=denials)


@router.get("/accounts/{account_id}")
def account(request: Request, account_id: str, who: Person, session: Db) -> HTMLResponse:
    from botwarden.web.api import history, verdicts

    row = owned_account(session, who, account_id)
    kinds = ("account_stopped", "account_resumed", "account_answers", "account_paused")
    locks = reads.account_events(session, account_id, kinds, limit=20)
    return _page(
        request,
        "account.html",
        who,
        account=account_view(session, row),
        posts=history(who, session, account=account_id, limit=50),
        verdicts=verdicts(who, session, account=account_id, decision=None, limit=50),
        locks=locks,
    )


@router.get("/review")
def review(request: Request, who: Person, session: Db) -> HTMLResponse:
    from botwarden.web.api import queue

    held = queue(who, session, state="held", account=None, limit=200)
    return _page(request, "review.html", who, held=held, done=request.query_params.get("done", ""))


@router.post("/review/{entry_id}/{decision}")
def decide(
    request: Request, entry_id: EntryId, decision: str, who: Person, session: Db, csrf: Annotated[str, Form()]
) -> Response:
    _check_csrf(request, csrf)
    row = owned_entry(session, who, entry_id)
    if decision == "approve":
        approve(session, row.id, who.name, _now())
    elif decision == "reject":
        reject(session, row.id, who.name, _now())
    else:
        raise ApiError(404, f"no such decision '{decision}'")
    session.commit()
    return RedirectResponse(f"/review?done={decision}d:{entry_id}", status_code=303)


@router.get("/queue/{entry_id}")
def entry(request: Request, entry_id: EntryId, who: Person, session: Db) -> HTMLResponse:
    return _page(request, "entry.html", who, entry=entry_view(session, owned_entry(session, who, entry_id)))


@router.get("/feeds")
def feeds(request: Request, who: Person, session: Db) -> HTMLResponse:
    from botwarden.web.api import feeds as feed_list

    return _page(
        request, "feeds.html", who, feeds=feed_list(who, session), routes=visible_routes(session, who)
    )


@router.get("/rules")
def rules(request: Request, who: Person) -> HTMLResponse:
    return _page(request, "rules.html", who, rules=list(load_registry()))


@router.get("/rules/{code}")
def rule(request: Request, code: str, who: Person) -> HTMLResponse:
    found = load_registry().get(code)
    if found is None:
        raise ApiError(404, f"no rule '{code}'")
    return _page(request, "rule.html", who, rule=found, examples=examples_for(found.code))


def _now() -> Any:
    from datetime import UTC, datetime

    return datetime.now(UTC)


def install(app: FastAPI) -> None:
    secret = app.state.config.settings.get("dashboard_secret") or os.environ.get("BOTWARDEN_DASHBOARD_SECRET")
    app.add_middleware(
        SessionMiddleware,
        secret_key=secret or secrets.token_urlsafe(32),  # without one, sessions end when the service restarts
        session_cookie="botwarden_session",
        same_site="strict",
        https_only=bool(app.state.config.settings.get("dashboard_https_only")),
        max_age=12 * 3600,
    )
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    app.include_router(router)

    @app.exception_handler(LoginNeeded)
    async def _login(request: Request, exc: LoginNeeded) -> Response:
        return RedirectResponse("/login", status_code=303)
