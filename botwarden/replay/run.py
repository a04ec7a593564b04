"""Running a replay: context lines build state, each action line gets one verdict (RULES.md).

An allowed action is taken as done at its ``at``: it enters history, so later lines see it. The file is
validated whole before anything runs, so a bad line gives exit 2 and no partial output.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import Any

from pydantic import TypeAdapter, ValidationError

from botwarden import settings as settings_table
from botwarden.checking import Checks, Pacing
from botwarden.consent import Consent, Contact, OptIn
from botwarden.errors import ConfigError, InputError
from botwarden.limits import Limits, builtin_limits
from botwarden.replay import lines as L
from botwarden.rules import AccountInfo, Action, Decision, Engine, MemoryHistory, PastPost, Verdict
from botwarden.rules.builtin._people import CONTACT_KINDS, interaction_of, users_reached
from botwarden.rules.builtin.engagement import ENGAGEMENT_KINDS, engagement_target
from botwarden.rules.facts import ActionRecord, Facts, LinkFacts, Trend, Waiting
from botwarden.rules.model import AttachedMedia, Campaign, ReplyTarget
from botwarden.similarity import text_hash
from botwarden.typed_settings import Settings

_ADAPTER: TypeAdapter[Any] = TypeAdapter(L.ReplayLine)
PUBLISHING_KINDS = frozenset({"post", "reply", "mention", "quote"})


def read_lines(raw_lines: Iterable[str], source: str) -> list[tuple[int, Any]]:
    """Parse and validate every line; raises InputError naming the line and the field."""
    parsed: list[tuple[int, Any]] = []
    for number, raw in enumerate(raw_lines, start=1):
        if not raw.strip():
            continue
        try:
            data = json.loads(raw)
        except json.JSONDecodeError as exc:
            raise InputError(f"{source}:{number}: not valid JSON ({exc.msg} at column {exc.colno})") from None
        if not isinstance(data, dict):
            raise InputError(f'{source}:{number}: each line must be a JSON object with a "type"')
        try:
            parsed.append((number, _ADAPTER.validate_python(data)))
        except ValidationError as exc:
            raise InputError(f"{source}:{number}: {_describe(exc, data)}") from None
    return parsed


def _describe(exc: ValidationError, data: dict[str, Any]) -> str:
    error = exc.errors()[0]
    if error["type"] == "union_tag_not_found":
        return "missing field 'type'"
    if error["type"] == "union_tag_invalid":
        return f"unknown type {data.get('type')!r}; expected one of {', '.join(L.LINE_TYPES)}"
    where = ".".join(str(part) for part in error["loc"][1:]) or "line"
    kind = data.get("type")
    if error["type"] == "missing":
        return f"{kind} line: missing required field '{where}'"
    if error["type"] == "extra_forbidden":
        return f"{kind} line: unknown field '{where}'"
    if error["type"] == "timezone_aware":
        return f"{kind} line: field '{where}': the time needs a zone, e.g. 2026-03-21T09:00:00Z"
    return f"{kind} line: field '{where}': {error['msg']}"


class Replay:
    """Replay state: settings, accounts, history, facts, and the engine that judges actions."""

    def __init__(self) -> None:
        self.settings: Settings = settings_table.resolve({}, env={})
        self.history = MemoryHistory()
        self.facts = Facts()
        self.statuses: dict[str, tuple[str, Any]] = {}
        self.limits: Limits = builtin_limits()
        self._checks: Checks | None = None

    @property
    def checks(self) -> Checks:
        """The checking seam for the settings and limits as the config lines left them."""
        if self._checks is None:
            pacing = Pacing(self.settings, source="config line", limits=self.limits)
            self._checks = Checks(self.settings, self.facts, pacing=pacing, limits=self.limits)
        return self._checks

    @property
    def engine(self) -> Engine:
        return self.checks.engine

    def run(self, parsed: list[tuple[int, Any]], source: str) -> Iterator[Verdict]:
        for number, line in parsed:
            try:
                verdict = self.apply(line)
            except ConfigError as exc:
                raise InputError(f"{source}:{number}: {exc}") from None
            if verdict is not None:
                yield verdict

    def apply(self, line: Any) -> Verdict | None:
        handler = getattr(self, "_on_" + line.type)
        result: Verdict | None = handler(line)
        return result

    # -- context lines --------------------------------------------------------------------------------

    def _on_config(self, line: L.ConfigLine) -> None:
        overrides = dict(line.model_extra or {})
        limits = overrides.pop("limits", None)
        if limits is not None:
            self.limits = self.limits.overridden(limits, "config line")
        for name, value in overrides.items():
            setting = settings_table.BY_NAME.get(name)
            if setting is None:
                raise ConfigError(f"config line: unknown setting '{name}' (see `botwarden settings`)")
            settings_table.assign(
                self.settings, name, settings_table.coerce(setting, value, source="config line")
            )
        self._checks = None

    def _on_account(self, line: L.AccountLine) -> None:
        self.facts.add_account(
            AccountInfo(
                id=line.id,
                network=line.network,
                operator=line.operator,
                verified=line.verified,
                bio=line.bio,
                automated_label=line.automated_label,
                bot_flag=line.bot_flag,
                sensitive_media=line.sensitive_media,
                daily_cap=line.daily_cap,
                created_at=line.created_at,
                followers=line.followers,
                posts=line.posts,
                has_avatar=line.avatar,
                access=line.access,
                app=line.app,
                use_case=line.use_case,
                ai_replies_approved=line.ai_replies_approved,
            )
        )

    def _on_posted(self, line: L.PostedLine) -> None:
        post_id = line.id or f"posted-{len(self.history)}"
        self._remember(
            PastPost(post_id, line.account, line.at, line.text, text_hash(line.text), tuple(line.links))
        )

    def _on_queued(self, line: L.QueuedLine) -> None:
        if line.account not in self.facts.accounts:
            raise ConfigError(f"queued line: account '{line.account}' has no account line before it")
        self.facts.add_waiting(
            Waiting(
                str(line.id),
                line.account,
                line.at,
                line.not_before or line.at,
                line.text,
                line.published or line.at,
            )
        )

    def _on_trend(self, line: L.TrendLine) -> None:
        self.facts.trends.append(Trend(line.network, line.at, frozenset(t.casefold() for t in line.terms)))

    def _on_link(self, line: L.LinkLine) -> None:
        self.facts.add_link(LinkFacts(line.url, tuple(line.chain), tuple(line.kinds or ()), line.blocked))

    def _on_state(self, line: L.StateLine) -> None:
        self.statuses[line.account] = (line.status, line.at)

    def _on_opt_in(self, line: L.OptInLine) -> None:
        self.facts.ledger.opt_in(
            line.account, line.user, OptIn(line.at, line.via, line.interaction, line.sensitive)
        )

    def _on_opt_out(self, line: L.OptOutLine) -> None:
        self.facts.ledger.opt_out(line.account, line.user, line.at)

    def _on_interaction_ended(self, line: L.InteractionEndedLine) -> None:
        self.facts.ledger.interaction_ended(line.account, line.user, line.at)

    def _on_consent(self, line: L.ConsentLine) -> None:
        consent = Consent(
            line.owner, line.at, frozenset(line.actions), str(line.purpose_version), line.delete_notice
        )
        self.facts.ledger.consent(line.account, consent)

    def _on_purpose(self, line: L.PurposeLine) -> None:
        self.facts.ledger.purpose(line.at, str(line.version))

    def _on_owner_opt_out(self, line: L.OwnerOptOutLine) -> None:
        self.facts.ledger.owner_opt_out(line.account, line.at)

    # -- actions --------------------------------------------------------------------------------------

    def _on_action(self, line: L.ActionLine) -> Verdict:
        if line.account not in self.facts.accounts:
            raise ConfigError(f"action line: account '{line.account}' has no account line before it")
        account = self._account(line.account)
        action = to_action(line, account.network)
        verdict = self.checks.check(action, account, self.history)
        if verdict.decision is not Decision.DELAY:
            self.facts.settled(line.account, action.id)
        if verdict.decision is Decision.ALLOW and line.kind in ENGAGEMENT_KINDS:
            self.facts.actions.append(
                ActionRecord(line.account, line.kind, line.at, engagement_target(action), line.bulk or 1)
            )
        if verdict.decision is Decision.ALLOW and line.kind in PUBLISHING_KINDS:
            self._remember(
                PastPost(
                    action.id,
                    line.account,
                    line.at,
                    line.text,
                    text_hash(line.text),
                    tuple(line.links),
                    kind=line.kind,
                    media=len(line.media),
                )
            )
        if verdict.decision is Decision.ALLOW and line.kind in CONTACT_KINDS:
            contact = Contact(line.at, line.kind, interaction_of(action), line.text)
            for user in users_reached(action):
                self.facts.ledger.contacted(line.account, user, contact)
        return verdict

    def _remember(self, post: PastPost) -> None:
        self.history.add(post)

    def _account(self, account_id: str) -> AccountInfo:
        info = self.facts.accounts[account_id]
        status, since = self.statuses.get(account_id, ("ok", None))
        if status == "ok":
            return info
        return AccountInfo(**{**_fields(info), "status": status, "status_since": since})


def to_action(line: L.ActionLine, network: str) -> Action:
    """The engine's Action for a replay action line (the replay and the HTTP check both read these)."""
    return Action(
        id=str(line.id),
        kind=line.kind,
        account=line.account,
        at=line.at,
        text=line.text,
        links=tuple(line.links),
        network=network,
        trigger=line.trigger,
        target_user=line.target_user,
        target_display_name=line.target_display_name,
        in_reply_to=ReplyTarget(**line.in_reply_to.model_dump()) if line.in_reply_to else None,
        interaction=line.interaction,
        on_behalf=line.on_behalf,
        media=tuple(AttachedMedia(sensitive=m.sensitive) for m in line.media),
        campaign=Campaign(**line.campaign.model_dump()) if line.campaign else None,
        bulk=line.bulk,
        paid_partnership=line.paid_partnership,
        generated=line.generated,
        published=line.published,
    )


def _fields(info: AccountInfo) -> dict[str, Any]:
    return {name: getattr(info, name) for name in info.__dataclass_fields__}
