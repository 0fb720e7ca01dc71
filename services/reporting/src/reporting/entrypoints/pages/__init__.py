"""Reporting's pages (server-rendered, behind the shared sign-in): the student's report form, the desk's case
pages, the organisation's follow-up, the coordinator's figures and students' stories. Each module holds one module-level
blueprint; `register_pages` adds them all to the app. Views parse the form, call a command and render.
"""

from __future__ import annotations

from flask import Flask

from . import aftercare, board, coordinator, desk, desk_sbb, followup, report, story


def register_pages(app: Flask) -> None:
    """Register every page blueprint on `app`."""
    for module in (coordinator, report, desk, desk_sbb, followup, story, aftercare, board):
        app.register_blueprint(module.blueprint)
