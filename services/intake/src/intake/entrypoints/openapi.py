"""The OpenAPI document of intake's API: one `Op` per view, naming the schemas the views validate with; paths,
methods and roles come from the routes themselves (stagepool_shared.web.openapi builds the document, serves
it at /api/v1/openapi.json and renders it at /api/docs).

The document is the inventory of the API: an API route without an Op here fails the document (and its
tests), and schemathesis fuzzes the running service against the served document. Imports the shared document
builder, the edge schemas and the sign-in view's schema.
"""

from __future__ import annotations

from stagepool_shared.web.openapi import ID_SCHEMA, JSON, ApiDoc, Op

from . import api_catalogue, api_sign_in, planning_rows, schemas

ACCEPTED = dict(ok=202, answer="Accepted", write=True, idempotent=True)
FORMAT = {"in": "query", "name": "format", "required": False, "schema": {"type": "string", "enum": ["json", "csv"]}}
IMPORT = {
    "parameters": [FORMAT],
    "requestBody": {"required": True, "content": {"multipart/form-data": {"schema": {
        "type": "object", "required": ["file"], "properties": {"file": {"type": "string", "format": "binary"}}}}}},
    "responses": {"422": {"description": "The file was not imported: every problem, row by row (?format=csv: as CSV)",
                          "content": {JSON: {"schema": "ImportRejected"}, "text/csv": {"schema": {"type": "string"}}}}},
}


STUDENT_REFS = {"requestBody": {"required": True, "content": {JSON: {"schema": {
    "type": "object", "required": ["student_refs"],
    "properties": {"student_refs": {"type": "array", "minItems": 1, "maxItems": 500, "items": ID_SCHEMA}}}}}}}
STUDENT_NUMBER_BODY = {"requestBody": {"required": True, "content": {JSON: {"schema": {
    "type": "object", "required": ["region_id", "school_id", "student_number"],
    "properties": {"region_id": ID_SCHEMA, "school_id": ID_SCHEMA,
                   "student_number": {"type": "string", "pattern": "^[A-Za-z0-9-]{1,20}$"}}}}}}}
WITHIN_HOURS = {"parameters": [{"in": "query", "name": "within_hours", "required": True,
                                 "schema": {"type": "integer", "minimum": 1, "maximum": 744}}]}
FILE = {"text/csv": {"schema": {"type": "string"}},
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {"schema": {"type": "string",
                                                                                          "format": "binary"}}}

def _ids(name: str) -> dict:
    """A query parameter given 1 to 500 times, each an id."""
    return {"parameters": [{"in": "query", "name": name, "required": True, "style": "form", "explode": True,
                            "schema": {"type": "array", "minItems": 1, "maxItems": 500, "items": ID_SCHEMA}}]}


API = ApiDoc(
    title="Stagepool intake",
    description="Students' learning wishes and organisations' places, blind by construction. "
                "Answers in Dutch by default; ?lang=en for English.",
    intro="Leerwensen van studenten en stageplaatsen van organisaties, blind by construction. Schrijfacties "
          "antwoorden 202 met het event_id zodra Kafka het event heeft bevestigd; stuur een Idempotency-Key mee om "
          "veilig opnieuw te proberen.",
    components={"WishSubmission": schemas.WishSubmissionIn, "Withdraw": schemas.WithdrawIn,
                "OptOut": schemas.OptOutIn, "Place": schemas.PlaceIn, "Period": schemas.PeriodIn,
                "School": schemas.SchoolIn, "Accepted": schemas.AcceptedOut,
                "ImportRejected": schemas.ImportRejectedOut},
    operations={
        "wishes.submit_wish": Op("Submit or replace a student's wish", tag="wishes",
                                 body=schemas.WishSubmissionIn, **ACCEPTED),
        "wishes.list_students": Op("The caller's school's students (pseudonyms)", tag="students"),
        "wishes.get_student": Op("One own student with wishes", tag="students"),
        "wishes.erase_student": Op("Erase a student's personal data", tag="students", **ACCEPTED),
        "wishes.withdraw_wish": Op("Withdraw a wish", tag="wishes", body=schemas.WithdrawIn, **ACCEPTED),
        "wishes.opt_out": Op("The student opts out (own place)", tag="wishes", body=schemas.OptOutIn, **ACCEPTED),
        "places.list_places": Op("The caller's organisation's places", tag="places"),
        "places.post_place": Op("Post a place", tag="places", body=schemas.PlaceIn, **ACCEPTED),
        "places.get_place": Op("One own place", tag="places"),
        "places.update_place": Op("Replace an own place", tag="places", body=schemas.PlaceIn, **ACCEPTED),
        "places.withdraw_place": Op("Withdraw an own place", tag="places", **ACCEPTED),
        "imports.import_wishes": Op("Import wishes (CSV or XLSX)", tag="imports", extra=IMPORT, **ACCEPTED),
        "imports.import_places": Op("Import places (CSV or XLSX)", tag="imports", extra=IMPORT, **ACCEPTED),
        "imports.template": Op("An empty import file with the column headers", tag="imports", roles=(),
                               content=FILE),
        "admin.list_periods": Op("Periods of the caller's region", tag="periods"),
        "admin.put_period": Op("Create or replace a period (coordinator)", tag="periods", body=schemas.PeriodIn,
                               errors=(409, 422)),
        "admin.put_school": Op("Register a school (coordinator)", tag="schools", body=schemas.SchoolIn,
                               errors=(409, 422)),
        "internal.contacts": Op("Contacts of released students (notifier)", tag="internal",
                                extra=_ids("student_ref")),
        "internal.place_contacts": Op("Contact persons of places a released round placed students at (notifier)",
                                      tag="internal", extra=_ids("place_id")),
        "internal.school": Op("A school's contact (notifier)", tag="internal"),
        "internal.open_windows": Op("Students with an open window before a period's deadline (notifier)",
                                    tag="internal", extra=WITHIN_HOURS),
        "internal.student_names": Op("Names of a school's students for the matcher's review page (matcher)",
                                     tag="internal", extra=STUDENT_REFS, errors=(413, 422)),
        "internal.school_names": Op("Display names of schools (matcher, reporting)", tag="internal",
                                    extra=_ids("school_id")),
        "internal.student_ref": Op("A student's pseudonym from school and student number (reporting)",
                                   tag="internal", extra=STUDENT_NUMBER_BODY, errors=(404, 413, 422)),
        "planning.post_forecasts": Op("Post demand lines of the coming school year (school)", tag="planning",
                                      body=planning_rows.ForecastsIn, **ACCEPTED),
        "planning.list_forecasts": Op("The school's demand lines", tag="planning"),
        "planning.import_forecasts": Op("Import demand lines (CSV or XLSX)", tag="planning", extra=IMPORT,
                                        **ACCEPTED),
        "planning.planning_template": Op("An empty forecast, register or equivalent-code file", tag="planning",
                                         roles=(), content=FILE),
        "planning.post_supply": Op("Post supply lines of the coming school year (organisation)", tag="planning",
                                   body=planning_rows.SuppliesIn, **ACCEPTED),
        "planning.copy_last_year": Op("Copy last year's places as the coming year's supply", tag="planning",
                                      body=planning_rows.SchoolYearIn, **ACCEPTED),
        "planning.list_supply": Op("The organisation's supply lines", tag="planning"),
        "planning.put_participation": Op("Take part, opt out with a reason, or not open (organisation)",
                                         tag="planning", body=planning_rows.ParticipationIn, **ACCEPTED),
        "planning.get_participation": Op("The organisation's participation in a school year", tag="planning",
                                         errors=(404, 422), extra={"parameters": [{
                                             "in": "query", "name": "school_year", "required": True,
                                             "schema": {"type": "string", "pattern": "^20[0-9]{2}-20[0-9]{2}$"}}]}),
        "planning.put_recognition_mode": Op("Refuse or flag places with an unrecognised crebo (coordinator)",
                                            tag="planning", body=planning_rows.RecognitionModeIn),
        "planning.get_register": Op("The region's recognition register in numbers (coordinator)", tag="planning"),
        "planning.import_recognitions": Op("Replace the recognitions from SBB's register (coordinator)",
                                           tag="planning", extra=IMPORT),
        "planning.import_equivalents": Op("Replace the equivalent codes from SBB's table (coordinator)",
                                          tag="planning", extra=IMPORT),
        "variants.put_variant": Op("Set the matching variant of a programme in a period (school, issue 15.3)",
                                   tag="variants", body=planning_rows.VariantIn, **ACCEPTED),
        "variants.list_variants": Op("The school's matching variants (variant 1 where none is set)", tag="variants"),
        "variants.get_choice": Op("The student's variant, candidates offered and choice so far (variant 2)",
                                  tag="variants"),
        "variants.post_choice": Op("A variant-2 student chooses one of the candidates offered (or ranks up to 3)",
                                   tag="variants", body=planning_rows.ChoiceIn, errors=(404, 409, 422), **ACCEPTED),
        "catalogue.get_catalogue": Op("The student's catalogue: eligible places in order, the top 3, the deadline",
                                      tag="variants"),
        "catalogue.put_top_places": Op("The student's ranked top 3 until the wish deadline (issue 15.2)",
                                       tag="variants", body=api_catalogue.TopPlacesIn, errors=(404, 409, 422),
                                       **ACCEPTED),
        "sign_in.list_mappings": Op("The region's sign-in mapping rules (coordinator)", tag="sign-in"),
        "sign_in.put_mapping": Op("Create or replace a sign-in mapping rule (coordinator)", tag="sign-in",
                                  body=api_sign_in.SignInMappingIn, errors=(409,)),
        "sign_in.delete_mapping": Op("Remove a sign-in mapping rule (coordinator)", tag="sign-in", ok=204),
        "sign_in.rotate_token": Op("A new API token for the caller; the presented one stops working", tag="sign-in"),
    },
)
