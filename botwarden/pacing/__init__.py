"""Pacing: when an account may post next, within what the networks allow."""

from botwarden.pacing.budgets import Window, app_windows, daily_caps, media_windows, post_windows
from botwarden.pacing.policy import PacingPolicy, QuietHours

__all__ = [
    "PacingPolicy",
    "QuietHours",
    "Window",
    "app_windows",
    "daily_caps",
    "media_windows",
    "post_windows",
]
