"""Pacing: when an account may post next."""

from botwarden.pacing.policy import PacingPolicy, QuietHours

__all__ = ["PacingPolicy", "QuietHours"]
