"""Messages are rendered from the template files, in Dutch by default and English on request."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from notifier.adapters.rendering import TemplateRenderer
from notifier.domain import messages
from notifier.domain.model import Contact, Hint, PlaceInfo, RoundInfo, StudentOutcome

T = datetime(2027, 1, 10, 9, tzinfo=UTC)
ROUND = RoundInfo("rnd-1", "reg-1", "2027-p1", T, T + timedelta(days=7))
PLACE = PlaceInfo("plc-1", "org-1", "Zorggroep Noord", "Hoofdweg 1, Groningen", "2027-02-01",
                  reserved_for=("sch-a",))
#: The place's contact person: from intake at delivery time, never kept with the place (issue 19.4).
PLACE_CONTACT = Contact(name="Mevr. de Vries", email="stage@zorg.example", phone="050 123")
PLACED = StudentOutcome("s1", "sch-a", "placed", "plc-1", "org-1", "top1", 22, ("crebo", "travel"))
UNPLACED = StudentOutcome("s2", "sch-a", "unplaced", reason_code="NO_ELIGIBLE_PLACE", binding_constraint="travel_time",
                          hints=(Hint("travel_time", 15.0, "minutes", 4), Hint("allowance", 1.0, "", 1)))  # as the matcher sends them
LOST_OUT = StudentOutcome("s3", "sch-a", "unplaced", reason_code="ALL_TAKEN_UNDER_FAIR_SHARE",
                          hints=(Hint("irregular_shifts", 1.0, "", 2),))
MELDPUNT = "https://www.stagemarkt.nl/meldpunt-stagediscriminatie"


def render(outcome, lang="nl", name="student_placed"):
    context = messages.student_context(ROUND, outcome, PLACE if outcome.place_id else None,
                                       Contact(name="Sanne", lang=lang), "https://sp.example/api/v1/placements/rnd-1",
                                       place_contact=PLACE_CONTACT)
    return TemplateRenderer().render(name, context, lang)


def test_a_placed_student_learns_where_when_who_why_and_how_to_answer_in_dutch():
    message = render(PLACED)
    assert message.lang == "nl" and "Zorggroep Noord" in message.subject
    for fact in ("Hoofdweg 1, Groningen", "2027-02-01", "Mevr. de Vries", "stage@zorg.example", "gereserveerd",
                 "je eerste keuze", "22 minuten", "praktijkovereenkomst", "17-01-2027 10:00 CET",
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
    assert ("Wat de doorslag gaf: de reistijd (de plekken die verder bij je passen liggen verder weg dan jouw "
            "maximale reistijd)") in body
    assert "- Met 15 minuten meer reistijd zouden er 4 passende plekken bij komen." in body
    assert "- 1 plek zou passen als je geen stagevergoeding nodig had." in body
    assert "volgende ronde" in body


def test_a_student_who_lost_out_under_fair_shares_is_told_so_in_words_not_codes():
    for lang, why, hint in (
            ("nl", "Er waren plekken die bij je passen, maar die zijn bij een eerlijke verdeling over de scholen van "
                   "de regio aan andere studenten gegeven.",
             "2 plekken zouden passen als onregelmatige diensten voor je mogelijk waren."),
            ("en", "There were places that suit you, but under a fair share across the region's schools they went "
                   "to other students.", "2 places would suit you if irregular shifts were possible for you.")):
        body = render(LOST_OUT, lang, "student_unplaced").body
        assert why in body and hint in body and "ALL_TAKEN_UNDER_FAIR_SHARE" not in body, lang


def test_every_reason_criterion_and_hint_the_matcher_sends_has_words_in_both_languages():
    from matcher.domain.eligibility import CRITERIA
    from matcher.domain.explain import RELAXABLE
    from notifier.adapters.rendering import hint_text

    renderer = TemplateRenderer()
    for lang in ("nl", "en"):
        labels = renderer.labels(lang)
        assert {"NO_ELIGIBLE_PLACE", "ALL_TAKEN_UNDER_FAIR_SHARE"} <= set(labels["reason"]), lang
        assert set(CRITERIA) <= set(labels["binding"]), lang
        assert set(RELAXABLE) <= set(labels["hint"]), lang
        for criterion in RELAXABLE:
            one, many = hint_text(labels, criterion, 15.0, 1), hint_text(labels, criterion, 15.0, 3)
            assert "{" not in one + many and "15.0" not in one + many and "3" in many, (lang, criterion)


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


def test_a_hint_says_how_many_opened_places_have_a_free_slot_and_when_that_may_not_be_enough():
    # issue 17: K places open, F of them with a free slot; F == 0 may not be enough. Old outcomes carry no F.
    counted = StudentOutcome("s4", "sch-a", "unplaced", reason_code="ALL_TAKEN_UNDER_FAIR_SHARE",
                             hints=(Hint("travel_time", 15.0, "minutes", 135, 4), Hint("allowance", 1.0, "", 3, 0)))
    body = render(counted, name="student_unplaced").body
    assert "- Met 15 minuten meer reistijd zouden er 135 passende plekken bij komen (4 met een vrije plek)." in body
    assert ("- 3 plekken zouden passen als je geen stagevergoeding nodig had (geen met een vrije plek, dus dit is "
            "misschien niet genoeg).") in body
    body = render(counted, "en", name="student_unplaced").body
    assert "- 15 more minutes of travel would open 135 more places that suit you (4 with a free slot)." in body
    assert ("- 3 places would suit you if you did not need an internship allowance (none with a free slot, so this "
            "may not be enough).") in body
