"""Import columns: Dutch header (English accepted), where each value goes, and how text becomes a value.

A row becomes the same nested dict the JSON API accepts, so the edge schemas validate both alike; error
paths map back to the column a person sees in the file. Imports the shared transport codes, the domain's
forbidden-field rule and intake's errors only.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Callable, Sequence

from stagepool_shared.events.wishes import TRANSPORT_MODES

from ..domain.forbidden import MESSAGE, forbidden_columns
from ..errors import CellError


def _int(text: str) -> int:
    if not re.fullmatch(r"-?[0-9]{1,9}", text):
        raise CellError("Not a valid integer.")
    return int(text)


def _float(text: str) -> float:
    try:
        return float(text.replace(",", "."))
    except ValueError:
        raise CellError("Not a valid number.") from None


def _bool(text: str) -> bool:
    value = text.strip().lower()
    if value in ("ja", "j", "yes", "y", "true", "1", "waar"):
        return True
    if value in ("nee", "n", "no", "false", "0", "onwaar"):
        return False
    raise CellError("Not a valid boolean.")


def _list(text: str) -> list[str]:
    return [part.strip() for part in re.split(r"[;,|]", text) if part.strip()]


def _choice_list(text: str) -> list[str]:
    """A student's choice on a wish: an empty cell keeps the stored one (commands.wishes.KEPT), "-" clears it."""
    return [] if text.strip() == "-" else _list(text)


def _int_list(text: str) -> list[int]:
    return [_int(part) for part in _list(text)]


def _str(text: str) -> str:
    return text


#: The Dutch words a school types in its own template, as the transport codes the wish carries (issue 14.14).
TRANSPORT_MESSAGE = "Choose fiets, ov, auto or lopen (or bike, public_transport, car, walk)."
TRANSPORT_WORDS = {"fiets": "bike", "ov": "public_transport", "openbaar vervoer": "public_transport",
                   "auto": "car", "lopen": "walk", "te voet": "walk"}


def _transport(text: str) -> str:
    """A transport mode in Dutch (fiets, ov, auto, lopen) or as its code (bike, public_transport, car, walk)."""
    value = text.strip().lower()
    if value in TRANSPORT_MODES:
        return value
    if value not in TRANSPORT_WORDS:
        raise CellError(TRANSPORT_MESSAGE)
    return TRANSPORT_WORDS[value]


@dataclass(frozen=True)
class Column:
    """One import column."""

    dutch: str
    english: str
    path: tuple[str, ...]
    convert: Callable[[str], Any] = _str
    required: bool = False
    note: str = ""


WISH_COLUMNS: tuple[Column, ...] = (
    Column("leerlingnummer", "student_number", ("student", "student_number"), required=True, note="studentnummer van de school"),
    Column("naam", "name", ("student", "name"), required=True, note="blijft in intake, nooit in de matching"),
    Column("e-mail", "email", ("student", "email"), required=True),
    Column("telefoon", "phone", ("student", "phone")),
    Column("adres", "address", ("student", "address")),
    Column("geboortedatum", "date_of_birth", ("student", "date_of_birth"), required=True, note="JJJJ-MM-DD; alleen de leeftijd bij de start gaat mee"),
    Column("periode", "period_id", ("wish", "period_id"), required=True),
    Column("sector", "sector", ("wish", "sector"), required=True),
    Column("crebo", "crebo", ("wish", "crebo"), required=True),
    Column("niveau", "level", ("wish", "level"), _int, True, "1 tot en met 4"),
    Column("leerjaar", "study_year", ("wish", "study_year"), _int, True),
    Column("leerweg", "pathway", ("wish", "pathway"), required=True, note="bol of bbl"),
    Column("postcode", "postcode", ("wish", "home", "postcode"), required=True, note="alleen de 4 cijfers gaan mee"),
    Column("breedtegraad", "lat", ("wish", "home", "lat"), _float),
    Column("lengtegraad", "lon", ("wish", "home", "lon"), _float),
    Column("max_reistijd_minuten", "max_travel_minutes", ("wish", "max_travel_minutes"), _int, True),
    Column("vervoer", "transport_mode", ("wish", "transport_mode"), _transport, True,
           "fiets, ov, auto of lopen (ook: bike, public_transport, car, walk)"),
    Column("stagevergoeding_nodig", "needs_allowance", ("wish", "needs_allowance"), _bool, note="ja/nee"),
    Column("onregelmatige_diensten", "irregular_shifts_ok", ("wish", "irregular_shifts_ok"), _bool, note="ja/nee"),
    Column("werkzaamheden", "activities", ("wish", "activities"), _list, note="codes, gescheiden door |"),
    Column("voorkeur_organisatietypes", "preferred_org_types", ("wish", "preferred_org_types"), _choice_list,
           note="leeg = de opgeslagen voorkeur blijft; - = wissen"),
    Column("top3_plaatsen", "top_places", ("wish", "top_places"), _choice_list,
           note="plaats-id's op volgorde, gescheiden door |; leeg = de opgeslagen top 3 blijft; - = wissen"),
    Column("ondersteuningsbehoeften", "support_needs", ("wish", "support_needs"), _list, note="codes"),
    Column("leerwens", "leerwens", ("wish", "leerwens"), note="vrije tekst; blijft in intake"),
)

PLACE_COLUMNS: tuple[Column, ...] = (
    Column("periode", "period_id", ("period_id",), required=True),
    Column("organisatienaam", "organisation_name", ("organisation_name",), required=True),
    Column("sector", "sector", ("sector",), required=True),
    Column("organisatietype", "org_type", ("org_type",), required=True),
    Column("postcode", "postcode", ("location", "postcode"), required=True),
    Column("breedtegraad", "lat", ("location", "lat"), _float),
    Column("lengtegraad", "lon", ("location", "lon"), _float),
    Column("adres", "address", ("address",), required=True),
    Column("crebos", "crebos", ("crebos",), _list, True, "crebo-nummers, gescheiden door |"),
    Column("niveaus", "levels", ("levels",), _int_list, True, "bijv. 2|3"),
    Column("plaatsen", "slots", ("slots",), _int, True),
    Column("begeleidingscapaciteit", "supervision_capacity", ("supervision_capacity",), _int, True),
    Column("stagevergoeding", "offers_allowance", ("offers_allowance",), _bool),
    Column("onregelmatige_diensten", "irregular_shifts", ("irregular_shifts",), _bool),
    Column("minimumleeftijd", "min_age", ("min_age",), _int),
    Column("werkzaamheden", "activities", ("activities",), _list),
    Column("ondersteuning", "support_offered", ("support_offered",), _list),
    Column("leerwegen", "pathways", ("pathways",), _list, note="bol|bbl; leeg = beide"),
    Column("leerjaren", "study_years", ("study_years",), _int_list, note="bijv. 2|3; leeg = alle"),
    Column("plaatsnaam", "town", ("town",)),
    Column("beschrijving", "description", ("description",), note="het werk, niet de persoon; blijft in intake"),
    Column("competenties", "competences", ("competences",), _list, note="codes, gescheiden door |"),
    Column("keuzedelen", "keuzedelen", ("keuzedelen",), _list, note="bijv. k0080|k0125"),
    Column("begeleider", "supervisor_role", ("supervisor_role",),
           note="practice_trainer, work_supervisor, manager of specialist"),
    Column("begeleiding_uren_per_week", "supervision_hours", ("supervision_hours",), _int),
    Column("bedrijfsgrootte", "company_size", ("company_size",), note="micro, small, medium, large of unknown"),
    Column("vergoeding_per_maand", "allowance_per_month", ("allowance_per_month",), _int, note="euro; 0 = geen"),
    Column("vroege_diensten", "early_shifts", ("early_shifts",), _bool, note="ja/nee"),
    Column("avonddiensten", "evening_shifts", ("evening_shifts",), _bool, note="ja/nee"),
    Column("weekenddiensten", "weekend_shifts", ("weekend_shifts",), _bool, note="ja/nee"),
    Column("toegankelijkheid", "accessibility", ("accessibility",), _list,
           note="wheelchair|lift|adapted_toilet|quiet_workplace|public_transport_nearby"),
    Column("contactpersoon", "contact_name", ("contact", "name")),
    Column("contact_email", "contact_email", ("contact", "email")),
    Column("contact_telefoon", "contact_phone", ("contact", "phone")),
    Column("startdatum", "start_date", ("start_date",)),
)


@dataclass
class RowError:
    """One problem in an import file (row 1 is the header row)."""

    row: int
    column: str
    message: str


def header_problems(headers: Sequence[str], columns: Sequence[Column]) -> tuple[list[Column | None], list[RowError]]:
    """Map header cells to columns; forbidden, unknown, duplicate and missing columns are errors."""
    by_name = {c.dutch.lower(): c for c in columns} | {c.english.lower(): c for c in columns}
    name_columns = [h for h in headers if by_name.get(h.lower()) is not None]
    errors = [RowError(1, h, MESSAGE) for h in forbidden_columns(headers, name_allowed=name_columns)]
    mapped: list[Column | None] = []
    for header in headers:
        column = by_name.get(header.lower())
        if column is None and header and not any(e.column == header for e in errors):
            errors.append(RowError(1, header, "Unknown field."))
        if column is not None and column in mapped:
            errors.append(RowError(1, header, "This column appears twice."))
        mapped.append(column)
    for column in columns:
        if column.required and column not in mapped:
            errors.append(RowError(1, column.dutch, "Missing data for required field."))
    return mapped, errors


def row_to_data(cells: Sequence[str], mapped: Sequence[Column | None]) -> tuple[dict[str, Any], dict[str, str]]:
    """A row as the nested input dict, and conversion errors by column header."""
    data: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for column, raw in zip(mapped, cells):
        text = raw.strip()
        if column is None or text == "":
            continue
        try:
            value = column.convert(text)
        except CellError as err:
            errors[column.dutch] = str(err)
            continue
        node = data
        for part in column.path[:-1]:
            node = node.setdefault(part, {})
        node[column.path[-1]] = value
    return data, errors


def column_of(path: str, columns: Sequence[Column]) -> str:
    """The column header that holds a field path like "wish.home.postcode" (the path itself if none)."""
    parts = tuple(p for p in path.split(".") if not p.isdigit())
    for column in columns:
        if column.path == parts:
            return column.dutch
    for column in columns:  # a nested error like "contact" -> its first column
        if column.path[: len(parts)] == parts:
            return column.dutch
    return path


def flatten(messages: Any, prefix: str = "") -> list[tuple[str, str]]:
    """marshmallow's nested messages -> (dotted path, message) pairs."""
    if isinstance(messages, dict):
        out: list[tuple[str, str]] = []
        for key, value in messages.items():
            out.extend(flatten(value, f"{prefix}.{key}" if prefix else str(key)))
        return out
    if isinstance(messages, list):
        if all(isinstance(m, str) for m in messages):
            return [(prefix, m) for m in messages]
        return [pair for m in messages for pair in flatten(m, prefix)]
    return [(prefix, str(messages))]
