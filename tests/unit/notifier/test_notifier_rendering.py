"""Messages are rendered from the template files, in Dutch by default and English on request."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from notifier.adapters.rendering import TemplateRenderer
from notifier.domain import messages
from notifier.domain.model import Contact, Hint, PlaceInfo, RoundInfo, StudentOutcome

T = datetime(2027, 1, 10, 9, tzinfo=UTC)
ROUND = RoundInfo("rnd-1", "reg-1", "2027-p1", T, T + timedelta(days=7))
PLACE = PlaceInfo("plc-1", "org-1", "Zorggroep Noord", "Hoofdweg 1, Groningen", "2027-02-01",
                  "Mevr. de Vries", "stage@zorg.example", "050 123", reserved_for=("sch-a",))
PLACED = StudentOutcome("s1", "sch-a", "placed", "plc-1", "org-1", "top1", 22, ("crebo", "travel"))
UNPLACED = StudentOutcome("s2", "sch-a", "unplaced", reason_code="NO_ELIGIBLE_PLACE", binding_constraint="travel",
                          hints=(Hint("travel", 15.0, "minuten", 4),))
MELDPUNT = "https://www.stagemarkt.nl/meldpunt-stagediscriminatie"


def render(outcome, lang="nl", name="student_placed"):
    context = messages.student_context(ROUND, outcome, PLACE if outcome.place_id else None,
                                       Contact(name="Sanne", lang=lang), "https://sp.example/api/v1/placements/rnd-1")
    return TemplateRenderer().render(name, context, lang)


def test_a_placed_student_learns_where_when_who_why_and_how_to_answer_in_dutch():
    message = render(PLACED)
    assert message.lang == "nl" and "Zorggroep Noord" in message.subject
    for fact in ("Hoofdweg 1, Groningen", "2027-02-01", "Mevr. de Vries", "stage@zorg.example", "gereserveerd",
                 "je eerste keuze", "22 minuten", "praktijkovereenkomst", "2027-01-17 09:00",
                 "https://sp.example/api/v1/placements/rnd-1/accept", "/refuse", "erkend voor jouw opleiding"):
        assert fact in message.body, fact


def test_every_student_message_says_how_to_report_discrimination_inside_and_outside_school():
    for outcome, name in ((PLACED, "student_placed"), (UNPLACED, "student_unplaced"), (PLACED, "reminder")):
        for lang, inside in (("nl", "Binnen school"), ("en", "Inside your school")):
            body = render(outcome, lang, name).body
            assert MELDPUNT in body and inside in body, (name, lang)


def test_an_unplaced_student_learns_why_and_what_happens_next():
    body = render(UNPLACED, name="student_unplaced").body
    assert "Er was geen plek die aan al jouw objectieve voorwaarden voldeed." in body
    assert "15 minuten" in body and "4 plekken" in body and "volgende ronde" in body


def test_english_is_used_when_the_recipient_reads_english():
    message = render(PLACED, "en")
    assert message.lang == "en" and message.subject.startswith("Your internship")
    assert "practice agreement" in message.body and "reserved for you" in message.body


def test_a_school_overview_lists_its_students_and_flags_unreachable_ones():
    rows = messages.school_rows([PLACED, UNPLACED], {"plc-1": PLACE},
                                {"s1": Contact(name="Sanne"), "s2": Contact(name="Ahmed")}, {"s2": "invalid_address"})
    context = messages.school_context(ROUND, Contact(name="ROC Alfa"), rows)
    message = TemplateRenderer().render("school_overview", context, "nl")
    assert "1 geplaatst, 1 niet geplaatst" in message.subject
    assert "Sanne: geplaatst, Zorggroep Noord" in message.body
    assert "Niet bereikbaar per e-mail (1)" in message.body and "Ahmed: ongeldig e-mailadres" in message.body
