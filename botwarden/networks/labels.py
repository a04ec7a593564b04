"""Bluesky moderation labels: which of the labels on an account and its posts are a moderation
service's judgement of it (https://docs.bsky.app/docs/advanced-guides/moderation), rather than the
account's own self-labels, a label since negated, or one that expired."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import datetime

from botwarden.networks.http import network_time


@dataclass(frozen=True, slots=True)
class SeenLabel:
    """A label as the AppView returns it (``com.atproto.label.defs#label``)."""

    val: str
    src: str
    uri: str
    cts: str = ""
    neg: bool = False
    exp: str = ""


def moderation_labels(
    labels: Iterable[SeenLabel], own_did: str, now: datetime, ignored: Collection[str] = ()
) -> list[SeenLabel]:
    """The labels in force that a labeler other than the account put on it or its posts, oldest first;
    values in ``ignored`` are left out. A negation label cancels the label it names."""
    seen = list(labels)
    negated = {(label.src, label.uri, label.val) for label in seen if label.neg}
    kept: dict[tuple[str, str, str], SeenLabel] = {}
    for label in seen:
        key = (label.src, label.uri, label.val)
        if label.neg or key in negated or label.src == own_did or label.val in ignored:
            continue
        expires = network_time(label.exp) if label.exp else None
        if expires is not None and expires <= now:
            continue
        kept.setdefault(key, label)
    return sorted(kept.values(), key=lambda label: label.cts)


def describe(labels: list[SeenLabel], own_did: str) -> str:
    """The labels in a sentence: what, by whom, on what."""
    parts = []
    for label in labels[:5]:
        target = "the account" if label.uri in (own_did, f"at://{own_did}") else label.uri
        parts.append(f"'{label.val}' from {label.src} on {target}")
    more = f" and {len(labels) - 5} more" if len(labels) > 5 else ""
    return "; ".join(parts) + more
