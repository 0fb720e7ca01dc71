"""End evaluation use cases (R133-R137, issue 20.5): the student, school staff and organisation staff each
evaluate a placement at its end (the window: from `Deps.evaluation_open_days` before the POK's end date, or once
it ended); the invitation their pages show; the period's evaluation figures for the report and the metrics; the
evaluation response per evaluator (the figure the demo prints).

Who: the parties of the placement's POK (the student themself, staff of the student's school, staff of the
organisation; without a POK yet, of the placement); anyone else gets NotFound. A placement that never started
(no POK yet, or draft, sent, signed, ended early before its start) is a field error at `placement`, and nothing
is stored; so is one still running before its window opens (the error says from when), and a discrimination
answer from anyone but the student. Store and publish: an evaluation is stored only, never published (it stays
internal, R135; no other service needs it). Imports the domain, the errors, the ports and the follow-up and
aftercare commands.
"""

from __future__ import annotations

import logging
from datetime import date

from stagepool_shared.auth import Principal
from stagepool_shared.envelope import new_envelope
from stagepool_shared.events.aftercare import EvaluationOpened
from stagepool_shared.i18n import LOCAL_ZONE

from ..domain.aftercare import Pok
from ..domain.evaluations import (ENDED, EVALUATOR_OF_ROLE, EVALUATORS, Evaluation, EvaluationFigures, answer_errors,
                                  evaluation_figures, opens_on, phase_answers, started, to_announce, window_errors)
from ..domain.suppression import shown_count, shown_rate
from ..errors import InvalidInput, NotFound
from ..ports import Deps
from .aftercare import may_see, store_of
from .followup import may_act_on

logger = logging.getLogger(__name__)


def evaluate(deps: Deps, principal: Principal, period_id: str, student_ref: str, answers: dict) -> Evaluation:
    """Record the caller's party's end evaluation of a placement whose window is open (the last answer counts).

    `answers`: satisfaction (1-5), would_again, and the student's discrimination_searching,
    discrimination_introduction and discrimination_during (or the older experienced_discrimination)."""
    pok = store_of(deps).pok(principal.region_id, period_id, student_ref)
    by = EVALUATOR_OF_ROLE.get(principal.role)
    if by is None or not _party(deps, principal, period_id, student_ref, pok):
        raise NotFound(student_ref)
    errors = answer_errors(by, answers) | window_errors(pok, _today(deps), deps.evaluation_open_days)
    if errors:
        raise InvalidInput(errors)
    evaluation = Evaluation(student_ref, pok.school_id, pok.organisation_id, by, answers["satisfaction"],
                            answers["would_again"], phase_answers(answers) if by == "student" else {})
    deps.views.put_evaluation(principal.region_id, period_id, student_ref, by, evaluation.record())
    logger.info("evaluation by %s of %s recorded", by, pok.pok_id)
    return evaluation


def announce_open_evaluations(deps: Deps) -> int:
    """Publish `evaluation.opened` for each placement whose end evaluation opened and was not announced yet, so
    the notifier invites the three parties by e-mail; then remember it. Pattern A: a crash in between publishes
    it again at the next step, and the notifier sends once per party. Run by reporting's contact-reminders
    worker under its lease; returns how many were announced."""
    store, today, announced = deps.aftercare, _today(deps), 0
    if store is None:
        return 0
    for region_id in sorted({region for region, _ in deps.views.periods()}):
        done = store.evaluations_announced(region_id)
        for pok in store.poks(region_id):
            if pok.pok_id in done or not to_announce(pok, today, deps.evaluation_open_days):
                continue
            payload = EvaluationOpened(pok.region_id, pok.period_id, pok.student_ref, pok.school_id,
                                       pok.organisation_id, pok.place_id, agreement_id=pok.pok_id)
            deps.publisher.publish_all([new_envelope("evaluation.opened", payload, producer="reporting",
                                                     partition_key=region_id)])
            store.mark_evaluation_announced(region_id, pok.pok_id)
            announced += 1
    if announced:
        logger.info("end evaluations: %d opened and announced", announced)
    return announced


def invitation(deps: Deps, principal: Principal, period_id: str, student_ref: str) -> dict | None:
    """What the caller's page says about their party's evaluation of the placement: `open` (the window is
    open), `opens_on` (the day it opens; None once open or without an end date), `started` and `done` (this
    party evaluated already); None without a POK the caller may see, or for a caller who does not evaluate."""
    pok = store_of(deps).pok(principal.region_id, period_id, student_ref)
    by = EVALUATOR_OF_ROLE.get(principal.role)
    if by is None or pok is None or not may_see(principal, pok):
        return None
    done = any(e.student_ref == pok.student_ref and e.by == by
               for e in deps.views.period_evaluations(pok.region_id, period_id))
    is_open = not window_errors(pok, _today(deps), deps.evaluation_open_days)
    waits = not is_open and pok.status not in ENDED  # ended early before its start: it never opens
    return {"open": is_open, "opens_on": opens_on(pok, deps.evaluation_open_days) if waits else None,
            "started": started(pok), "done": done}


def _today(deps: Deps) -> date:
    """Today in Dutch time."""
    return deps.clock().astimezone(LOCAL_ZONE).date()


def _party(deps: Deps, principal: Principal, period_id: str, student_ref: str, pok: Pok | None) -> bool:
    """Whether the caller is a party of the POK or, without one (not accepted yet), of the placement."""
    if pok is not None:
        return may_see(principal, pok)
    placement = deps.views.placement(principal.region_id, period_id, student_ref)
    return placement is not None and may_act_on(principal, placement)


def evaluations_of_period(deps: Deps, region_id: str, period_id: str) -> EvaluationFigures:
    """The evaluation figures of a region and period: its POKs that started and their evaluations."""
    poks = [pok for pok in store_of(deps).poks(region_id) if pok.period_id == period_id] \
        if deps.aftercare is not None else []
    return evaluation_figures(poks, deps.views.period_evaluations(region_id, period_id))


def evaluation_response(figures: EvaluationFigures) -> dict[str, dict[str, str]]:
    """Per evaluator: placements started, placements evaluated and the share, as shown (small cells "<5");
    the demo's aftercare figures and the report's `evaluation_response` section print the same numbers."""
    return {by: {"placements_started": shown_count(figures.started),
                 "evaluated": shown_count(figures.responses.get(by, 0)),
                 "response_share": shown_rate(figures.responses.get(by, 0), figures.started)}
            for by in EVALUATORS}
