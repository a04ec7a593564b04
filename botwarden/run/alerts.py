"""Telling a person: every alert is an event in the audit trail, logged once when it is recorded (at ERROR
for a stopped account), and POSTed as JSON to the operator's webhook when one is set.

The webhook body has a Slack- and Mattermost-style ``text`` plus the fields a script would want. A webhook
that fails is logged and never stops the worker: the event is in the store's audit trail either way.
"""

from __future__ import annotations

import logging
from datetime import datetime

import httpx

log = logging.getLogger("botwarden.alerts")


class Alerter:
    def __init__(self, webhook_url: str = "", *, timeout: float = 5.0) -> None:
        self.webhook_url = webhook_url
        self.timeout = timeout

    def send(self, kind: str, account: str, message: str, at: datetime, **fields: str) -> None:
        # The event behind the alert is logged when it is recorded (store.events), once.
        if not self.webhook_url:
            return
        body = {
            "text": f"botwarden: {message}",
            "kind": kind,
            "account": account,
            "at": at.isoformat(),
            **fields,
        }
        try:
            answer = httpx.post(self.webhook_url, json=body, timeout=self.timeout)
            answer.raise_for_status()
        except httpx.HTTPError as exc:
            log.warning("alert webhook failed (%s); the alert is in the event log", type(exc).__name__)
