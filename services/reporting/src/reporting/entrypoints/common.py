"""Small helpers the blueprints share: the bootstrapped Reporting of the app, the token store, the caller.

Imports flask and stagepool_shared only.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from flask import current_app

from stagepool_shared.auth import Principal, TokenStore
from stagepool_shared.http import bearer_token

if TYPE_CHECKING:
    from ..bootstrap import Reporting


def reporting() -> "Reporting":
    return current_app.extensions["reporting"]


def tokens() -> TokenStore:
    return reporting().tokens


def caller() -> Principal | None:
    """The principal of the request's token, None when there is none or it is unknown."""
    return tokens().lookup(bearer_token())
