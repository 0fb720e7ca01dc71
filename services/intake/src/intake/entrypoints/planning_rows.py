"""Capacity planning's edge (issue 16): input schemas of demand and supply lines, participation and the
register's settings, and the import columns of forecast files and of SBB's register and equivalent-code
table. The demand and supply schemas are derived from the event contract (stagepool_shared.events.planning)
like the wish and the place. Imports marshmallow, the shared contract and intake's edge helpers.
"""

from __future__ import annotations

from marshmallow import fields, validate

from stagepool_shared.events.contract import CREBO
from stagepool_shared.events.planning import OPT_OUT_REASONS, PARTICIPATION, SCHOOL_YEAR, DemandForecast, SupplyForecast
from stagepool_shared.events.variants import VariantSet

from ..domain.recognition import MODES
from .rows import Column, _int
from .schemas import Strict, edge_schema, ident, text

#: One demand line: the school, its region, the school year and the sector are intake's to fill in.
ForecastIn = edge_schema(DemandForecast, leave_out=("school_id", "region_id", "school_year", "sector"))
#: One supply line: the organisation, its region and the school year are intake's to fill in.
SupplyIn = edge_schema(SupplyForecast, leave_out=("organisation_id", "region_id", "school_year"))
#: A school's matching variant of one programme in a period (issue 15.3): the school and region are intake's.
VariantIn = edge_schema(VariantSet, leave_out=("region_id", "school_id"), first=("period_id", "crebo"))


class ChoiceIn(Strict):
    """POST /api/v1/choices/{period}: a variant-2 student's choice, one candidate or up to three ranked."""

    choice = fields.List(ident(), required=True, validate=validate.Length(max=5))


class ForecastsIn(Strict):
    """POST /api/v1/forecasts: demand lines, all or nothing."""

    lines = fields.List(fields.Nested(ForecastIn), required=True, validate=validate.Length(1, 2000))


class SuppliesIn(Strict):
    """POST /api/v1/supply: supply lines, all or nothing."""

    lines = fields.List(fields.Nested(SupplyIn), required=True, validate=validate.Length(1, 500))


class SchoolYearIn(Strict):
    """POST /api/v1/supply/copy-last-year: the coming school year to fill with last year's places."""

    school_year = fields.String(required=True, validate=validate.Regexp(SCHOOL_YEAR))


class ParticipationIn(Strict):
    """PUT /api/v1/participation: take part, opt out (with a reason code; the words stay in intake), not open."""

    school_year = fields.String(required=True, validate=validate.Regexp(SCHOOL_YEAR))
    status = fields.String(required=True, validate=validate.OneOf(PARTICIPATION))
    reason_code = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(OPT_OUT_REASONS))
    reason_text = text(500, min_len=0)


class RecognitionModeIn(Strict):
    """PUT /api/v1/register/mode: refuse or flag a place naming an unrecognised crebo."""

    mode = fields.String(required=True, validate=validate.OneOf(MODES))


class RegisterRowIn(Strict):
    """A row of SBB's register of recognised training companies (the columns Stagepool reads)."""

    organisation_id = ident()
    crebo = fields.String(required=True, validate=validate.Regexp(CREBO))
    company_name = text(160, min_len=0)
    kvk_number = fields.String(validate=validate.Regexp(r"^[0-9]{8}$"))
    postcode = fields.String(validate=validate.Regexp(r"^[1-9][0-9]{3} ?([A-Za-z]{2})?$"))
    town = text(80, min_len=0)
    qualification = text(200, min_len=0)
    level = fields.Integer(strict=True, validate=validate.Range(1, 4))
    recognised_since = fields.String(validate=validate.Regexp(r"^\d{4}-\d{2}-\d{2}$"))


class EquivalentRowIn(Strict):
    """A row of SBB's table of equivalent codes: an old and a new crebo of the same qualification."""

    old_crebo = fields.String(required=True, validate=validate.Regexp(CREBO))
    new_crebo = fields.String(required=True, validate=validate.Regexp(CREBO))
    old_name = text(200, min_len=0)
    new_name = text(200, min_len=0)


FORECAST_COLUMNS: tuple[Column, ...] = (
    Column("periode", "period_id", ("period_id",), required=True),
    Column("crebo", "crebo", ("crebo",), required=True, note="uit het kwalificatiedossier"),
    Column("niveau", "level", ("level",), _int, True, "1 tot en met 4"),
    Column("leerjaar", "study_year", ("study_year",), _int, True, "1 tot en met 4"),
    Column("aantal_studenten", "students", ("students",), _int, True, "verwacht aantal"),
)

#: SBB's register of recognised training companies (open-data download), the columns Stagepool reads.
REGISTER_COLUMNS: tuple[Column, ...] = (
    Column("leerbedrijf_id", "training_company_id", ("organisation_id",), required=True,
           note="het id van het leerbedrijf bij SBB = het organisatie-id in Stagepool"),
    Column("handelsnaam", "company_name", ("company_name",)),
    Column("kvk_nummer", "kvk_number", ("kvk_number",)),
    Column("postcode", "postcode", ("postcode",)),
    Column("plaats", "town", ("town",)),
    Column("crebo", "crebo", ("crebo",), required=True),
    Column("kwalificatie", "qualification", ("qualification",)),
    Column("niveau", "level", ("level",), _int),
    Column("erkend_sinds", "recognised_since", ("recognised_since",), note="JJJJ-MM-DD"),
)

#: SBB's table of equivalent (old <-> new) qualification codes.
EQUIVALENT_COLUMNS: tuple[Column, ...] = (
    Column("crebo_oud", "old_crebo", ("old_crebo",), required=True),
    Column("kwalificatie_oud", "old_name", ("old_name",)),
    Column("crebo_nieuw", "new_crebo", ("new_crebo",), required=True),
    Column("kwalificatie_nieuw", "new_name", ("new_name",)),
)
