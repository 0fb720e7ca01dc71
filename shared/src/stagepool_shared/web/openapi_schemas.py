"""The schemas every service's edge shares: `StrictSchema`, the base of a request body or form that refuses
unknown fields, and the error body of `stagepool_shared.http.error` in the OpenAPI documents.
Imports marshmallow only, so a service's edge schemas may derive from them.
"""

from __future__ import annotations

from marshmallow import RAISE, Schema, fields


class StrictSchema(Schema):
    """A request body or form: a field it does not declare is an error (422 naming the field), never ignored."""

    class Meta:
        unknown = RAISE


class ErrorOut(Schema):
    """Every 4xx/5xx JSON answer: a stable code, a message in the caller's language, messages per field."""

    error = fields.String(required=True)
    message = fields.String(required=True)
    fields_ = fields.Dict(data_key="fields")
