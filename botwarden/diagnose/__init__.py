"""``botwarden diagnose``: read what accounts actually posted and show which patterns a spam system most
likely saw, ranked against each lock. Exports of several accounts together are one operator's fleet, so
patterns across accounts show."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from botwarden.compose.links import canonical_link, links_in
from botwarden.diagnose.analyze import Analysis, Progress, analyze
from botwarden.diagnose.bounds import ImportLimits
from botwarden.diagnose.causes import rank_locks
from botwarden.diagnose.importers import Export, load_export, read_export
from botwarden.diagnose.model import HistoryPost, Lock
from botwarden.diagnose.report import Diagnosis, dumps, print_summary, to_html
from botwarden.errors import InputError
from botwarden.links import ResolveLimits, resolve_many
from botwarden.links.judge import LinkJudge
from botwarden.netguard import AddressPolicy
from botwarden.rules.facts import LinkFacts, Trend
from botwarden.typed_settings import Settings

if TYPE_CHECKING:
    from botwarden.store import Transaction

__all__ = [
    "Analysis",
    "Diagnosis",
    "Export",
    "HistoryPost",
    "ImportLimits",
    "Lock",
    "diagnose",
    "dumps",
    "load_export",
    "parse_lock",
    "posts_from_store",
    "print_summary",
    "read_export",
    "read_trends",
    "resolve_links",
    "to_html",
]


def diagnose(
    posts: Sequence[HistoryPost],
    locks: Iterable[Lock] = (),
    *,
    sources: Sequence[str] = (),
    trends: Sequence[Trend] = (),
    links: Iterable[LinkFacts] = (),
    settings: Settings | None = None,
    progress: Progress | None = None,
) -> Diagnosis:
    analysis = analyze(posts, settings=settings, trends=trends, links=links, progress=progress)
    known = set(analysis.accounts)
    for lock in locks:
        if lock.account is not None and lock.account not in known:
            raise InputError(
                f"--locked {lock.account}=…: no account '{lock.account}' in the export(s) "
                f"(found: {', '.join(sorted(known)) or 'none'})"
            )
    return Diagnosis(analysis, rank_locks(analysis, list(locks)), list(sources))


def resolve_links(posts: Iterable[HistoryPost], settings: Settings) -> list[LinkFacts]:
    """Follow every distinct link of the posts (as the worker does before posting), judged by the host
    lists and blocklists the settings name: for BW301-BW305 on the history."""
    judge = LinkJudge.from_settings(settings)  # reads the blocklists first: a bad file fails fast
    wanted = sorted({canonical_link(link) for post in posts for link in links_in(post.text, post.links)})
    limits = ResolveLimits.from_settings(settings)
    found = asyncio.run(resolve_many(wanted, policy=AddressPolicy(settings["allow_hosts"]), limits=limits))
    return [judge.facts(url, found[url].chain) for url in wanted]


def parse_lock(value: str) -> Lock:
    """``2026-03-21T14:00Z`` (every account) or ``ACCOUNT=2026-03-21T14:00Z`` (one)."""
    account, sep, when = value.rpartition("=")
    stamp = when if sep else value
    try:
        at = datetime.fromisoformat(stamp.strip().replace("Z", "+00:00"))
    except ValueError:
        raise InputError(f"--locked {value!r}: expected a time (2026-03-21T14:00Z) or ACCOUNT=TIME") from None
    at = at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)
    return Lock(at, (account.strip() or None) if sep else None)


def read_trends(path: Path) -> list[Trend]:
    """Trend lines in the replay format (``{"type":"trend","network","at","terms"}``), one a line."""
    trends = []
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: cannot read the trends file ({exc})") from None
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
            at = datetime.fromisoformat(str(data["at"]).replace("Z", "+00:00"))
            terms = frozenset(str(t).casefold() for t in data["terms"])
            trends.append(Trend(str(data["network"]), at if at.tzinfo else at.replace(tzinfo=UTC), terms))
        except (json.JSONDecodeError, KeyError, TypeError, ValueError) as exc:
            raise InputError(
                f"{path}:{number}: expected a trend line with network, at and terms ({type(exc).__name__})"
            ) from None
    return trends


def posts_from_store(session: Transaction) -> tuple[list[HistoryPost], list[Lock]]:
    """What botwarden itself posted, and the locks it met (its ``account_stopped`` events)."""
    from botwarden.store import reads

    posts = [
        HistoryPost(
            f"store-{post.id}",
            post.account_id,
            network,
            post.at,
            post.text,
            (post.link,) if post.link else (),
            source="store",
        )
        for post, network in reads.posted(session)
    ]
    locks = [
        Lock(at, account, message)
        for at, account, message in reads.events_of_kind(session, "account_stopped")
        if account
    ]
    return posts, locks
