"""Logs for a service: one line per event, times in ISO 8601 UTC, as text or as one JSON object a line.

``run``, ``worker`` and ``serve`` log through here (``--log-level``, ``--log-format``). Nothing is wrapped
to a terminal's width, so a journal or a log shipper gets each event whole; libraries' own chatter
(migrations, HTTP clients, the server) is left out unless the level is ``debug``.
"""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime
from typing import IO, Any

LEVELS = ("debug", "info", "warning", "error")
FORMATS = ("text", "json")
# Loggers of the libraries botwarden uses, quiet below WARNING unless a person asks for debug.
LIBRARIES = ("alembic", "httpx", "httpcore", "uvicorn", "uvicorn.error", "uvicorn.access", "asyncio", "numba")
# What ``serve`` hands to the server processes it spawns, which configure their own logging.
LEVEL_ENV, FORMAT_ENV = "BOTWARDEN_LOG_LEVEL", "BOTWARDEN_LOG_FORMAT"
# The attributes every LogRecord has; anything else was passed in ``extra`` and goes into the JSON.
_STANDARD = frozenset(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime"}


def utc_time(record: logging.LogRecord) -> str:
    """The record's time in ISO 8601, UTC, to the millisecond."""
    at = datetime.fromtimestamp(record.created, UTC)
    return at.isoformat(timespec="milliseconds").replace("+00:00", "Z")


class TextFormatter(logging.Formatter):
    """``2026-03-21T09:05:00.000Z WARNING botwarden.runtime: message`` on one line (line breaks in a message
    are written as ``\\n``)."""

    def format(self, record: logging.LogRecord) -> str:
        message = record.getMessage()
        if record.exc_info:
            message += "\n" + self.formatException(record.exc_info)
        one_line = message.replace("\r", "").replace("\n", "\\n")
        return f"{utc_time(record)} {record.levelname} {record.name}: {one_line}"


class JsonFormatter(logging.Formatter):
    """One JSON object a line: ``time``, ``level``, ``logger``, ``message`` and any ``extra`` fields."""

    def format(self, record: logging.LogRecord) -> str:
        body: dict[str, Any] = {
            "time": utc_time(record),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD and not key.startswith("_"):
                body[key] = value
        if record.exc_info:
            body["exception"] = self.formatException(record.exc_info)
        return json.dumps(body, ensure_ascii=False, default=str)


def checked_level(level: str) -> str:
    from botwarden.errors import InputError

    if level.lower() not in LEVELS:
        raise InputError(f"--log-level must be one of {', '.join(LEVELS)}, not {level!r}")
    return level.lower()


def checked_format(format_: str) -> str:
    from botwarden.errors import InputError

    if format_.lower() not in FORMATS:
        raise InputError(f"--log-format must be text or json, not {format_!r}")
    return format_.lower()


def configure(level: str = "info", format_: str = "text", stream: IO[str] | None = None) -> None:
    """Send every log record at ``level`` or above to ``stream`` (stderr) in ``format_``."""
    level, format_ = checked_level(level), checked_format(format_)
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(JsonFormatter() if format_ == "json" else TextFormatter())
    numeric = getattr(logging, level.upper())
    logging.basicConfig(level=numeric, handlers=[handler], force=True)
    for name in LIBRARIES:
        logging.getLogger(name).setLevel(numeric if level == "debug" else max(numeric, logging.WARNING))
