"""The dashboard's setup pages: add a feed and route it to an account, change a route (template, first run,
filters, hashtags, pacing) or a feed (address, interval). Every change is written to the configuration file,
which stays the source of truth (``botwarden.configfile``: comments kept, the same validation as the file
itself, so a page can never save what ``botwarden run`` would refuse); the service then serves from it and
a worker picks it up at its next pass.

An operator sees and changes only the routes of its own accounts, and a feed only when every route from
it goes to one of them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from botwarden.config import FILTER_FIELDS, Config, RouteConfig
from botwarden.configfile import ConfigFile, feed_id_for
from botwarden.errors import ConfigError
from botwarden.store.tokens import Principal
from botwarden.web.app import use_config
from botwarden.web.dashboard import Person, check_csrf, page
from botwarden.web.errors import ApiError

router = APIRouter(include_in_schema=False)
FIRST_RUN = ("", "newest", "none", "all")
Text = Annotated[str, Form()]


@router.post("/feeds/new")
def add_feed(
    request: Request,
    who: Person,
    csrf: Text,
    url: Text,
    account: Text,
    feed_id: Text = "",
    template: Text = "",
    first_run: Text = "",
) -> Response:
    check_csrf(request, csrf)
    config = _config(request)
    _own_account(config, who, account)
    form = {"url": url, "feed_id": feed_id, "account": account, "template": template, "first_run": first_run}
    try:
        document = _document(config)
        existing = document.feed_with_url(url.strip())
        new_id = existing or feed_id.strip() or feed_id_for(url.strip(), {f["id"] for f in document.feeds()})
        if existing is None:
            document.add_feed({"id": new_id, "url": url.strip()})
        route = {"feed": new_id, "account": account, "template": template.strip() or None}
        document.add_route(route | {"first_run": first_run or None})
        _save(request, document)
    except ConfigError as exc:
        return feeds_page(request, who, error=str(exc), form=form, status=400)
    return RedirectResponse(f"/feeds?added={quote(f'{new_id}->{account}')}", status_code=303)


@router.get("/routes/{route_id}/edit")
def edit_route_form(request: Request, route_id: str, who: Person) -> HTMLResponse:
    route = _own_route(_config(request), who, route_id)
    return _route_page(request, who, route, _route_form(route))


@router.get("/feeds/{feed_id}/edit")
def edit_feed_form(request: Request, feed_id: str, who: Person) -> HTMLResponse:
    config = _config(request)
    feed = _own_feed(config, who, feed_id)
    form = {"url": feed.url, "interval_minutes": str(feed.interval_minutes or "")}
    return page(request, "feed_edit.html", who, feed=feed, form=form, error="")


@router.post("/feeds/{feed_id}/edit")
def edit_feed(
    request: Request, feed_id: str, who: Person, csrf: Text, url: Text, interval_minutes: Text = ""
) -> Response:
    check_csrf(request, csrf)
    config = _config(request)
    feed = _own_feed(config, who, feed_id)
    form = {"url": url, "interval_minutes": interval_minutes}
    try:
        document = _document(config)
        document.update_feed(
            feed.id, {"url": url.strip(), "interval_minutes": _number(interval_minutes, "interval")}
        )
        _save(request, document)
    except ConfigError as exc:
        return page(request, "feed_edit.html", who, feed=feed, form=form, error=str(exc), status_code=400)
    return RedirectResponse(f"/feeds?changed={quote(feed.id)}", status_code=303)


# -- the feeds page -----------------------------------------------------------------------------------


def feeds_page(
    request: Request,
    who: Principal,
    *,
    error: str = "",
    form: dict[str, str] | None = None,
    status: int = 200,
) -> HTMLResponse:
    """The feeds behind the operator's routes, the routes, and the form that adds one."""
    from botwarden.web.api import feeds as feed_list
    from botwarden.web.api import visible_routes

    config = request.app.state.config
    with request.app.state.sessions() as session:
        feeds = feed_list(who, session)
        routes = visible_routes(session, who)
    accounts = sorted(a.id for a in config.accounts.values() if who.may_see(a.operator))
    return page(
        request,
        "feeds.html",
        who,
        feeds=feeds,
        routes=[(r, r.id in config.routes) for r in routes],
        accounts=accounts,
        editable=_editable(config),
        form=form or {},
        error=error,
        notice=_notice(request),
        status_code=status,
    )


def _notice(request: Request) -> str:
    added, changed = request.query_params.get("added"), request.query_params.get("changed")
    if added:
        return f"Route {added} added to the configuration; the worker takes it up at its next pass."
    if changed:
        return f"{changed} changed in the configuration; the worker takes it up at its next pass."
    return ""


# -- routes -------------------------------------------------------------------------------------------


@router.post("/routes/{route_id}/edit")
async def save_route(request: Request, route_id: str, who: Person) -> Response:
    form = {k: str(v) for k, v in (await request.form()).items()}
    check_csrf(request, form.get("csrf", ""))
    config = _config(request)
    route = _own_route(config, who, route_id)
    try:
        changes = _route_changes(form)
        document = _document(config)
        document.update_route(route.id, changes)
        _save(request, document)
    except ConfigError as exc:
        return _route_page(request, who, route, form, error=str(exc), status=400)
    return RedirectResponse(f"/feeds?changed={quote(route.id)}", status_code=303)


def _route_page(
    request: Request,
    who: Principal,
    route: RouteConfig,
    form: dict[str, str],
    *,
    error: str = "",
    status: int = 200,
) -> HTMLResponse:
    return page(
        request,
        "route_edit.html",
        who,
        route=route,
        form=form,
        error=error,
        fields=FILTER_FIELDS,
        first_runs=FIRST_RUN,
        status_code=status,
    )


def _route_form(route: RouteConfig) -> dict[str, str]:
    """The route as the form shows it."""
    p, h, f = route.pacing, route.hashtags, route.filters
    return {
        "template": route.template,
        "first_run": route.first_run or "",
        "include": _lines(f.include),
        "exclude": _lines(f.exclude),
        "max_age_hours": _shown(f.max_age_hours),
        "from_categories": "on" if h.from_categories else "",
        "hashtags_max": str(h.max),
        "fixed": ", ".join(h.fixed),
        "min_interval_minutes": _shown(p.min_interval_minutes),
        "burst_max": _shown(p.burst_max),
        "burst_window_minutes": _shown(p.burst_window_minutes),
        "daily_cap": _shown(p.daily_cap),
        "quiet_hours": p.quiet_hours or "",
        "timezone": p.timezone,
    }


def _route_changes(form: dict[str, str]) -> dict[str, Any]:
    """What the form says of the route, in the configuration's shape (empty fields: the default)."""
    filters = {
        "include": _patterns(form.get("include", ""), "include"),
        "exclude": _patterns(form.get("exclude", ""), "exclude"),
        "max_age_hours": _number(form.get("max_age_hours", ""), "max age", float),
    }
    hashtags = {
        "from_categories": form.get("from_categories") == "on",
        "max": _number(form.get("hashtags_max", ""), "hashtags max"),
        "fixed": [t.strip().lstrip("#") for t in form.get("fixed", "").split(",") if t.strip()],
    }
    pacing = {
        name: _number(form.get(name, ""), name.replace("_", " "))
        for name in ("min_interval_minutes", "burst_max", "burst_window_minutes", "daily_cap")
    }
    pacing |= {"quiet_hours": form.get("quiet_hours", "").strip() or None}
    pacing |= {"timezone": form.get("timezone", "").strip() or None}
    first_run = form.get("first_run", "")
    if first_run not in FIRST_RUN:
        raise ConfigError(f"first run must be newest, none or all, not {first_run!r}")
    return {
        "template": form.get("template", "").strip() or None,
        "first_run": first_run or None,
        "filters": _present(filters),
        "hashtags": _present(hashtags),
        "pacing": _present(pacing),
    }


def _patterns(text: str, which: str) -> dict[str, list[str]]:
    """``field: pattern`` lines into {field: [patterns]}."""
    found: dict[str, list[str]] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        field, sep, pattern = line.partition(":")
        field = field.strip().lower()
        if not sep or field not in FILTER_FIELDS or not pattern.strip():
            raise ConfigError(
                f"{which}, line {number}: write 'field: pattern' with a field of {', '.join(FILTER_FIELDS)} "
                f"(not {line.strip()!r})"
            )
        found.setdefault(field, []).append(pattern.strip())
    return found


def _lines(patterns: dict[Any, list[str]]) -> str:
    return "\n".join(f"{field}: {pattern}" for field, values in patterns.items() for pattern in values)


def _present(values: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in values.items() if v not in (None, {}, [])}


def _number(text: str, what: str, kind: type = int) -> Any:
    text = text.strip()
    if not text:
        return None
    try:
        return kind(text)
    except ValueError:
        raise ConfigError(f"{what} must be a number, not {text!r}") from None


def _shown(value: object) -> str:
    return "" if value is None else f"{value:g}" if isinstance(value, float) else str(value)


# -- who may change what ------------------------------------------------------------------------------


def _config(request: Request) -> Config:
    """The configuration as the file now holds it (another process may have changed it)."""
    config: Config = request.app.state.config
    path = Path(config.source)
    stamp = path.stat().st_mtime_ns if path.is_file() else None
    if stamp is not None and stamp != getattr(request.app.state, "config_stamp", stamp):
        fresh = ConfigFile.load(path).validated()
        use_config(request.app, fresh)
        config = fresh
    request.app.state.config_stamp = stamp
    return config


def _editable(config: Config) -> bool:
    return Path(config.source).is_file()


def _document(config: Config) -> ConfigFile:
    if not _editable(config):
        raise ConfigError(
            f"this service was not started from a configuration file ({config.source}), so the dashboard "
            "cannot change it"
        )
    return ConfigFile.load(Path(config.source))


def _save(request: Request, document: ConfigFile) -> None:
    config = document.save()
    use_config(request.app, config)
    request.app.state.config_stamp = document.path.stat().st_mtime_ns


def _own_account(config: Config, who: Principal, account: str) -> None:
    found = config.accounts.get(account)
    if found is None or not who.may_see(found.operator):
        raise ApiError(404, f"no account '{account}' in the configuration here")


def _own_route(config: Config, who: Principal, route_id: str) -> RouteConfig:
    route = config.routes.get(route_id)
    if route is None or not who.may_see(config.accounts[route.account].operator):
        raise ApiError(404, f"no route '{route_id}' here")
    return route


def _own_feed(config: Config, who: Principal, feed_id: str) -> Any:
    feed = config.feeds.get(feed_id)
    routes = [r for r in config.routes.values() if r.feed == feed_id]
    if (
        feed is None
        or not routes
        or not all(who.may_see(config.accounts[r.account].operator) for r in routes)
    ):
        raise ApiError(404, f"no feed '{feed_id}' here")
    return feed
