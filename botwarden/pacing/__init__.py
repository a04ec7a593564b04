"""Pacing: when an account may post next."""

from botwarden.pacing.policy import PacingPolicy, QuietHours, settings_pacing

__all__ = ["PacingPolicy", "QuietHours", "settings_pacing"]
