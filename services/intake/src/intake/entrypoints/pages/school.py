"""School staff pages: their students with status, one student's wishes (self-found place or opt-out), a form
for one wish, and the upload of a wishes file with its row errors. Views parse the form, call intake's use
cases and render; nothing is stored until the whole input is valid. Imports Flask and the shared web layer.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, abort, redirect, request, url_for

from stagepool_shared.auth import Principal
from stagepool_shared.errors import PublishFailed
from stagepool_shared.i18n import translate
from stagepool_shared.web.listing import error_texts, paginate, read_query, wants_xlsx, xlsx_response
from stagepool_shared.web.pages import current_lang, page, render, t

from ... import commands
from ...domain.model import WISH_ACTIVE, Student, WishRecord
from ...errors import Conflict, InvalidInput, NotFound
from ..importing import ACCEPTED, REJECTED, import_file
from ..rows import WISH_COLUMNS
from ..schemas import WishSubmissionIn
from ..web import SCHOOL_ROLES, deps, wiring
from .common import choice_lists, me, offer_label, unavailable
from .forms import FormField, messages_by_field, typed_values, validate
from .placement_words import placement_words
from .lists import WISH_STATUSES, matching_students, student_columns, student_filters, wish_lines

bp = Blueprint("school_pages", __name__, url_prefix="/pages/school")
REF = "<string(maxlength=80):student_ref>"
STATUS_TEXT = WISH_STATUSES
WISH_FIELDS = tuple(FormField(name, kind) for name, kind in (
    ("student.student_number", "text"), ("student.name", "text"), ("student.email", "text"),
    ("student.phone", "text"), ("student.address", "text"), ("student.date_of_birth", "text"),
    ("wish.period_id", "text"), ("wish.sector", "text"), ("wish.crebo", "text"), ("wish.level", "int"),
    ("wish.study_year", "int"), ("wish.pathway", "text"), ("wish.home.postcode", "text"),
    ("wish.max_travel_minutes", "int"), ("wish.transport_mode", "text"), ("wish.needs_allowance", "bool"),
    ("wish.irregular_shifts_ok", "bool"), ("wish.activities", "list"), ("wish.support_needs", "list"),
    ("wish.leerwens", "text")))
END_CHOICES = {"own_place": True, "opt_out": False}


def status_text(status: str) -> str:
    return t(*STATUS_TEXT.get(status, (status, status)))


@bp.get("")
@page(*SCHOOL_ROLES)
def home() -> Response:
    """The school's students with the status of their wishes: 50 a page, searched by name or student number,
    filtered by status, period and sector; `?download=xlsx` downloads every matching wish (issue 14.9)."""
    filters = student_filters(me().region_id)
    query, errors = read_query(request.args, filters)
    rows = [_row(*commands.student_file(deps(), me().scope, ref))
            for ref in commands.students_of_school(deps(), me().scope)]
    rows.sort(key=lambda r: (r["name"].lower(), r["ref"]))
    rows = matching_students(rows, query)
    if wants_xlsx(query, errors):
        return xlsx_response(wish_lines(rows), student_columns(), f"studenten-{me().scope}")
    return render("pages/school_home.html", status=422 if errors else 200, page=paginate(rows, query.page),
                  query=query, filters=filters, errors=error_texts(errors), added=request.args.get("added", ""),
                  imported=request.args.get("imported", ""))


def _row(student: Student, wishes: list[WishRecord]) -> dict[str, Any]:
    """A student with each wish, and after release its placement status in words (issue 14.8)."""
    placed = commands.placement_statuses(deps(), student.school_id, student.student_ref, checked=True)
    return {"ref": student.student_ref, "name": student.name, "number": student.student_number,
            "wishes": [{"period_id": w.period_id, "status": w.status, "status_text": status_text(w.status),
                        "placement": placement_words(placed[w.period_id]) if w.period_id in placed else None,
                        "crebo": w.payload.get("crebo", ""), "level": w.payload.get("level", ""),
                        "sector": w.payload.get("sector", ""),
                        "top": commands.place_names(deps(), w.payload.get("top_places", [])),
                        "kinds": list(w.payload.get("preferred_org_types", []))} for w in wishes]}


@bp.get(f"/students/{REF}")
@page(*SCHOOL_ROLES)
def student(student_ref: str) -> Response:
    """One own student: wishes and the form to register a self-found place or an opt-out."""
    return _student_page(student_ref)


def _student_page(student_ref: str, status: int = 200, errors: dict[str, list[str]] | None = None,
                  values: dict[str, str] | None = None, page_error: str = "", new_link: str = "") -> Response:
    try:
        person, wishes = commands.student_file(deps(), me().scope, student_ref)
    except NotFound:
        abort(404)
    row = _row(person, wishes)
    active = [w["period_id"] for w in row["wishes"] if w["status"] == WISH_ACTIVE]
    return render("pages/school_student.html", status=status, row=row, active=active, errors=errors or {},
                  values=values or {}, page_error=page_error, done=request.args.get("done", ""), new_link=new_link,
                  top3=[_top3_form(student_ref, p, values or {}) for p in active])


def _top3_form(student_ref: str, period_id: str, values: dict[str, Any]) -> dict[str, Any]:
    """The school's top-3 form for one active wish: the places the student is eligible for (the student's own
    catalogue, best fit first), the top 3 so far (or as just typed) and the kinds of organisation to prefer."""
    found = commands.student_catalogue(deps(), student_ref, period_id)
    typed = values.get("top3_period") == period_id
    chosen = values["chosen"] if typed else list(found.wish.payload.get("top_places", []))
    kinds = values["kinds"] if typed else list(found.wish.payload.get("preferred_org_types", []))
    offered = {o.payload.get("org_type", "") for o in found.offers} | set(found.wish.payload.get("preferred_org_types", []))
    return {"period_id": period_id, "chosen": (chosen + ["", "", ""])[:3], "kinds": kinds,
            "choices": [(o.place_id, offer_label(o, with_place_id=True)) for o in found.offers],
            "kind_options": sorted(offered - {""})}


@bp.post(f"/students/{REF}/top3")
@page(*SCHOOL_ROLES)
def choose_top3(student_ref: str) -> Response:
    """Enter the ranked top 3 and the preferred kinds of organisation for a student who asks, also after the wish
    deadline: the student's own catalogue command, so only places the student is eligible for; nothing changes
    on a field error (422, naming the place)."""
    period_id = request.form.get("period_id", "")
    chosen = [c for c in (request.form.get(f"choice_{rank}", "").strip() for rank in (1, 2, 3)) if c]
    kinds = request.form.getlist("preferred_org_types")
    values = {"top3_period": period_id, "chosen": chosen, "kinds": kinds}
    try:
        commands.choose_top_places(deps(), student_ref, period_id, chosen, school_id=me().scope, org_types=kinds)
    except NotFound:
        abort(404)
    except InvalidInput as err:
        errors = {field: [translate(m, current_lang()) for m in texts] for field, texts in err.messages.items()}
        return _student_page(student_ref, 422, errors, values)
    except PublishFailed:
        return _student_page(student_ref, 503, values=values, page_error=t(
            "Het systeem kon dit nu niet vastleggen; er is niets opgeslagen. Probeer het zo opnieuw.",
            "The system could not record this just now; nothing was stored. Please try again shortly."))
    return redirect(url_for(".student", student_ref=student_ref, done="top3"))


@bp.post(f"/students/{REF}/end")
@page(*SCHOOL_ROLES)
def end_wish(student_ref: str) -> Response:
    """Register a self-found place (own_place) or an opt-out of the matching for one active wish."""
    values = {"period_id": request.form.get("period_id", ""), "choice": request.form.get("choice", "")}
    errors: dict[str, list[str]] = {}
    if values["choice"] not in END_CHOICES:
        errors["choice"] = [t("Kies wat er is gebeurd.", "Choose what happened.")]
    if not values["period_id"]:
        errors["period_id"] = [t("Kies een periode.", "Choose a period.")]
    if errors:
        return _student_page(student_ref, 422, errors, values)
    try:
        commands.opt_out(deps(), me().scope, student_ref, values["period_id"], END_CHOICES[values["choice"]])
    except NotFound:
        return _student_page(student_ref, 422, {"period_id": [t("Geen wens voor deze periode.",
                                                                 "No wish for this period.")]}, values)
    except Conflict:
        return _student_page(student_ref, 409, {"period_id": [t("Deze wens is niet meer actief.",
                                                                 "This wish is no longer active.")]}, values)
    except PublishFailed:
        return _student_page(student_ref, 503, values=values, page_error=t(
            "Het systeem kon dit nu niet vastleggen; er is niets opgeslagen. Probeer het zo opnieuw.",
            "The system could not record this just now; nothing was stored. Please try again shortly."))
    return redirect(url_for(".student", student_ref=student_ref, done=values["choice"]))


@bp.post(f"/students/{REF}/link")
@page(*SCHOOL_ROLES)
def renew_link(student_ref: str) -> Response:
    """A new personal sign-in link for an own student (issue 19.10); every earlier link of theirs stops working.
    Shown once, for the staff to pass on; it is not stored anywhere in clear."""
    try:
        commands.student_file(deps(), me().scope, student_ref)
    except NotFound:
        abort(404)
    principal = Principal(user_id=student_ref, role="student", scope=student_ref, region_id=me().region_id)
    token = wiring().accounts.renew_link(principal)
    return _student_page(student_ref, new_link=wiring().settings.links.url("notifier", "/s/" + token))


@bp.route("/wish", methods=["GET", "POST"])
@page(*SCHOOL_ROLES)
def add_wish() -> Response:
    """One student's wish: every field checked like the API; stored only when all are valid."""
    context = {"choices": choice_lists(me().region_id)}
    if request.method == "GET":
        return render("pages/school_wish.html", values={}, errors={}, **context)
    values = typed_values(request.form, WISH_FIELDS)
    data, errors = validate(WishSubmissionIn(), request.form, WISH_FIELDS, current_lang())
    if data is None:
        return render("pages/school_wish.html", status=422, values=values, errors=errors, **context)
    try:
        envelope = commands.submit_wishes(deps(), me().scope, me().region_id, [(data["student"], data["wish"])])[0]
    except InvalidInput as err:
        errors = messages_by_field(err.messages, WISH_FIELDS, current_lang())
        return render("pages/school_wish.html", status=422, values=values, errors=errors, **context)
    except PublishFailed:
        return unavailable("pages/school_wish.html", values=values, errors={}, **context)
    return redirect(url_for(".home", added=envelope.payload.student_ref))


@bp.route("/upload", methods=["GET", "POST"])
@page(*SCHOOL_ROLES)
def upload() -> Response:
    """Download the template, upload a wishes file, see the row errors, upload the corrected file."""
    if request.method == "GET":
        return render("pages/school_upload.html", errors={}, row_errors=[], filename="")
    upload_file = request.files.get("file")
    if upload_file is None or not upload_file.filename:
        return render("pages/school_upload.html", status=422, row_errors=[], filename="",
                      errors={"file": [t("Kies een bestand (CSV of XLSX).", "Choose a file (CSV or XLSX).")]})
    principal = me()
    try:
        result = import_file(deps(), upload_file.filename, upload_file.read(), wiring().settings.import_limits,
                             WISH_COLUMNS, WishSubmissionIn(), ("wish",),
                             lambda rows: commands.check_wish_rows(deps(), principal.scope, principal.region_id, rows))
    except PublishFailed:
        return unavailable("pages/school_upload.html", errors={}, row_errors=[], filename=upload_file.filename)
    if result.outcome == ACCEPTED:
        return redirect(url_for(".home", imported=result.rows))
    lang = current_lang()
    if result.outcome == REJECTED:
        rows = [{"row": e.row, "column": e.column, "message": translate(e.message, lang)} for e in result.errors]
        return render("pages/school_upload.html", status=422, errors={}, row_errors=rows,
                      filename=upload_file.filename)
    return render("pages/school_upload.html", status=422, row_errors=[], filename=upload_file.filename,
                  errors={"file": [translate(result.problem, lang)]})
