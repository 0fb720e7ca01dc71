"""Placement agreement (POK) use cases (issue 20.1): the draft an accepted placement creates, the school's
contact per organisation (R38), filling in, sending, signing, starting and ending a POK, and its export.

Who: the student, staff of the student's school and staff of the organisation act on their own POK (anyone
else: NotFound). School staff name their school's contacts, send, start and end. Store and publish: the draft
is created by the `placement.accepted` handler (pattern B, nothing published); every status change is an HTTP
command that publishes `agreement.status_changed` (ids and codes only) and stores after the acknowledgement
(pattern A), and so is the early end the `placement.failed` handler makes of a failed placement's POK. Imports the shared event payloads, the domain, the errors and the ports.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import date

from stagepool_shared.auth import Principal
from stagepool_shared.envelope import new_envelope
from stagepool_shared.events.aftercare import AgreementStatusChanged
from stagepool_shared.events.placements import PlacementAccepted, PlacementFailed

from ..domain.aftercare import (END_REASONS, Pok, PokPeople, SchoolContact, bpv_export, detail_errors,
                                ended_by_failure, may_move, pok_id_of, sign)
from ..errors import InvalidInput, InvalidTransition, NotFound
from ..ports import AbstractAftercareStore, Deps
from .followup import SCHOOL_ROLES, may_act_on

logger = logging.getLogger(__name__)

SIGNER_OF_ROLE = {"student": "student", "school_staff": "school", "support_staff": "school",
                  "organisation_staff": "organisation"}


def store_of(deps: Deps) -> AbstractAftercareStore:
    """The aftercare store (bootstrap always wires one)."""
    if deps.aftercare is None:
        raise RuntimeError("reporting was wired without an aftercare store")
    return deps.aftercare


def _now(deps: Deps) -> str:
    return deps.clock().isoformat(timespec="seconds")


def create_pok_draft(deps: Deps, event_id: str, accepted: PlacementAccepted, period_id: str) -> bool:
    """The draft POK of an accepted placement, once; False when it exists already. A POK of another place (its
    placement failed) is kept as history by the store, so the new draft gets an id of its own."""
    earlier = store_of(deps).pok(accepted.region_id, period_id, accepted.student_ref)
    later = event_id if earlier is not None and earlier.place_id != accepted.place_id else ""
    pok = Pok(pok_id_of(accepted.region_id, period_id, accepted.student_ref, later), accepted.region_id, period_id,
              accepted.student_ref, accepted.school_id, accepted.organisation_id, accepted.place_id,
              accepted.round_id, created_at=_now(deps))
    created = store_of(deps).create_pok(event_id, pok)
    if created:
        logger.info("POK draft %s created", pok.pok_id)
    return created


def end_failed_pok(deps: Deps, failed: PlacementFailed, period_id: str) -> Pok | None:
    """A failed placement ends its POK early, the cause as the reason code, published like every status change;
    None when the student has no POK of that place or it ended already (a redelivery)."""
    if deps.aftercare is None:
        return None
    pok = deps.aftercare.pok(failed.region_id, period_id, failed.student_ref)
    ended = pok and ended_by_failure(pok, failed.place_id, failed.organisation_id, failed.reason_code, _now(deps))
    return _move(deps, ended) if ended else None


def may_see(principal: Principal, pok: Pok) -> bool:
    """The student, their school's staff, or the organisation's staff, of the POK's region."""
    return principal.region_id == pok.region_id and may_act_on(principal, pok)


def read_pok(deps: Deps, principal: Principal, period_id: str, student_ref: str) -> tuple[Pok, PokPeople]:
    """A POK the caller may see, with its people; NotFound otherwise."""
    pok = store_of(deps).pok(principal.region_id, period_id, student_ref)
    if pok is None or not may_see(principal, pok):
        raise NotFound(student_ref)
    return pok, store_of(deps).pok_people(pok.pok_id)


def _school_pok(deps: Deps, principal: Principal, period_id: str, student_ref: str) -> tuple[Pok, PokPeople]:
    """A POK of the caller's own school (only school staff move it); NotFound otherwise."""
    pok, people = read_pok(deps, principal, period_id, student_ref)
    if principal.role not in SCHOOL_ROLES:
        raise NotFound(student_ref)
    return pok, people


def set_school_contact(deps: Deps, principal: Principal, organisation_id: str, name: str, email: str) -> None:
    """R38: school staff name their school's contact person for an organisation (sealed at rest)."""
    if principal.role not in SCHOOL_ROLES:
        raise NotFound(organisation_id)
    store_of(deps).put_school_contact(principal.region_id, principal.scope, organisation_id,
                                      SchoolContact(name.strip(), email.strip()))


def read_school_contact(deps: Deps, principal: Principal, organisation_id: str) -> SchoolContact | None:
    """The caller's school's contact for an organisation, if named."""
    if principal.role not in SCHOOL_ROLES:
        raise NotFound(organisation_id)
    return store_of(deps).school_contact(principal.region_id, principal.scope, organisation_id)


def fill_pok(deps: Deps, principal: Principal, period_id: str, student_ref: str, start_date: date,
             end_date: date, hours: int, supervisor_name: str) -> Pok:
    """School or organisation staff fill in a draft's period, hours and workplace supervisor; the school's
    contact for the organisation is taken from the school's contacts (R38). Field errors change nothing."""
    pok, people = read_pok(deps, principal, period_id, student_ref)
    if principal.role == "student":
        raise NotFound(student_ref)
    if pok.status != "draft":
        raise InvalidTransition(pok.status, "draft")
    contact = store_of(deps).school_contact(pok.region_id, pok.school_id, pok.organisation_id)
    new_people = PokPeople(contact, supervisor_name.strip())
    errors = detail_errors(start_date, end_date, hours, new_people)
    errors.pop("school_contact", None)  # a draft may wait for the contact; sending may not
    if errors:
        raise InvalidInput(errors)
    filled = replace(pok, start_date=start_date.isoformat(), end_date=end_date.isoformat(), hours=hours,
                     updated_at=_now(deps))
    store_of(deps).save_pok(filled, new_people)
    return filled


def send_pok(deps: Deps, principal: Principal, period_id: str, student_ref: str) -> Pok:
    """School staff send a complete draft to be signed; without the school contact it is a field error."""
    pok, people = _school_pok(deps, principal, period_id, student_ref)
    if not may_move(pok.status, "sent"):
        raise InvalidTransition(pok.status, "sent")
    people = replace(people, school_contact=people.school_contact or store_of(deps).school_contact(
        pok.region_id, pok.school_id, pok.organisation_id))
    errors = detail_errors(_date(pok.start_date), _date(pok.end_date), pok.hours, people)
    if errors:
        raise InvalidInput(errors)
    return _move(deps, replace(pok, status="sent", updated_at=_now(deps)), people)


def sign_pok(deps: Deps, principal: Principal, period_id: str, student_ref: str) -> Pok:
    """The caller signs for their party; the last of student, school and organisation makes it signed."""
    pok, _ = read_pok(deps, principal, period_id, student_ref)
    if pok.status != "sent":
        raise InvalidTransition(pok.status, "signed")
    signed = sign(pok, SIGNER_OF_ROLE[principal.role], _now(deps))
    if signed.status == pok.status:
        store_of(deps).save_pok(signed)
        return signed
    return _move(deps, signed)


def start_pok(deps: Deps, principal: Principal, period_id: str, student_ref: str) -> Pok:
    """School staff mark a signed POK active (the internship started)."""
    pok, _ = _school_pok(deps, principal, period_id, student_ref)
    if not may_move(pok.status, "active"):
        raise InvalidTransition(pok.status, "active")
    return _move(deps, replace(pok, status="active", updated_at=_now(deps)))


def end_pok(deps: Deps, principal: Principal, period_id: str, student_ref: str, early: bool,
            reason: str | None) -> Pok:
    """School staff end a POK; ending early needs a reason code."""
    pok, _ = _school_pok(deps, principal, period_id, student_ref)
    wanted = "ended_early" if early else "ended"
    if early and reason not in END_REASONS:
        raise InvalidInput({"reason": ["end_reason_required"]})
    if not may_move(pok.status, wanted):
        raise InvalidTransition(pok.status, wanted)
    return _move(deps, replace(pok, status=wanted, end_reason=reason if early else None, updated_at=_now(deps)))


def export_pok(deps: Deps, principal: Principal, period_id: str, student_ref: str) -> dict:
    """The POK under the BPV exchange's field names."""
    pok, people = read_pok(deps, principal, period_id, student_ref)
    return bpv_export(pok, people)


def student_name(deps: Deps, pok: Pok) -> str | None:
    """The student's name from intake for the printed POK (asked per view, never stored); None without it."""
    return deps.directory.name(pok.school_id, pok.student_ref) if deps.directory is not None else None


def _move(deps: Deps, pok: Pok, people: PokPeople | None = None) -> Pok:
    """Publish the new status (acks), then store it (pattern A)."""
    payload = AgreementStatusChanged(pok.region_id, pok.period_id, pok.student_ref, pok.school_id, pok.organisation_id,
                                     agreement_id=pok.pok_id, status=pok.status, end_reason=pok.end_reason,
                                     place_id=pok.place_id or None)
    deps.publisher.publish_all([new_envelope("agreement.status_changed", payload, producer="reporting",
                                             partition_key=pok.region_id)])
    store_of(deps).save_pok(pok, people)
    logger.info("POK %s is %s", pok.pok_id, pok.status)
    return pok


def _date(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None
