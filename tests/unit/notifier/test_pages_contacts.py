"""The contact details behind the organisation's page and the e-mails: the notifier reads intake's answer
(a list of contacts, each with its student_ref) and treats "none released" (404) as no contacts."""

from __future__ import annotations

from typing import Any

from notifier.adapters.directory import HttpDirectory


class Answer:
    def __init__(self, status_code: int, body: Any):
        self.status_code, self.body = status_code, body

    def json(self) -> Any:
        return self.body


def directory_answering(status: int, body: Any) -> HttpDirectory:
    directory = HttpDirectory("http://intake", "token")
    directory.session.get = lambda *args, **kwargs: Answer(status, body)  # type: ignore[method-assign]
    return directory


def test_intakes_list_of_contacts_is_read_by_student_ref_and_limited_to_the_asked_ones():
    body = {"contacts": [{"student_ref": "s1", "school_id": "sch", "name": "Sanne", "email": "s@x.example",
                          "phone": "06"}, {"student_ref": "s9", "name": "Other", "email": "o@x.example"}],
            "not_found": ["s2"]}
    found = directory_answering(200, body).contacts(["s1", "s2"])
    assert list(found) == ["s1"] and found["s1"].name == "Sanne" and found["s1"].email == "s@x.example"


def test_no_released_student_among_the_asked_ones_is_no_contacts_not_an_outage():
    assert directory_answering(404, {"error": "not_found"}).contacts(["s1"]) == {}


def test_a_school_answer_uses_its_contact_email():
    school = directory_answering(200, {"school_id": "sch", "name": "ROC", "contact_email": "bpv@roc.example"})
    assert school.school("sch").email == "bpv@roc.example"


def test_a_places_contact_person_is_read_by_place_id_and_none_released_is_no_contacts():
    body = {"contacts": [{"place_id": "plc-1", "organisation_id": "org-1", "name": "Mevr. Brink",
                          "email": "brink@org.example", "phone": "050"}], "not_found": ["plc-2"]}
    found = directory_answering(200, body).place_contacts(["plc-1", "plc-2"])
    assert list(found) == ["plc-1"] and found["plc-1"].name == "Mevr. Brink" and found["plc-1"].phone == "050"
    assert directory_answering(404, {"error": "not_found"}).place_contacts(["plc-1"]) == {}
