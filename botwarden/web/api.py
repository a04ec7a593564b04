"""``/api/v1``: health, check, accounts, feeds, routes, the queue and its review, history, verdicts, rules."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import JSONResponse
from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from botwarden import __version__
from botwarden.replay.lines import ActionLine
from botwarden.rules import load_registry
from botwarden.rules.model import Verdict
from botwarden.store.accounts import resume_account
from botwarden.store.events import record
from botwarden.store.models import AccountRow, FeedRow, HistoryRow, QueueRow, RouteRow, VerdictRow
from botwarden.store.review import approve, latest_verdict, reject
from botwarden.store.tokens import Principal
from botwarden.web import schemas as S
from botwarden.web.auth import Caller, Db, owned_account
from botwarden.web.errors import ApiError

router = APIRouter(prefix="/api/v1")
# Queue ids are database integers: anything larger is refused as invalid, not passed to the database.
EntryId = Annotated[int, Path(ge=1, le=2**63 - 1, description="A queue entry's id")]
ERRORS: dict[int | str, dict[str, Any]] = {code: {"model": S.ErrorAnswer} for code in (401, 404, 422)}


def _now() -> datetime:
    return datetime.now(UTC)


@router.get("/health", response_model=S.Health, tags=["service"])
def health(session: Db) -> S.Health:
    """Whether the service and its database answer (no token needed)."""
    try:
        session.execute(text("SELECT 1"))
        database = "ok"
    except Exception:  # the database is down: say so, with a 200, so a probe can read it
        database = "unavailable"
    return S.Health(status="ok" if database == "ok" else "degraded", version=__version__, database=database)


@router.post("/check", response_model=S.VerdictOut, responses=ERRORS, tags=["rules"])
async def check(request: Request, line: ActionLine, caller: Caller) -> JSONResponse:
    """Check one action (a replay-format action object) before taking it; nothing is recorded."""
    verdict = request.app.state.checker.check_line(caller, line)
    if verdict is None:
        raise ApiError(404, f"no account '{line.account}' here")  # as owned_account says it
    request.app.state.metrics.checked(verdict.decision.value)
    return JSONResponse(verdict.to_json())  # already the documented shape: no second validation


# -- accounts -----------------------------------------------------------------------------------------


@router.get("/accounts", response_model=list[S.AccountOut], responses=ERRORS, tags=["accounts"])
def accounts(caller: Caller, session: Db) -> list[S.AccountOut]:
    rows = session.scalars(select(AccountRow).order_by(AccountRow.id)).all()
    return [account_view(session, a) for a in rows if caller.may_see(a.operator)]


@router.post(
    "/accounts",
    status_code=201,
    response_model=S.AccountOut,
    responses={**ERRORS, 403: {"model": S.ErrorAnswer}, 409: {"model": S.ErrorAnswer}},
    tags=["accounts"],
)
def create_account(new: S.AccountIn, caller: Caller, session: Db) -> S.AccountOut:
    """Register an account with the check service and the dashboard, owned by the caller's operator."""
    operator = new.operator or caller.operator
    if operator is None:
        raise ApiError(422, "an admin token must say which operator owns the account: give `operator`")
    if not caller.may_see(operator):
        raise ApiError(403, f"this token creates accounts for operator '{caller.operator}' only")
    taken = ApiError(409, f"an account '{new.id}' already exists; choose another id")
    if session.get(AccountRow, new.id) is not None:
        raise taken
    row = AccountRow(id=new.id, network=new.network, operator=operator, status="ok", status_reason="")
    session.add(row)
    record(session, _now(), "account_created", f"{new.id}: created by {caller.name}", account=new.id)
    try:
        session.commit()
    except IntegrityError:  # created by another request between the look and the write
        session.rollback()
        raise taken from None
    return account_view(session, row)


@router.get("/accounts/{account_id}", response_model=S.AccountOut, responses=ERRORS, tags=["accounts"])
def account(account_id: str, caller: Caller, session: Db) -> S.AccountOut:
    return account_view(session, owned_account(session, caller, account_id))


@router.post("/accounts/{account_id}/pause", response_model=S.AccountOut, responses=ERRORS, tags=["accounts"])
def pause(account_id: str, caller: Caller, session: Db) -> S.AccountOut:
    """Stop posting from the account until it is resumed; its queue is held (BW904)."""
    row = owned_account(session, caller, account_id)
    if row.status == "ok":
        row.status, row.status_since, row.status_reason = "paused", _now(), f"paused by {caller.name}"
        record(session, _now(), "account_paused", f"{row.id}: paused by {caller.name}", account=row.id)
        session.commit()
    return account_view(session, row)


@router.post(
    "/accounts/{account_id}/resume", response_model=S.AccountOut, responses=ERRORS, tags=["accounts"]
)
def resume(account_id: str, caller: Caller, session: Db) -> S.AccountOut:
    """Mark the account ok again (after a person restored it); its held posts are checked again."""
    row = owned_account(session, caller, account_id)
    if row.status != "ok":
        resume_account(session, row, _now(), f"resumed by {caller.name}")
        session.commit()
    return account_view(session, row)


@router.post(
    "/accounts/{account_id}/setup-check", response_model=S.SetupOut, responses=ERRORS, tags=["accounts"]
)
def setup_check(request: Request, account_id: str, caller: Caller, session: Db) -> S.SetupOut:
    """Read the account's profile from its network and report BW951-BW956."""
    from botwarden.setup_check import check_accounts

    owned_account(session, caller, account_id)
    reports = check_accounts(request.app.state.config, request.app.state.networks(), _now(), account_id)
    if not reports:
        raise ApiError(
            409,
            f"'{account_id}' is not in the configuration, so botwarden has no login to read its profile: "
            f"add it under [[accounts]] and run `botwarden accounts login {account_id}`",
        )
    [report] = reports
    return S.SetupOut(
        account=report.account,
        handle=report.profile.handle if report.profile else "",
        error=report.error,
        findings=[S.SetupFinding(code=f.code, message=f.message) for f in report.findings],
        notes=report.notes,
    )


# -- feeds and routes ---------------------------------------------------------------------------------


@router.get("/feeds", response_model=list[S.FeedOut], responses=ERRORS, tags=["feeds"])
def feeds(caller: Caller, session: Db) -> list[S.FeedOut]:
    """The feeds behind the caller's accounts."""
    visible = visible_routes(session, caller)
    rows = session.scalars(select(FeedRow).where(FeedRow.id.in_({r.feed_id for r in visible}))).all()
    return [
        S.FeedOut(
            id=f.id,
            url=f.url,
            title=f.title,
            last_status=f.last_status,
            last_fetched_at=f.last_fetched_at,
            next_fetch_at=f.next_fetch_at,
            error_streak=f.error_streak,
            last_error=f.last_error,
        )
        for f in sorted(rows, key=lambda f: f.id)
    ]


@router.get("/routes", response_model=list[S.RouteOut], responses=ERRORS, tags=["feeds"])
def routes(request: Request, caller: Caller, session: Db) -> list[S.RouteOut]:
    config = request.app.state.config
    return [
        S.RouteOut(
            id=r.id,
            feed=r.feed_id,
            account=r.account_id,
            template=config.routes[r.id].template if r.id in config.routes else "",
        )
        for r in visible_routes(session, caller)
    ]


# -- the queue ----------------------------------------------------------------------------------------


@router.get("/queue", response_model=list[S.QueueEntryOut], responses=ERRORS, tags=["queue"])
def queue(
    caller: Caller,
    session: Db,
    state: Annotated[
        str | None, Query(description="pending, ready, sending, sent, failed, held or denied")
    ] = None,
    account: str | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[S.QueueEntryOut]:
    query = select(QueueRow).join(AccountRow, AccountRow.id == QueueRow.account_id)
    if not caller.admin:
        query = query.where(AccountRow.operator == caller.operator)
    if state:
        query = query.where(QueueRow.state == state)
    if account:
        query = query.where(QueueRow.account_id == account)
    rows = session.scalars(query.order_by(QueueRow.not_before, QueueRow.id).limit(limit)).all()
    return [entry_view(session, row) for row in rows]


@router.get("/queue/{entry_id}", response_model=S.QueueEntryOut, responses=ERRORS, tags=["queue"])
def entry(entry_id: EntryId, caller: Caller, session: Db) -> S.QueueEntryOut:
    return entry_view(session, owned_entry(session, caller, entry_id))


@router.post(
    "/queue/{entry_id}/approve",
    response_model=S.ReviewAnswer,
    responses={**ERRORS, 400: {"model": S.ErrorAnswer}},
    tags=["queue"],
)
def approve_entry(entry_id: EntryId, caller: Caller, session: Db) -> S.ReviewAnswer:
    """Approve a held entry: it is checked again, and the holds shown with it no longer stop it."""
    row = owned_entry(session, caller, entry_id)
    codes = approve(session, row, caller.name, _now())
    session.commit()
    return S.ReviewAnswer(entry=entry_view(session, row), approved_codes=codes)


@router.post(
    "/queue/{entry_id}/reject",
    response_model=S.ReviewAnswer,
    responses={**ERRORS, 400: {"model": S.ErrorAnswer}},
    tags=["queue"],
)
def reject_entry(entry_id: EntryId, caller: Caller, session: Db) -> S.ReviewAnswer:
    """Reject a held entry: it is never sent."""
    row = owned_entry(session, caller, entry_id)
    reject(session, row, caller.name, _now())
    session.commit()
    return S.ReviewAnswer(entry=entry_view(session, row))


# -- history and verdicts -----------------------------------------------------------------------------


@router.get("/history", response_model=list[S.PostOut], responses=ERRORS, tags=["history"])
def history(
    caller: Caller, session: Db, account: str | None = None, limit: Annotated[int, Query(ge=1, le=500)] = 100
) -> list[S.PostOut]:
    """What was posted, newest first."""
    query = select(HistoryRow).join(AccountRow, AccountRow.id == HistoryRow.account_id)
    if not caller.admin:
        query = query.where(AccountRow.operator == caller.operator)
    if account:
        query = query.where(HistoryRow.account_id == account)
    rows = session.scalars(query.order_by(HistoryRow.at.desc(), HistoryRow.id.desc()).limit(limit)).all()
    return [
        S.PostOut(
            id=h.id, account=h.account_id, at=h.at, text=h.text, remote_id=h.remote_id, cost_usd=h.cost_usd
        )
        for h in rows
    ]


@router.get("/verdicts", response_model=list[S.VerdictOut], responses=ERRORS, tags=["history"])
def verdicts(
    caller: Caller,
    session: Db,
    account: str | None = None,
    decision: str | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[S.VerdictOut]:
    """The worker's verdicts on queue entries, newest first (``id`` is the queue entry's)."""
    query = (
        select(VerdictRow)
        .join(QueueRow, QueueRow.id == VerdictRow.queue_id)
        .join(AccountRow, AccountRow.id == QueueRow.account_id)
    )
    if not caller.admin:
        query = query.where(AccountRow.operator == caller.operator)
    if account:
        query = query.where(QueueRow.account_id == account)
    if decision:
        query = query.where(VerdictRow.decision == decision)
    rows = session.scalars(query.order_by(VerdictRow.id.desc()).limit(limit)).all()
    return [_stored_verdict(v) for v in rows]


# -- rules --------------------------------------------------------------------------------------------


@router.get("/rules", response_model=list[S.RuleOut], responses=ERRORS, tags=["rules"])
def rules(caller: Caller) -> list[S.RuleOut]:
    return [_rule(r) for r in load_registry()]


@router.get("/rules/{code}", response_model=S.RuleOut, responses=ERRORS, tags=["rules"])
def explain(code: str, caller: Caller) -> S.RuleOut:
    """One rule explained (by code, e.g. BW103, or slug)."""
    rule = load_registry().get(code)
    if rule is None:
        raise ApiError(404, f"no rule '{code}'")
    return _rule(rule)


# -- shapes -------------------------------------------------------------------------------------------


def account_view(session: Session, row: AccountRow) -> S.AccountOut:
    counts = dict(
        session.execute(
            select(QueueRow.state, func.count()).where(QueueRow.account_id == row.id).group_by(QueueRow.state)
        ).all()
    )
    today = _now().replace(hour=0, minute=0, second=0, microsecond=0)
    spent = session.scalar(
        select(func.coalesce(func.sum(HistoryRow.cost_usd), 0.0)).where(
            HistoryRow.account_id == row.id, HistoryRow.at >= today
        )
    )
    return S.AccountOut(
        id=row.id,
        network=row.network,
        operator=row.operator,
        status=row.status,
        status_since=row.status_since,
        status_reason=row.status_reason,
        queue={str(k): int(v) for k, v in counts.items()},
        spent_today_usd=float(spent or 0),
    )


def visible_routes(session: Session, caller: Principal) -> list[RouteRow]:
    query = select(RouteRow).join(AccountRow, AccountRow.id == RouteRow.account_id)
    if not caller.admin:
        query = query.where(AccountRow.operator == caller.operator)
    return list(session.scalars(query.order_by(RouteRow.id)))


def owned_entry(session: Session, caller: Principal, entry_id: int) -> QueueRow:
    row: QueueRow | None = session.get(QueueRow, entry_id)
    if row is None:
        raise ApiError(404, f"no queue entry {entry_id} here")
    owned_account(session, caller, row.account_id)  # another operator's entry reads as not found
    return row


def entry_view(session: Session, row: QueueRow) -> S.QueueEntryOut:
    verdict = latest_verdict(session, row.id)
    return S.QueueEntryOut(
        id=row.id,
        account=row.account_id,
        route=row.route_id,
        state=row.state,
        text=row.text,
        not_before=row.not_before,
        attempts=row.attempts,
        last_error=row.last_error,
        approved_by=row.approved_by,
        verdict=_stored_verdict(verdict) if verdict else None,
    )


def _stored_verdict(row: VerdictRow) -> S.VerdictOut:
    return S.VerdictOut(
        id=str(row.queue_id),
        decision=row.decision,
        codes=list(row.codes),
        findings=[S.FindingOut(**f) for f in row.findings],
        not_before=row.not_before,
    )


def _verdict(verdict: Verdict) -> S.VerdictOut:
    return S.VerdictOut.model_validate(verdict.to_json())


def _rule(rule: Any) -> S.RuleOut:
    return S.RuleOut(
        code=rule.code,
        slug=rule.slug,
        family=rule.family,
        severity=rule.severity.label,
        enforced=rule.enforced,
        section=rule.section,
        summary=rule.summary,
        explanation=rule.explanation,
    )
