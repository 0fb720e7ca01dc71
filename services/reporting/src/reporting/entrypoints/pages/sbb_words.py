"""What the desk's pages show of a case's SBB file (issue 20.6): the forms' choices in words, the measures with
their texts, the steps, and the rows of the overdue list. No views here (pages/desk_sbb.py has them).

Imports the shared page helpers, reporting's SBB domain and the pages' words.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from stagepool_shared.web.pages import typed

from ...commands.desk import CaseView
from ...domain import sbb
from .common import options, word

ANSWER_FIELDS = ("answered_on", "reference", "outcome")
MEASURE_FIELDS = ("measure_text", "owner_role", "deadline")  # measure_text: the case page has #description
STEP_WORDS = {"forwarded": ("doorgegeven aan SBB", "forwarded to SBB"),
              "answer_recorded": ("antwoord van SBB vastgelegd", "SBB's answer recorded"),
              "measure_added": ("maatregel vastgelegd", "measure recorded"),
              "measure_updated": ("status van maatregel gewijzigd", "measure status changed")}


def sbb_context(view: CaseView, lang: str, forms: dict[str, dict], day: date) -> dict[str, Any]:
    """The case page's SBB part: whether it can be forwarded, the file, its forms and their choices; `day` is
    today in Dutch time (a measure past it is late)."""
    file = view.case.sbb
    texts = dict(view.content.measures) if view.content else {}
    today = day.isoformat()
    return dict(
        can_forward=view.case.status == "in_progress", sbb_file=file,
        sbb_answer_outcome=word(file.answer.outcome, lang) if file and file.answer else "",
        sbb_measures=[dict(measure=m, text=texts.get(m.measure_id, ""), owner=word(m.owner_role, lang),
                           status=word(m.status, lang), late=m.status in sbb.OPEN_MEASURE and m.deadline < today)
                      for m in (file.measures if file else ())],
        sbb_steps=[(STEP_WORDS[s.action][0 if lang == "nl" else 1], s.at, _detail(s.detail, lang))
                   for s in (file.steps if file else ())],
        outcome_options=options(sbb.OUTCOMES, lang), owner_options=options(sbb.OWNER_ROLES, lang),
        measure_status_options=options(sbb.MEASURE_STATUSES, lang),
        answer_form=forms.get("answer_form") or typed({}, ANSWER_FIELDS),
        measure_form=forms.get("measure_form") or typed({}, MEASURE_FIELDS))


def overdue_rows(items: list[sbb.Overdue], lang: str) -> list[dict[str, Any]]:
    """The overdue list's rows, as sorted (most overdue first)."""
    return [dict(item=item, what=word("sbb", lang) if item.kind == "answer" else word(item.owner_role, lang))
            for item in items]


def _detail(detail: str, lang: str) -> str:
    """A step's codes in words (a measure id or version has no word and stays as it is)."""
    return " ".join(word(part, lang) for part in detail.split())
