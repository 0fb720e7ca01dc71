"""The confirm step before a wide or irreversible action (issue 14.13: release now, refuse a place, "past niet",
withdraw a place), without JavaScript: the first post of the form answers with a page that says what will
happen and posts the same fields again with `confirmed=1`; only that second post acts. A link goes back
without doing anything. Our Content-Security-Policy allows no inline script, so this works in every browser.

Views call `needs_confirmation()` first and return `confirm_page(...)` when it is true. Imports Flask and the
shared page helpers.
"""

from __future__ import annotations

from flask import Response, request

from .pages import render

CONFIRM_FIELD = "confirmed"


def needs_confirmation() -> bool:
    """True while the posted form has not been confirmed yet."""
    return request.form.get(CONFIRM_FIELD) != "1"


def confirm_page(title: str, message: str, yes: str, back_url: str, back: str) -> Response:
    """The confirm step: `message` says what happens; `yes` posts the same form again, confirmed.

    Args:
        title: the page's heading (a question).
        message: what the action does and what cannot be undone.
        yes: the text of the button that does it.
        back_url: where "back" leads (nothing is done).
        back: the text of that link.
    """
    fields = [(name, value) for name, value in request.form.items(multi=True)
              if name not in ("csrf_token", CONFIRM_FIELD)]
    return render("stagepool/confirm.html", title=title, message=message, yes=yes, back_url=back_url, back=back,
                  fields=fields, action=request.full_path.rstrip("?"))
