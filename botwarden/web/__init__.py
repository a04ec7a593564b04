"""The HTTP service: the API other bot software calls, and the dashboard people use."""

from botwarden.web.app import create_app

__all__ = ["create_app"]
