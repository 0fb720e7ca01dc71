"""The answer schemas every service's OpenAPI document shares: the error body of `stagepool_shared.http.error`.
Imports marshmallow only, so a service's edge schemas may derive from them.
"""

from __future__ import annotations

from marshmallow import Schema, fields


class ErrorOut(Schema):
    """Every 4xx/5xx JSON answer: a stable code, a message in the caller's language, messages per field."""

    error = fields.String(required=True)
    message = fields.String(required=True)
    fields_ = fields.Dict(data_key="fields")
