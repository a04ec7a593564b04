"""Reading two of X's answers that are not about one post: which looked-up posts are gone (content
retention), and the usage report (``GET /2/usage/tweets``), in the shapes the X API v2 spec gives them."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from botwarden.networks.base import UsageReport
from botwarden.networks.http import network_time

# Problems that say a post or message is no longer there for this app to show: deleted, withheld or
# suspended, or now protected. Each means stored copies must go (X Developer Policy).
_GONE = ("resource-not-found", "resource-unavailable", "not-authorized-for-resource")


def gone_ids(body: Mapping[str, Any], asked: Iterable[str]) -> set[str]:
    """Of the ids ``asked`` for, those the answer's ``errors`` say are gone."""
    wanted = set(asked)
    gone = set()
    for error in body.get("errors") or []:
        if not isinstance(error, dict):
            continue
        kind = str(error.get("type") or "").rstrip("/").rsplit("/", 1)[-1]
        resource = str(error.get("resource_id") or error.get("value") or "")
        if kind in _GONE and resource in wanted:
            gone.add(resource)
    return gone


def usage_report(body: Mapping[str, Any], client_app_id: str = "") -> UsageReport:
    """The report's posts per UTC day: the client app's when ``client_app_id`` names one it lists,
    else the project's; with the project's monthly cap and its reset day."""
    data = body.get("data") or {}
    daily, scope = _daily(data.get("daily_project_usage") or {}), "project"
    if client_app_id:
        for app in data.get("daily_client_app_usage") or []:
            if isinstance(app, dict) and str(app.get("client_app_id")) == client_app_id:
                daily, scope = _daily(app), f"client app {client_app_id}"
                break
    return UsageReport(
        daily=daily,
        scope=scope,
        cap=_number(data.get("project_cap")),
        used=_number(data.get("project_usage")),
        cap_reset_day=_number(data.get("cap_reset_day")),
    )


def _daily(entries: Mapping[str, Any]) -> dict[str, int]:
    days: dict[str, int] = {}
    for entry in entries.get("usage") or []:
        if not isinstance(entry, dict):
            continue
        when = network_time(str(entry.get("date") or ""))
        count = _number(entry.get("usage"))
        if when is not None:
            day = when.date().isoformat()
            days[day] = days.get(day, 0) + (count or 0)
    return days


def _number(value: Any) -> int | None:
    """X sends counts as strings ("1234") or numbers; anything else is unknown."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    try:
        return int(str(value))
    except ValueError:
        return None
