"""Intake's use cases, what the HTTP API and the pages call: functions `verb_noun(deps, ...)`, one module per
responsibility (wishes, places, students, regions) plus the steps they share (common).

Every command that publishes follows pattern A, **publish, then store** (commands.common.commit): validate,
publish and wait for Kafka's acknowledgement (PublishFailed -> nothing stored), then store intake's own
records; event ids derived from an Idempotency-Key make a retry republish the same ids.
Callers use `from intake import commands` and `commands.submit_wishes(deps, ...)`.
"""

from .catalogue import Catalogue, Offer, choose_top_places, place_names, student_catalogue, student_periods
from .common import Prepared, RowProblem, commit, event_ids, student_ref
from .places import (
    check_place_rows, own_place, place_contacts, places_of_organisation, post_places, update_place, withdraw_place,
)
from .regions import create_period, list_periods, register_school, school, school_names
from .sign_in import delete_sign_in_rule, put_sign_in_rule, sign_in_rules
from .status import ShownStatus, placement_statuses
from .students import (
    contacts, erase_student, find_student_ref, names_for_review, own_student, student_file, students_of_school,
)
from .wishes import check_wish_rows, opt_out, own_wish, submit_wishes, withdraw_wish

__all__ = [
    "Catalogue", "Offer", "choose_top_places", "place_names", "student_catalogue", "student_periods",
    "Prepared", "RowProblem", "check_place_rows", "check_wish_rows", "commit", "contacts", "create_period",
    "delete_sign_in_rule", "erase_student", "event_ids", "find_student_ref", "list_periods", "names_for_review", "opt_out",
    "own_place", "own_student", "own_wish", "place_contacts", "placement_statuses", "places_of_organisation",
    "post_places", "ShownStatus",
    "put_sign_in_rule",
    "register_school", "school", "school_names", "sign_in_rules", "student_file", "student_ref", "students_of_school",
    "submit_wishes", "update_place", "withdraw_place", "withdraw_wish",
]
