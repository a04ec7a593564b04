"""The scenario replay of `botwarden check --replay` (format: RULES.md)."""

from botwarden.replay.run import Replay, read_lines

__all__ = ["Replay", "read_lines"]
