"""Intake's pages (server-rendered, on the shared web layer): school staff, organisation staff, and the
student's catalogue (issue 15.2)."""

from __future__ import annotations

from flask import Flask

from . import organisation, planning, school, student, variants


def register_pages(app: Flask) -> None:
    """Add the school and organisation pages to intake's app (after `install_web`)."""
    app.register_blueprint(school.bp)
    app.register_blueprint(organisation.bp)
    app.register_blueprint(planning.bp)
    app.register_blueprint(student.bp)
    app.register_blueprint(variants.bp)
