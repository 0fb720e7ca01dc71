"""Intake's pages (server-rendered, on the shared web layer): school staff and organisation staff."""

from __future__ import annotations

from flask import Flask

from . import organisation, school


def register_pages(app: Flask) -> None:
    """Add the school and organisation pages to intake's app (after `install_web`)."""
    app.register_blueprint(school.bp)
    app.register_blueprint(organisation.bp)
