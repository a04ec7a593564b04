"""The dashboard: server-rendered pages for people, behind a login with a session cookie and CSRF tokens.

People log in with a token from ``botwarden tokens create`` (a person's token, scoped to their operator
like any API token). Every page shows only the operator's own accounts, feeds and queue. An account's health
is worked out as ``botwarden status`` works it out (``AccountSummary.health``), so the two always agree.
Errors on these pages are pages too; the API's stay JSON.
"""

from __future__ import annotations

import os
import secrets
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, Form, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.exceptions import HTTPException
from starlette.middleware.sessions import SessionMiddleware

from botwarden.rules import load_registry
from botwarden.rules.examples import examples_for
from botwarden.store import Transaction, reads
from botwarden.store.review import approve, reject
from botwarden.store.tokens import Principal, end_session, open_session, session_principal, verify_token
from botwarden.web.api import EntryId, account_view, entry_view, owned_entry
from botwarden.web.auth import Db, owned_account
from botwarden.web.errors import ApiError

HERE = Path(__file__).parent
templates = Jinja2Templates(directory=HERE / "templates")
router = APIRouter(include_in_schema=False)
# What the queue page can show, by the words the queue uses (as `botwarden queue --state`).
QUEUE_VIEWS: dict[str, tuple[str, ...]] = {
    "all": (),
    "waiting": ("pending", "ready"),
    "held": ("held",),
    "posted": ("sent",),
    "denied": ("denied",),
    "failed": ("failed",),
    "cancelled": ("cancelled",),
}
PAGE_SIZE = 50
#: How long a dashboard login lasts (the cookie's age and, in the store, the session's).
SESSION_LASTS = timedelta(hours=12)


class LoginNeeded(Exception):
    pass


def person(request: Request, session: Db) -> Principal:
    found = _logged_in(request, session)
    if found is None:
        request.session.clear()
        raise LoginNeeded
    return found


Person = Annotated[Principal, Depends(person)]


def _logged_in(request: Request, session: Transaction) -> Principal | None:
    """Whom the request's session cookie names, as long as the store says its login is live: the
    cookie is signed, but only the store can say that it was logged out or its token revoked."""
    secret = request.session.get("login")
    return session_principal(session, secret, _now(), SESSION_LASTS) if isinstance(secret, str) else None


def _csrf(request: Request) -> str:
    if "csrf" not in request.session:
        request.session["csrf"] = secrets.token_urlsafe(24)
    return str(request.session["csrf"])


def check_csrf(request: Request, token: str) -> None:
    if not token or not secrets.compare_digest(token, str(request.session.get("csrf", ""))):
        raise ApiError(403, "the form is out of date or was not sent by this dashboard; reload the page")


def page(
    request: Request, name: str, who: Principal | None, *, status_code: int = 200, **context: Any
) -> HTMLResponse:
    return templates.TemplateResponse(
        request,
        name,
        {"who": who, "csrf": _csrf(request), "page": name.removesuffix(".html"), **context},
        status_code=status_code,
    )


def _flash(request: Request, message: str) -> None:
    """A line the next page shows once (what a decision did)."""
    request.session["notice"] = message


def _notice(request: Request) -> str:
    return str(request.session.pop("notice", ""))


@router.get("/login")
def login_form(request: Request) -> HTMLResponse:
    return page(request, "login.html", None, error="")


@router.post("/login")
def login(
    request: Request, session: Db, token: Annotated[str, Form()], csrf: Annotated[str, Form()]
) -> Response:
    check_csrf(request, csrf)
    found = verify_token(session, token.strip())
    if found is None:
        return page(request, "login.html", None, error="That token is unknown or revoked.")
    secret = open_session(session, found.token_id, _now())
    session.commit()
    request.session.clear()
    request.session.update({"login": secret, "csrf": secrets.token_urlsafe(24)})
    return RedirectResponse("/", status_code=303)


@router.post("/logout")
def logout(request: Request, session: Db, csrf: Annotated[str, Form()]) -> Response:
    check_csrf(request, csrf)
    secret = request.session.get("login")
    if isinstance(secret, str):  # ended in the store: a copy of the cookie opens nothing either
        end_session(session, secret, _now())
        session.commit()
    request.session.clear()
    return RedirectResponse("/login", status_code=303)


# -- accounts -----------------------------------------------------------------------------------------


@router.get("/")
def overview(request: Request, who: Person, session: Db) -> HTMLResponse:
    summaries = reads.account_summaries(session, _now(), operator=who.operator)
    configured = set(request.app.state.config.accounts)
    mine = {a.id for a in summaries}
    denials = reads.recent_denials(session, mine, limit=10)
    return page(
        request,
        "overview.html",
        who,
        accounts=[(a, a.health(configured)) for a in summaries],
        denials=denials,
        backlogs=[b for b in reads.backlogs(session) if b.account in mine],
    )


@router.get("/accounts/{account_id}")
def account(request: Request, account_id: str, who: Person, session: Db) -> HTMLResponse:
    from botwarden.web.api import history

    row = owned_account(session, who, account_id)
    [summary] = reads.account_summaries(session, _now(), ids=[row.id])
    kinds = ("account_stopped", "account_resumed", "account_answers", "account_paused")
    return page(
        request,
        "account.html",
        who,
        account=summary,
        health=summary.health(set(request.app.state.config.accounts)),
        posts=history(who, session, account=account_id, limit=50),
        entries=reads.entry_reports(session, account=account_id, newest_first=True, limit=50),
        locks=reads.account_events(session, account_id, kinds, limit=20),
        backlog=next((b for b in reads.backlogs(session) if b.account == row.id), None),
        notice=_notice(request),
    )


@router.get("/accounts/{account_id}/resume")
def resume_form(request: Request, account_id: str, who: Person, session: Db) -> HTMLResponse:
    """The confirmation step: resuming says the account works again, so a person must mean it."""
    row = owned_account(session, who, account_id)
    held = reads.count_entries(session, account=row.id, states=["held"])
    return page(request, "resume.html", who, account=account_view(session, row), held=held)


@router.post("/accounts/{account_id}/resume")
def resume(
    request: Request, account_id: str, who: Person, session: Db, csrf: Annotated[str, Form()]
) -> Response:
    from botwarden.store.accounts import resume_account

    check_csrf(request, csrf)
    row = owned_account(session, who, account_id)
    if row.status != "ok":
        released = resume_account(session, row.id, _now(), f"resumed by {who.name}")
        session.commit()
        _flash(request, f"{row.id} is ok again; {released} held post(s) will be checked again.")
    return RedirectResponse(f"/accounts/{row.id}", status_code=303)


@router.get("/accounts/{account_id}/diagnosis")
def diagnosis(request: Request, account_id: str, who: Person, session: Db) -> HTMLResponse:
    """`botwarden diagnose` on what the operator's accounts posted, for this account's locks."""
    from botwarden.diagnose import diagnose, posts_from_store, to_html

    row = owned_account(session, who, account_id)
    mine = {a.id for a in reads.account_summaries(session, _now(), operator=who.operator)}
    posts, locks = posts_from_store(session)
    posts = [p for p in posts if p.account in mine]
    locks = [lock for lock in locks if lock.account == row.id]
    if not posts:
        message = f"{row.id} has posted nothing yet, so there is nothing to diagnose."
        return page(request, "error.html", who, status=404, message=message, status_code=404)
    return HTMLResponse(to_html(diagnose(posts, locks, sources=["botwarden store"])))


# -- the queue ----------------------------------------------------------------------------------------


@router.get("/queue")
def queue(request: Request, who: Person, session: Db) -> HTMLResponse:
    view = request.query_params.get("show", "all")
    if view not in QUEUE_VIEWS:
        raise ApiError(404, f"no queue view '{view}'; one of {', '.join(QUEUE_VIEWS)}")
    limit = _limit(request)
    states = list(QUEUE_VIEWS[view])
    entries = reads.entry_reports(
        session, states=states, newest_first=True, limit=limit, operator=who.operator
    )
    total = reads.count_entries(session, states=states, operator=who.operator)
    more = total - len(entries)
    return page(
        request, "queue.html", who, entries=entries, view=view, views=QUEUE_VIEWS, more=more, limit=limit
    )


@router.get("/skipped")
def skipped(request: Request, who: Person, session: Db) -> HTMLResponse:
    from botwarden.store.skipped import KINDS, skipped_views

    kind = request.query_params.get("kind", "")
    if kind and kind not in KINDS:
        raise ApiError(404, f"no reason '{kind}'; one of {', '.join(KINDS)}")
    limit = _limit(request)
    rows, total = skipped_views(session, operator=who.operator, kinds=[kind] if kind else None, limit=limit)
    return page(
        request, "skipped.html", who, rows=rows, kind=kind, kinds=KINDS, more=total - len(rows), limit=limit
    )


@router.get("/review")
def review(request: Request, who: Person, session: Db) -> HTMLResponse:
    from botwarden.web.api import queue as held_entries

    held = held_entries(who, session, state="held", account=None, limit=200)
    return page(request, "review.html", who, held=held, notice=_notice(request))


@router.post("/review/{entry_id}/{decision}")
def decide(
    request: Request, entry_id: EntryId, decision: str, who: Person, session: Db, csrf: Annotated[str, Form()]
) -> Response:
    check_csrf(request, csrf)
    row = owned_entry(session, who, entry_id)
    if decision == "approve":
        message = approve(session, row.id, who.name, _now()).describe()
    elif decision == "reject":
        reject(session, row.id, who.name, _now())
        message = f"entry {row.id} rejected; it will not be sent"
    else:
        raise ApiError(404, f"no such decision '{decision}'")
    session.commit()
    _flash(request, message[:1].upper() + message[1:])
    return RedirectResponse("/review", status_code=303)


@router.get("/queue/{entry_id}")
def entry(request: Request, entry_id: EntryId, who: Person, session: Db) -> HTMLResponse:
    return page(request, "entry.html", who, entry=entry_view(session, owned_entry(session, who, entry_id)))


# -- feeds and rules ----------------------------------------------------------------------------------


@router.get("/feeds")
def feeds(request: Request, who: Person) -> HTMLResponse:
    from botwarden.web.config_pages import feeds_page

    return feeds_page(request, who)


@router.get("/rules")
def rules(request: Request, who: Person) -> HTMLResponse:
    return page(request, "rules.html", who, rules=list(load_registry()))


@router.get("/rules/{code}")
def rule(request: Request, code: str, who: Person) -> HTMLResponse:
    found = load_registry().get(code)
    if found is None:
        raise ApiError(404, f"no rule '{code}'")
    return page(request, "rule.html", who, rule=found, examples=examples_for(found.code))


def _now() -> datetime:
    return datetime.now(UTC)


def _limit(request: Request) -> int:
    try:
        return max(1, min(int(request.query_params.get("limit", PAGE_SIZE)), 1000))
    except ValueError:
        return PAGE_SIZE


# -- wiring -------------------------------------------------------------------------------------------


def install(app: FastAPI) -> None:
    from botwarden.web.config_pages import router as config_router

    secret = app.state.config.settings.get("dashboard_secret") or os.environ.get("BOTWARDEN_DASHBOARD_SECRET")
    app.add_middleware(
        SessionMiddleware,
        secret_key=secret or secrets.token_urlsafe(32),  # without one, sessions end when the service restarts
        session_cookie="botwarden_session",
        same_site="strict",
        https_only=bool(app.state.config.settings.get("dashboard_https_only")),
        max_age=int(SESSION_LASTS.total_seconds()),
    )
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    app.include_router(router)
    app.include_router(config_router)

    @app.exception_handler(LoginNeeded)
    async def _login(request: Request, exc: LoginNeeded) -> Response:
        return RedirectResponse("/login", status_code=303)

    _html_errors(app)


def _html_errors(app: FastAPI) -> None:
    """Errors on the dashboard's pages as pages; the API's (and the metrics') keep the one JSON shape."""
    json_handlers = dict(app.exception_handlers)

    def for_people(request: Request) -> bool:
        path = request.url.path
        return not path.startswith(("/api/", "/openapi", "/docs", "/redoc", "/metrics", "/static/"))

    async def _error(request: Request, exc: Exception) -> Response:
        handler = json_handlers.get(type(exc)) or json_handlers.get(ApiError)
        answer = await handler(request, exc) if handler is not None else JSONResponse({}, status_code=500)
        if not for_people(request) or not isinstance(answer, JSONResponse):
            return answer
        import json

        message = json.loads(bytes(answer.body)).get("error", {}).get("message", "")
        status = answer.status_code
        return page(request, "error.html", _who(request), status=status, message=message, status_code=status)

    for kind in (ApiError, HTTPException, RequestValidationError):
        app.add_exception_handler(kind, _error)


def _who(request: Request) -> Principal | None:
    """Who is logged in, for an error page's header (nobody, when the session is not a valid login)."""
    if "session" not in request.scope or not isinstance(request.session.get("login"), str):
        return None
    with request.app.state.sessions() as session:
        return _logged_in(request, session)
