"""A round's audit trail in words, for the coordinator's round page and the rounds API: every approval, every
objection (which school, which place and organisation by name, the reason in words; never a name or the
school's explanation) and every set of approvals an objection withdrew, in order, at Dutch local time.

No Flask here. Imports the shared events, the matcher's round records and the review page's words.
"""

from __future__ import annotations

from typing import Any, Mapping

from stagepool_shared.events.places import Place
from stagepool_shared.i18n import local_time

from ..rounds.objection import APPROVED, OBJECTED, AuditEntry
from ..rounds.record import RoundRecord
from .review_rows import REASON_WORDS, place_words

ROLES = {"nl": {"school_staff": "medewerker", "support_staff": "begeleider passend onderwijs",
                "regional_coordinator": "regiocoördinator"},
         "en": {"school_staff": "staff", "support_staff": "support staff", "regional_coordinator": "coordinator"}}


def entry_text(entry: AuditEntry, places: dict[str, Place], lang: str, names: Mapping[str, str] | None = None) -> str:
    """One line of the trail as a sentence, the school by name where intake gave one (issue 14.16)."""
    nl = lang == "nl"
    role = ROLES["nl" if nl else "en"].get(entry.role, entry.role)
    school = ((names or {}).get(entry.school_id or "") or entry.school_id) or ("de regio" if nl else "the region")
    if entry.kind == APPROVED:
        return (f"{entry.user_id} ({role}, {school}) keurde het voorstel goed" if nl
                else f"{entry.user_id} ({role}, {school}) approved the proposal")
    if entry.kind == OBJECTED:
        place, organisation = place_words(places.get(entry.place_id or ""), lang)
        reason = REASON_WORDS["nl" if nl else "en"].get(entry.reason_code or "", entry.reason_code or "")
        return (f"{entry.user_id} ({role}, {school}) maakte bezwaar tegen de plaatsing van een student van de school "
                f"bij {organisation}, {place}: {reason}" if nl else
                f"{entry.user_id} ({role}, {school}) objected to placing a student of the school at "
                f"{organisation}, {place}: {reason}")
    return (f"de goedkeuringen van {school} ({entry.user_id}) zijn ingetrokken door het bezwaar" if nl
            else f"the approvals of {school} ({entry.user_id}) were withdrawn by the objection")


def trail(record: RoundRecord, places: dict[str, Place], lang: str,
          names: Mapping[str, str] | None = None) -> list[dict[str, Any]]:
    """The round's audit trail, oldest first, as (moment, kind, sentence) rows."""
    return [{"at": local_time(e.at), "kind": e.kind, "text": entry_text(e, places, lang, names)}
            for e in record.audit]


def trail_json(record: RoundRecord, school_id: str | None = None) -> list[dict[str, Any]]:
    """The trail for the API; staff (`school_id`) see every approval and only their own school's objections."""
    return [{k: v for k, v in vars(e).items() if v not in (None, "")} for e in record.audit
            if school_id is None or e.kind == APPROVED or e.school_id == school_id]
