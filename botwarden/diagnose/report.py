"""The diagnosis as a person reads it: a terminal summary, JSON, and a self-contained HTML page with charts
(inline SVG and CSS: it opens offline, from a file, with nothing to fetch)."""

from __future__ import annotations

import html
import json
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from botwarden import __version__
from botwarden.diagnose.analyze import Analysis
from botwarden.diagnose.causes import Cause, LockReport, overall, per_day
from botwarden.diagnose.model import HistoryPost

CAVEAT = (
    "The platforms publish no spam thresholds: what follows are botwarden's rule patterns, ranked by how "
    "much more often they showed before each lock than before that. They are likely explanations, not the "
    "platform's classifier."
)
NOTHING_BEFORE_LOCK = (
    "No rule pattern showed more often in them than before: botwarden's rules do not explain this lock "
    "(it may have been a report by users, a platform's own limit, or something outside these posts)."
)
NOTHING_AT_ALL = "None of botwarden's rules found anything in these posts."
PALETTE = ("#2563eb", "#dc2626", "#059669", "#d97706", "#7c3aed", "#db2777", "#0891b2", "#4b5563")


@dataclass(slots=True)
class Diagnosis:
    analysis: Analysis
    locks: list[LockReport]
    sources: list[str]

    @property
    def ranked(self) -> list[Cause]:
        return overall(self.analysis)


# -- terminal -----------------------------------------------------------------------------------------


def print_summary(diagnosis: Diagnosis, console: Console, *, top: int = 5) -> None:
    a = diagnosis.analysis
    if not a.posts:
        console.print("No posts in the export(s).")
        return
    console.print(
        f"[bold]{len(a.posts):,} posts[/] of {len(a.accounts)} account(s) "
        f"({', '.join(a.accounts)}), {a.posts[0].at:%Y-%m-%d} to {a.posts[-1].at:%Y-%m-%d}; "
        f"{len(a.flags):,} findings."
    )
    console.print(f"[dim]{CAVEAT}[/]\n")
    for report in diagnosis.locks:
        console.rule(f"[bold red]locked[/] {report.account} at {report.lock.at:%Y-%m-%d %H:%M} UTC")
        if not report.causes:
            console.print(
                f"{report.posts_in_window} post(s) in the 72 hours before. {NOTHING_BEFORE_LOCK}",
                highlight=False,
            )
            continue
        console.print(
            f"{report.posts_in_window} post(s) in the 72 hours before; likely causes, most likely first:"
        )
        console.print(_cause_table(report.causes[:top]))
    console.rule("[bold]Patterns over the whole history[/]")
    if not diagnosis.ranked:
        console.print(NOTHING_AT_ALL, highlight=False)
        return
    console.print(_cause_table(diagnosis.ranked[:top], baseline=False))


def _cause_table(causes: list[Cause], *, baseline: bool = True) -> Table:
    """The causes; ``baseline`` adds the rate before the window (a whole history has no "before")."""
    headers = ["#", "pattern", "in window" if baseline else "count", "per day"]
    headers += ["before, per day"] if baseline else []
    table = Table(*headers, "what it looks like", expand=True)
    for rank, cause in enumerate(causes, start=1):
        example = cause.examples[-1] if cause.examples else None
        seen = escape(cause.message) + (
            f"\n[dim]{example.at:%m-%d %H:%M} {escape(example.account)}: {escape(example.text[:90])}[/]"
            if example
            else ""
        )
        rates = [f"{cause.window_per_day:.1f}"] + ([f"{cause.baseline_per_day:.1f}"] if baseline else [])
        table.add_row(str(rank), f"{cause.code}\n[dim]{cause.slug}[/]", str(cause.in_window), *rates, seen)
    return table


# -- JSON ---------------------------------------------------------------------------------------------


def to_json(diagnosis: Diagnosis) -> dict[str, Any]:
    a = diagnosis.analysis
    return {
        "botwarden": __version__,
        "caveat": CAVEAT,
        "sources": diagnosis.sources,
        "posts": len(a.posts),
        "accounts": a.accounts,
        "first": a.posts[0].at.isoformat() if a.posts else None,
        "last": a.posts[-1].at.isoformat() if a.posts else None,
        "locks": [
            {
                "account": r.account,
                "at": r.lock.at.isoformat(),
                "window_start": r.window_start.isoformat(),
                "posts_in_window": r.posts_in_window,
                "causes": [_cause_json(c) for c in r.causes],
            }
            for r in diagnosis.locks
        ],
        "patterns": [_cause_json(c) for c in diagnosis.ranked],
        "findings_per_day": {day.isoformat(): dict(codes) for day, codes in per_day(a).items()},
        "rhythm": {
            account: {
                "gaps": r.gaps,
                "typical_gap_seconds": r.typical_gap.total_seconds(),
                "share_on_beat": round(r.share, 3),
                "spread": round(r.spread, 3),
                "machine_regular": r.machine_regular,
            }
            for account, r in sorted(a.rhythms.items())
        },
        "duplicate_clusters": [
            [
                {
                    "id": post.id,
                    "account": post.account,
                    "at": post.at.isoformat(),
                    "text": post.text,
                    "copies": earlier.id if earlier else None,
                    "similarity": round(score, 3),
                }
                for post, earlier, score in cluster
            ]
            for cluster in a.clusters
        ],
    }


def _cause_json(cause: Cause) -> dict[str, Any]:
    return {
        "code": cause.code,
        "slug": cause.slug,
        "message": cause.message,
        "count": cause.in_window,
        "per_day": round(cause.window_per_day, 3),
        "baseline_per_day": round(cause.baseline_per_day, 3),
        "score": round(cause.score, 3),
        "examples": [_post_json(p) for p in cause.examples],
    }


def _post_json(post: HistoryPost) -> dict[str, Any]:
    return {"id": post.id, "account": post.account, "at": post.at.isoformat(), "text": post.text}


def dumps(diagnosis: Diagnosis) -> str:
    return json.dumps(to_json(diagnosis), ensure_ascii=False, indent=2)


# -- HTML ---------------------------------------------------------------------------------------------


def to_html(diagnosis: Diagnosis) -> str:
    a = diagnosis.analysis
    colours = {account: PALETTE[i % len(PALETTE)] for i, account in enumerate(a.accounts)}
    sections = [
        f"<h1>Why was it locked? <small>botwarden diagnose</small></h1>"
        f"<p class=lede>{len(a.posts):,} posts of {len(a.accounts)} account(s)"
        + (f", {a.posts[0].at:%Y-%m-%d} to {a.posts[-1].at:%Y-%m-%d}" if a.posts else "")
        + f"; {len(a.flags):,} findings.</p><p class=caveat>{html.escape(CAVEAT)}</p>",
        _legend(colours),
    ]
    for report in diagnosis.locks:
        sections.append(
            f"<h2>Locked: {html.escape(report.account)} at {report.lock.at:%Y-%m-%d %H:%M} UTC</h2>"
            f"<p>{report.posts_in_window} post(s) in the 72 hours before. "
            + (
                "Likely causes, most likely first:</p>" + _causes_html(report.causes[:8], colours)
                if report.causes
                else f"{html.escape(NOTHING_BEFORE_LOCK)}</p>"
            )
        )
    lock_times = [r.lock.at for r in diagnosis.locks]
    sections.append("<h2>Posts per " + _bin_name(a) + "</h2>" + _posts_chart(a, colours, lock_times))
    sections.append("<h2>Findings over time</h2>" + _findings_chart(a, lock_times))
    sections.append(
        "<h2>Duplicate clusters</h2><p>Each row is one story posted more than once: a dot per post "
        "(coloured by account) at its time, joined to the post it copies, with the similarity.</p>"
        + _cluster_map(a, colours)
    )
    overall_html = (
        _causes_html(diagnosis.ranked[:10], colours, baseline=False)
        if diagnosis.ranked
        else f"<p>{html.escape(NOTHING_AT_ALL)}</p>"
    )
    sections.append("<h2>Patterns over the whole history</h2>" + overall_html)
    title = "botwarden diagnose: " + ", ".join(a.accounts)
    return (
        f"<!doctype html><html lang=en><meta charset=utf-8><title>{html.escape(title)}</title>"
        f"<meta name=viewport content='width=device-width,initial-scale=1'><style>{_CSS}</style>"
        f"<main>{''.join(sections)}<footer>botwarden {__version__} · sources: "
        f"{html.escape(', '.join(diagnosis.sources))}</footer></main></html>\n"
    )


_CSS = """
body{font:15px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;color:#111827;
background:#f9fafb;margin:0}
main{max-width:1100px;margin:0 auto;padding:24px}
h1{font-size:26px;margin:0 0 8px} h1 small{font-size:14px;color:#6b7280;font-weight:400}
h2{font-size:19px;margin:28px 0 8px;border-bottom:1px solid #e5e7eb;padding-bottom:4px}
.lede{font-size:16px}.caveat{background:#fff7ed;border:1px solid #fed7aa;padding:8px 12px;border-radius:6px}
table{border-collapse:collapse;width:100%;background:#fff;border:1px solid #e5e7eb}
th,td{text-align:left;padding:6px 8px;border-bottom:1px solid #f3f4f6;vertical-align:top}
th{background:#f3f4f6;font-weight:600}.num{text-align:right;font-variant-numeric:tabular-nums}
.code{font-family:ui-monospace,Menlo,monospace;font-weight:600}.slug{color:#6b7280;font-size:13px}
.post{color:#374151;font-size:13px;margin-top:4px}.when{color:#6b7280}
svg{background:#fff;border:1px solid #e5e7eb;width:100%;height:auto}
.legend span{display:inline-block;margin-right:14px}.legend i{display:inline-block;width:10px;height:10px;
border-radius:50%;margin-right:4px}
footer{margin-top:32px;color:#6b7280;font-size:13px}
"""


def _legend(colours: dict[str, str]) -> str:
    items = "".join(
        f"<span><i style='background:{c}'></i>{html.escape(account)}</span>" for account, c in colours.items()
    )
    return f"<p class=legend>{items}</p>"


def _causes_html(causes: list[Cause], colours: dict[str, str], *, baseline: bool = True) -> str:
    if not causes:
        return "<p>Nothing stands out.</p>"
    rows = []
    for rank, cause in enumerate(causes, start=1):
        posts = "".join(
            f"<div class=post><span class=when>{p.at:%Y-%m-%d %H:%M}</span> "
            f"<b style='color:{colours.get(p.account, '#111')}'>{html.escape(p.account)}</b>: "
            f"{html.escape(p.text[:200])}</div>"
            for p in cause.examples[-3:]
        )
        rows.append(
            f"<tr><td class=num>{rank}</td><td><span class=code>{html.escape(cause.code)}</span><br>"
            f"<span class=slug>{html.escape(cause.slug)}</span></td><td class=num>{cause.in_window}</td>"
            f"<td class=num>{cause.window_per_day:.1f}</td>"
            + (f"<td class=num>{cause.baseline_per_day:.1f}</td>" if baseline else "")
            + f"<td>{html.escape(cause.message)}{posts}</td></tr>"
        )
    return (
        "<table><tr><th>#</th><th>pattern</th><th>count</th><th>per day</th>"
        + ("<th>before, per day</th>" if baseline else "")
        + f"<th>what it looks like</th></tr>{''.join(rows)}</table>"
    )


def _bin(a: Analysis) -> timedelta:
    span = a.posts[-1].at - a.posts[0].at if a.posts else timedelta(0)
    return timedelta(hours=1) if span <= timedelta(days=7) else timedelta(days=1)


def _bin_name(a: Analysis) -> str:
    return "hour" if _bin(a) == timedelta(hours=1) else "day"


def _bins(a: Analysis) -> tuple[datetime, timedelta, int]:
    size = _bin(a)
    start = a.posts[0].at.replace(minute=0, second=0, microsecond=0)
    if size == timedelta(days=1):
        start = start.replace(hour=0)
    count = int((a.posts[-1].at - start) / size) + 1
    return start, size, max(count, 1)


_W, _H, _PAD = 1000, 220, 36


def _frame(count: int, peak: int, start: datetime, size: timedelta, locks: list[datetime]) -> list[str]:
    parts = [f"<line x1={_PAD} y1={_H - _PAD} x2={_W - 8} y2={_H - _PAD} stroke='#9ca3af' />"]
    parts.append(f"<text x=4 y={_PAD - 6} font-size=11 fill='#6b7280'>{peak}</text>")
    for tick in range(0, count, max(count // 8, 1)):
        x = _PAD + (_W - _PAD - 8) * tick / count
        label = (start + size * tick).strftime("%m-%d %H:00" if size < timedelta(days=1) else "%Y-%m-%d")
        parts.append(f"<text x={x:.1f} y={_H - 14} font-size=11 fill='#6b7280'>{label}</text>")
    for lock in locks:
        x = _PAD + (_W - _PAD - 8) * ((lock - start) / size) / count
        if _PAD <= x <= _W:
            # The label sits above the axis, on whichever side of the line has room, so that the edge
            # of the chart never cuts it and the series' own labels at the top never cover it.
            near_edge = x > _W - 70
            label_x, anchor = (x - 4, "end") if near_edge else (x + 4, "start")
            parts.append(
                f"<line x1={x:.1f} y1=8 x2={x:.1f} y2={_H - _PAD} stroke='#dc2626' stroke-width=2 "
                f"stroke-dasharray='5 3' /><text x={label_x:.1f} y={_H - _PAD - 6} font-size=12 "
                f"fill='#dc2626' text-anchor={anchor}>locked</text>"
            )
    return parts


def _posts_chart(a: Analysis, colours: dict[str, str], locks: list[datetime]) -> str:
    if not a.posts:
        return "<p>No posts.</p>"
    start, size, count = _bins(a)
    counts: dict[str, Counter[int]] = {account: Counter() for account in a.accounts}
    for post in a.posts:
        counts[post.account][int((post.at - start) / size)] += 1
    totals = Counter[int]()
    for per_account in counts.values():
        totals.update(per_account)
    peak = max(totals.values())
    width = (_W - _PAD - 8) / count
    parts = _frame(count, peak, start, size, locks)
    base = Counter[int]()
    for account, per in counts.items():
        for slot, n in per.items():
            height = (_H - 2 * _PAD) * n / peak
            y = _H - _PAD - height - (_H - 2 * _PAD) * base[slot] / peak
            parts.append(
                f"<rect x={_PAD + slot * width:.1f} y={y:.1f} width={max(width - 1, 1):.1f} "
                f"height={height:.1f} fill='{colours[account]}'>"
                f"<title>{html.escape(account)}: {n}</title></rect>"
            )
            base[slot] += n
    return (
        f"<svg viewBox='0 0 {_W} {_H}' role=img aria-label='posts per {_bin_name(a)}'>{''.join(parts)}</svg>"
    )


def _findings_chart(a: Analysis, locks: list[datetime]) -> str:
    if not a.flags:
        return "<p>No findings.</p>"
    start, size, count = _bins(a)
    top = [code for code, _ in Counter(f.code for f in a.flags).most_common(6)]
    series = {code: Counter[int]() for code in top}
    for flag in a.flags:
        if flag.code in series:
            series[flag.code][int((flag.post.at - start) / size)] += 1
    peak = max(max(s.values(), default=0) for s in series.values()) or 1
    parts = _frame(count, peak, start, size, locks)
    step = (_W - _PAD - 8) / count
    for index, (code, per) in enumerate(series.items()):
        colour = PALETTE[index % len(PALETTE)]
        points = " ".join(
            f"{_PAD + (slot + 0.5) * step:.1f},{_H - _PAD - (_H - 2 * _PAD) * per.get(slot, 0) / peak:.1f}"
            for slot in range(count)
        )
        parts.append(f"<polyline points='{points}' fill=none stroke='{colour}' stroke-width=2 />")
        parts.append(
            f"<text x={_PAD + 40} y={22 + 14 * index} font-size=12 fill='{colour}'>{html.escape(code)}</text>"
        )
    return f"<svg viewBox='0 0 {_W} {_H}' role=img aria-label='findings over time'>{''.join(parts)}</svg>"


def _cluster_map(a: Analysis, colours: dict[str, str], limit: int = 12) -> str:
    clusters = a.clusters[:limit]
    if not clusters:
        return "<p>No duplicate or near-duplicate posts.</p>"
    first = min(rows[0][0].at for rows in clusters)
    last = max(rows[-1][0].at for rows in clusters)
    span = max((last - first).total_seconds(), 1.0)
    row_height = 34
    height = row_height * len(clusters) + 30
    parts = []

    def x_of(at: datetime) -> float:
        return 230 + (_W - 250) * (at - first).total_seconds() / span

    for index, rows in enumerate(clusters):
        y = 24 + index * row_height
        # The label stays left of the time axis (x 230): about 28 characters at this size.
        text = rows[0][0].text
        label = html.escape(text if len(text) <= 28 else text[:27].rstrip() + "…")
        parts.append(
            f"<text x=6 y={y + 4} font-size=12 fill='#374151'><title>{html.escape(text[:200])}</title>"
            f"{label}</text>"
        )
        spots = {post.id: x_of(post.at) for post, _, _ in rows}
        for post, earlier, score in rows:
            if earlier is not None and earlier.id in spots:
                x1, x2 = spots[earlier.id], spots[post.id]
                parts.append(
                    f"<line x1={x1:.1f} y1={y} x2={x2:.1f} y2={y} stroke='#9ca3af' stroke-width=2>"
                    f"<title>{score:.0%} similar</title></line>"
                )
                if abs(x2 - x1) >= 34:  # room for "100%" between the dots; closer ones keep it as a tooltip
                    parts.append(
                        f"<text x={(x1 + x2) / 2:.1f} y={y - 6} font-size=10 fill='#6b7280' "
                        f"text-anchor=middle>{score:.0%}</text>"
                    )
        for post, _, _ in rows:
            parts.append(
                f"<circle cx={spots[post.id]:.1f} cy={y} r=6 fill='{colours.get(post.account, '#111')}'>"
                f"<title>{html.escape(post.account)} {post.at:%Y-%m-%d %H:%M}: {html.escape(post.text[:120])}"
                "</title></circle>"
            )
    parts.append(
        f"<text x=230 y={height - 6} font-size=11 fill='#6b7280'>{first:%Y-%m-%d %H:%M}</text>"
        f"<text x={_W - 20} y={height - 6} font-size=11 fill='#6b7280' text-anchor=end>"
        f"{last:%Y-%m-%d %H:%M}</text>"
    )
    return f"<svg viewBox='0 0 {_W} {height}' role=img aria-label='duplicate clusters'>{''.join(parts)}</svg>"
