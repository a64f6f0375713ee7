"""The ``orderbridge`` command line."""

from __future__ import annotations

from ._app import app, main

__all__ = ["app", "main"]
