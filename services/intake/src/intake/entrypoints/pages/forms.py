"""Form plumbing of intake's pages: flat HTML form fields <-> the nested input the API schemas load, and
field-level messages keyed by form field name (translated), so every page validates exactly like the API.

Imports marshmallow, werkzeug's MultiDict type, the shared i18n, intake's errors and row converters; no Flask.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Mapping, Sequence

from marshmallow import Schema, ValidationError
from werkzeug.datastructures import MultiDict

from stagepool_shared.i18n import translate

from ...errors import CellError
from ..rows import _float, _int, _int_list, _list, flatten

REQUIRED = "Missing data for required field."


def _text(raw: str) -> str:
    return raw


CONVERTERS: dict[str, Callable[[str], Any]] = {
    "text": _text, "int": _int, "float": _float, "list": _list, "int_list": _int_list}


@dataclass(frozen=True)
class FormField:
    """One form field: its HTML name is the dotted path of the value in the input dict."""

    name: str
    kind: str = "text"  # text | int | float | list | int_list | bool

    @property
    def path(self) -> tuple[str, ...]:
        return tuple(self.name.split("."))


def _put(data: dict[str, Any], path: tuple[str, ...], value: Any) -> None:
    node = data
    for part in path[:-1]:
        node = node.setdefault(part, {})
    node[path[-1]] = value


def form_to_data(form: MultiDict, fields: Sequence[FormField]) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """The nested input of the filled-in fields (empty ones left out), and conversion errors by field."""
    data: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    for f in fields:
        raw = (form.get(f.name) or "").strip()
        if f.kind == "bool":
            _put(data, f.path, raw in ("on", "ja", "yes", "true", "1"))
            continue
        if not raw:
            continue
        try:
            _put(data, f.path, CONVERTERS[f.kind](raw))
        except CellError as err:
            errors[f.name] = [str(err)]
    return data, errors


def typed_values(form: MultiDict, fields: Sequence[FormField]) -> dict[str, str]:
    """What the person typed, by field name, to show again next to the messages."""
    return {f.name: (form.get(f.name) or "") for f in fields}


def values_of(data: Mapping[str, Any], fields: Sequence[FormField]) -> dict[str, str]:
    """Stored input (e.g. a place's payload) as form values, for an edit form."""
    values: dict[str, str] = {}
    for f in fields:
        node: Any = data
        for part in f.path:
            node = node.get(part) if isinstance(node, Mapping) else None
        if node is None:
            values[f.name] = ""
        elif f.kind == "bool":
            values[f.name] = "on" if node else ""
        elif isinstance(node, list):
            values[f.name] = ", ".join(str(v) for v in node)
        else:
            values[f.name] = str(node)
    return values


def field_for(path: str, fields: Sequence[FormField]) -> str:
    """The form field a message path belongs to ("crebos.0" -> "crebos", "wish.home" -> "wish.home.postcode")."""
    parts = tuple(p for p in path.split(".") if not p.isdigit())
    names = [f.name for f in fields]
    joined = ".".join(parts)
    if joined in names:
        return joined
    return next((n for n in names if n.startswith(joined + ".")), joined or "_form")


def messages_by_field(messages: Any, fields: Sequence[FormField], lang: str) -> dict[str, list[str]]:
    """marshmallow-shaped (possibly nested) messages -> translated texts per form field name."""
    out: dict[str, list[str]] = {}
    for path, message in flatten(messages):
        out.setdefault(field_for(path, fields), []).append(translate(message, lang))
    return out


def validate(schema: Schema, form: MultiDict, fields: Sequence[FormField], lang: str,
             prune: Callable[[dict[str, Any]], None] | None = None) -> tuple[dict[str, Any] | None, dict[str, list[str]]]:
    """(loaded input, {}) when the form is valid, else (None, translated messages per field).

    A form only offers known, objective fields, so the API's forbidden-field check cannot trigger here.
    """
    data, conversion = form_to_data(form, fields)
    if prune is not None:
        prune(data)
    messages: dict[str, list[str]] = {}
    try:
        loaded = schema.load(data)
    except ValidationError as err:
        messages = messages_by_field(err.messages, fields, lang)
        loaded = None
    for name, texts in conversion.items():
        messages[name] = [translate(t, lang) for t in texts]
    return (loaded, {}) if loaded is not None and not messages else (None, messages)
