"""``/api/v1``: health, check, accounts, feeds, routes, the queue and its review, history, verdicts, rules."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request, Response
from fastapi.responses import JSONResponse

from botwarden import __version__
from botwarden.replay.lines import ActionLine
from botwarden.replay.run import PUBLISHING_KINDS
from botwarden.rules import load_registry
from botwarden.rules.model import Decision, Verdict
from botwarden.store import Transaction, reads, reported
from botwarden.store.accounts import StoredAccount, get_account, pause_account, resume_account
from botwarden.store.accounts import create_account as store_account
from botwarden.store.db import answers, created
from botwarden.store.events import record
from botwarden.store.reads import EntryView, RouteView, VerdictView
from botwarden.store.review import approve, reject
from botwarden.store.tokens import Principal
from botwarden.store.views import AccountSummary
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
    # The database down is said so, with a 200, so that a probe can read it.
    database = "ok" if answers(session) else "unavailable"
    return S.Health(status="ok" if database == "ok" else "degraded", version=__version__, database=database)


RECORDED_HEADER = "Botwarden-Recorded"


@router.post(
    "/check",
    response_model=S.VerdictOut,
    responses={**ERRORS, 409: {"model": S.ErrorAnswer}},
    tags=["rules"],
)
async def check(
    request: Request,
    line: ActionLine,
    caller: Caller,
    record: Annotated[
        bool,
        Query(
            description="Record the action as taken when it is allowed (a post, reply, mention or quote), "
            f"as `POST /api/v1/posted` would: the answer's `{RECORDED_HEADER}` header says `yes`, `no` "
            "(not allowed, or not a post), or `earlier` (this id was recorded before: its verdict then is "
            "answered again, and nothing is recorded twice)"
        ),
    ] = False,
) -> JSONResponse:
    """Check one action (a replay-format action object) before taking it. Nothing is recorded unless
    `record` is set."""
    if record:
        return _check_and_record(request, line, caller)
    verdict = request.app.state.checker.check_line(caller, line)
    if verdict is None:
        raise ApiError(404, f"no account '{line.account}' here")  # as owned_account says it
    request.app.state.metrics.checked(verdict.decision.value)
    return JSONResponse(verdict.to_json())  # already the documented shape: no second validation


def _check_and_record(request: Request, line: ActionLine, caller: Principal) -> JSONResponse:
    with request.app.state.sessions.begin() as session:
        owned_account(session, caller, line.account)
        earlier = reported.find(session, line.account, str(line.id))
        if earlier is not None:
            if earlier.verdict is None:
                raise ApiError(
                    409,
                    f"post '{line.id}' of {line.account} was reported as posted already; check each new "
                    "action under an id of its own",
                )
            return JSONResponse(earlier.verdict, headers={RECORDED_HEADER: "earlier"})
        verdict = request.app.state.checker.check_line(caller, line)
        if verdict is None:
            raise ApiError(404, f"no account '{line.account}' here")
        request.app.state.metrics.checked(verdict.decision.value)
        answer = verdict.to_json()
        if verdict.decision is not Decision.ALLOW or line.kind not in PUBLISHING_KINDS:
            return JSONResponse(answer, headers={RECORDED_HEADER: "no"})
        post, created = reported.record(
            session, line.account, str(line.id), line.at, line.text, line.links, verdict=answer
        )
    if not created:  # recorded by a request that crossed this one: its verdict stands
        return JSONResponse(post.verdict or answer, headers={RECORDED_HEADER: "earlier"})
    request.app.state.checker.checks.recorded(post.past())
    return JSONResponse(answer, headers={RECORDED_HEADER: "yes"})


@router.post(
    "/posted",
    status_code=201,
    response_model=S.PostedOut,
    responses={**ERRORS, 200: {"model": S.PostedOut}, 409: {"model": S.ErrorAnswer}},
    tags=["rules"],
)
def posted(new: S.PostedIn, request: Request, response: Response, caller: Caller, session: Db) -> S.PostedOut:
    """Record a post the caller made (outside botwarden) on one of its accounts, so that its later checks
    are judged against it: the same text again (BW101), the same story on a sister account (BW103). The
    caller's `id` makes it idempotent: the same id again answers 200 with the first record; the same id
    with another text or time is refused (409)."""
    owned_account(session, caller, new.account)
    post, created = reported.record(session, new.account, new.id, new.at, new.text, new.links)
    if not created and (post.text != new.text or post.at != new.at):
        raise ApiError(
            409,
            f"post '{new.id}' of {new.account} was reported before with another text or time; "
            "give each post an id of its own",
        )
    if created:
        session.commit()
        request.app.state.checker.checks.recorded(post.past())
    else:
        response.status_code = 200
    return S.PostedOut(account=post.account, id=post.external_id, at=post.at, text=post.text, created=created)


# -- accounts -----------------------------------------------------------------------------------------


@router.get("/accounts", response_model=list[S.AccountOut], responses=ERRORS, tags=["accounts"])
def accounts(caller: Caller, session: Db) -> list[S.AccountOut]:
    return [_account(a) for a in reads.account_summaries(session, _now(), operator=caller.operator)]


@router.post(
    "/accounts",
    status_code=201,
    response_model=S.AccountOut,
    responses={**ERRORS, 403: {"model": S.ErrorAnswer}, 409: {"model": S.ErrorAnswer}},
    tags=["accounts"],
)
def create_account(new: S.AccountIn, caller: Caller, session: Db) -> S.AccountOut:
    """Register an account with the check service and the dashboard, owned by the caller's operator. Its
    id begins with the operator's name and a hyphen (`harbour-weather`), so that one operator's ids never
    meet another's, and no answer here says whether another operator has an account."""
    operator = new.operator or caller.operator
    if operator is None:
        raise ApiError(422, "an admin token must say which operator owns the account: give `operator`")
    if not caller.may_see(operator):
        raise ApiError(403, f"this token creates accounts for operator '{caller.operator}' only")
    _in_namespace(new.id, operator)
    taken = ApiError(409, f"an account '{new.id}' already exists; choose another id")
    if get_account(session, new.id) is not None:
        raise taken
    row = store_account(session, new.id, new.network, operator)
    record(session, _now(), "account_created", f"{new.id}: created by {caller.name}", account=new.id)
    if not created(session):  # created by another request between the look and the write
        raise taken
    return account_view(session, row)


@router.get("/accounts/{account_id}", response_model=S.AccountOut, responses=ERRORS, tags=["accounts"])
def account(account_id: str, caller: Caller, session: Db) -> S.AccountOut:
    return account_view(session, owned_account(session, caller, account_id))


@router.post("/accounts/{account_id}/pause", response_model=S.AccountOut, responses=ERRORS, tags=["accounts"])
def pause(account_id: str, caller: Caller, session: Db) -> S.AccountOut:
    """Stop posting from the account until it is resumed; its queue is held (BW904)."""
    row = owned_account(session, caller, account_id)
    if pause_account(session, row.id, f"paused by {caller.name}", _now()):
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
        resume_account(session, row.id, _now(), f"resumed by {caller.name}")
        session.commit()
    return account_view(session, row)


@router.post(
    "/accounts/{account_id}/setup-check", response_model=S.SetupOut, responses=ERRORS, tags=["accounts"]
)
def setup_check(request: Request, account_id: str, caller: Caller, session: Db) -> S.SetupOut:
    """Read the account's profile from its network and report BW951-BW956."""
    from botwarden.networks.build import meter_of
    from botwarden.setup_check import check_accounts
    from botwarden.store.spend import record_uses

    owned_account(session, caller, account_id)
    networks = request.app.state.networks()
    reports = check_accounts(request.app.state.config, networks, _now(), account_id)
    meter = meter_of(networks)
    if meter is not None and len(meter):  # X bills the profile read: it goes into the spend meter
        record_uses(session, meter.drain(), meter.prices)
        session.commit()
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
    rows = reads.feed_views(session, {r.feed_id for r in visible})
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
        for f in rows
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
    rows = reads.entry_views(session, operator=caller.operator, state=state, account=account, limit=limit)
    return [_entry(row) for row in rows]


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
    """Approve a held entry: it is checked again, and the holds shown with it no longer stop it. An entry
    whose account is stopped (BW904) stays held, with the approval kept: `released` is false and
    `message` says how to restore the account."""
    row = owned_entry(session, caller, entry_id)
    approval = approve(session, row.id, caller.name, _now())
    session.commit()
    return S.ReviewAnswer(
        entry=entry_view(session, row),
        approved_codes=approval.approved_codes,
        released=approval.released,
        message=approval.describe(),
    )


@router.post(
    "/queue/{entry_id}/reject",
    response_model=S.ReviewAnswer,
    responses={**ERRORS, 400: {"model": S.ErrorAnswer}},
    tags=["queue"],
)
def reject_entry(entry_id: EntryId, caller: Caller, session: Db) -> S.ReviewAnswer:
    """Reject a held entry: it is never sent."""
    row = owned_entry(session, caller, entry_id)
    reject(session, row.id, caller.name, _now())
    session.commit()
    return S.ReviewAnswer(
        entry=entry_view(session, row),
        released=False,
        message=f"entry {row.id} rejected; it will not be sent",
    )


# -- history and verdicts -----------------------------------------------------------------------------


@router.get("/history", response_model=list[S.PostOut], responses=ERRORS, tags=["history"])
def history(
    caller: Caller, session: Db, account: str | None = None, limit: Annotated[int, Query(ge=1, le=500)] = 100
) -> list[S.PostOut]:
    """What was posted, newest first."""
    rows = reads.history_views(session, operator=caller.operator, account=account, limit=limit)
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
    rows = reads.verdict_views(
        session, operator=caller.operator, account=account, decision=decision, limit=limit
    )
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


def account_view(session: Transaction, account: StoredAccount) -> S.AccountOut:
    [summary] = reads.account_summaries(session, _now(), ids=[account.id])
    return _account(summary)


def _account(summary: AccountSummary) -> S.AccountOut:
    return S.AccountOut(
        id=summary.id,
        network=summary.network,
        operator=summary.operator,
        status=summary.status,
        status_since=summary.status_since,
        status_reason=summary.status_reason,
        queue=summary.queue,
        spent_today_usd=summary.spent_today_usd,
    )


def visible_routes(session: Transaction, caller: Principal) -> list[RouteView]:
    return reads.route_views(session, operator=caller.operator)


def owned_entry(session: Transaction, caller: Principal, entry_id: int) -> EntryView:
    """The entry, if the caller's operator owns its account. Another operator's entry is answered exactly
    as a missing one (the same status and words): the answer must not say whose it is, or that it is."""
    row = reads.entry_view(session, entry_id)
    if row is None or not _owns(session, caller, row.account_id):
        raise ApiError(404, f"no queue entry {entry_id} here")
    return row


def _owns(session: Transaction, caller: Principal, account_id: str) -> bool:
    account = get_account(session, account_id)
    return account is not None and caller.may_see(account.operator)


def _in_namespace(account_id: str, operator: str) -> None:
    """Refuse an id outside the operator's own: the same answer whether another operator has it or not."""
    prefix = f"{operator}-"
    if not account_id.startswith(prefix) or account_id == prefix:
        raise ApiError(
            422,
            f"an account of operator '{operator}' has an id that begins with '{prefix}' (each operator's "
            f"ids are its own), for example '{prefix}news'",
        )


def entry_view(session: Transaction, row: EntryView) -> S.QueueEntryOut:
    """The entry as it stands now (read again: a review may just have moved it)."""
    return _entry(reads.entry_view(session, row.id) or row)


def _entry(row: EntryView) -> S.QueueEntryOut:
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
        verdict=_stored_verdict(row.verdict) if row.verdict else None,
    )


def _stored_verdict(row: VerdictView) -> S.VerdictOut:
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
