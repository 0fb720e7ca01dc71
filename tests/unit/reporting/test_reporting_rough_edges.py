"""Rough edges of reporting's pages (issue 14): "past niet" is confirmed first (13), the student's report form
names the organisation by name, from their own placements or found by name (15), and the report page shows
reasons in words and says why its lowest school rate may differ from a round's (16)."""

from __future__ import annotations

from tests.fakes.reporting import ORG_PRINCIPAL, PERIOD, STUDENT
from tests.unit.reporting.test_pages_reporting import setup, signed_in  # noqa: F401 (fixture)


def test_flagging_not_suitable_asks_for_confirmation_first_and_publishes_nothing_before(setup):
    org = signed_in(setup, ORG_PRINCIPAL)
    base = f"/pages/followup/{PERIOD}/{STUDENT}"
    form = {"csrf_token": org.csrf, "reason_code": "safety", "after_introduction": "true"}
    first = org.post(base + "/not_suitable", data=form)
    body = first.get_data(as_text=True)
    assert first.status_code == 200 and 'id="confirm"' in body and "niet past" in body and "veiligheid" in body
    assert 'name="reason_code" value="safety"' in body and 'name="confirmed" value="1"' in body
    assert f'href="{base}"' in body and "<script" not in body
    assert setup.publisher.events() == []
    assert org.post(base + "/not_suitable", data={**form, "confirmed": "1"}).status_code == 302
    (failed,) = setup.publisher.events("placement.failed")
    assert failed.payload.reason_code == "safety" and failed.payload.after_introduction is True


def test_a_bad_not_suitable_form_shows_its_message_before_any_confirmation(setup):
    org = signed_in(setup, ORG_PRINCIPAL)
    answer = org.post(f"/pages/followup/{PERIOD}/{STUDENT}/not_suitable", data={"csrf_token": org.csrf})
    assert answer.status_code == 422 and 'id="confirm"' not in answer.get_data(as_text=True)


def _mixed_period():
    from reporting.domain.figures import PeriodSnapshot, PlacementFact, RoundFact, WishFact

    wishes = [WishFact(f"stu-a{i}", "sch-alfa", "zorg", 4) for i in range(6)]
    codes = ["ALL_TAKEN_UNDER_FAIR_SHARE", "NO_ELIGIBLE_PLACE", "PLACE_WITHDRAWN", None]
    placements = [PlacementFact(w.student_ref, w.school_id, "unplaced", reason_code=codes[i])
                  for i, w in enumerate(wishes[:4])]
    placements.append(PlacementFact("stu-a4", "sch-alfa", "refused"))
    summary = {"students": 6, "placed": 1, "worst_school_rate": 0.5, "best_school_rate": 0.5}
    return PeriodSnapshot("reg-g", PERIOD, wishes=wishes, placements=placements,
                          rounds=[RoundFact("rnd-1", "initial", "2027-01-11T09:00:00Z", summary, {"seed": 7})])


def test_the_report_names_every_reason_in_words_and_shows_times_in_dutch_time():
    from reporting.domain.figures import period_figures
    from reporting.report.render import render_html

    for lang, words in (("nl", ("bezet bij eerlijke verdeling", "ingetrokken", "plaats geweigerd", "onbekend")),
                        ("en", ("taken under a fair share", "withdrawn", "place refused", "unknown"))):
        html = render_html(period_figures(_mixed_period()), lang)
        for code in ("ALL_TAKEN_UNDER_FAIR_SHARE", "NO_ELIGIBLE_PLACE", "PLACE_WITHDRAWN", ">refused<", "UTC",
                     "09:00:00Z", "+00:00") + ((">unknown<",) if lang == "nl" else ()):
            assert code not in html, (lang, code)
        for word in words:
            assert word in html, (lang, word)
        assert "11-01-2027 10:00 CET" in html


def test_the_report_page_says_why_its_lowest_school_rate_may_differ_from_a_round_s(setup):
    from tests.fakes.reporting import COORDINATOR, REGION

    setup.views.snapshots[(REGION, PERIOD)] = _mixed_period()
    client = signed_in(setup, COORDINATOR)
    body = client.get(f"/pages/coordinator?period={PERIOD}").get_data(as_text=True)
    note = body.split('id="figures-note">')[1].split("</p>")[0]
    assert "per school over de hele periode" in note and "per school en sector" in note and "rondepagina" in note
    assert "ALL_TAKEN_UNDER_FAIR_SHARE" not in body and "PLACE_WITHDRAWN" not in body
    english = client.get(f"/pages/coordinator?period={PERIOD}&lang=en").get_data(as_text=True)
    assert "per school over the whole period" in english.split('id="figures-note">')[1]


def named_places(views) -> None:
    """The student's own placement (org-umcg) gets its name; two more organisations have places in the region."""
    from reporting.domain.figures import PlaceFact
    from tests.fakes.reporting import REGION

    views.places[(REGION, PERIOD, "plc-umcg-01")] = PlaceFact("plc-umcg-01", "org-umcg", "zorg", (3, 4), 6,
                                                              organisation_name="UMCG Stagebureau")
    views.places[(REGION, PERIOD, "plc-zn-01")] = PlaceFact("plc-zn-01", "org-zn", "zorg", (3,), 2,
                                                            organisation_name="Zorggroep Noord")
    views.places[(REGION, PERIOD, "plc-zz-01")] = PlaceFact("plc-zz-01", "org-zz", "zorg", (3,), 2,
                                                            organisation_name="Zorggroep Zuid")


def report(client, **fields):
    from tests.fakes.reporting import STUDENT_PRINCIPAL  # noqa: F401

    return client.post("/pages/report", data={"csrf_token": client.csrf, "description": "Ze wilden geen stagiair met "
                                              "een hoofddoek.", "incident_date": "2027-02-20", **fields})


def test_the_report_form_offers_the_students_own_placements_by_name_and_never_asks_for_a_code(setup):
    from tests.fakes.reporting import STUDENT_PRINCIPAL

    named_places(setup.views)
    body = signed_in(setup, STUDENT_PRINCIPAL).get("/pages/report").get_data(as_text=True)
    picker = body.split('id="organisation_id"')[1].split("</select>")[0]
    assert '<option value="org-umcg" selected>UMCG Stagebureau</option>' in picker
    assert "Zorggroep Noord" not in picker  # only the student's own placements in the list
    assert '<datalist id="organisation-names">' in body and '<option value="Zorggroep Noord">' in body
    assert "code van de organisatie" not in body and "org-zorggroep" not in body


def test_a_student_finds_the_organisation_by_the_name_they_know_and_the_desk_gets_its_id(setup):
    from tests.fakes.reporting import STUDENT_PRINCIPAL

    named_places(setup.views)
    client = signed_in(setup, STUDENT_PRINCIPAL)
    answer = report(client, organisation_id="", organisation_name="  zorggroep   NOORD ")
    assert answer.status_code == 302, answer.get_data(as_text=True)
    [filed] = setup.publisher.events("desk.report_filed")
    assert filed.payload.organisation_id == "org-zn"
    assert "Zorggroep" not in str(filed.payload)  # the name typed is never published


def test_a_part_of_the_name_is_enough_when_one_organisation_has_it(setup):
    from tests.fakes.reporting import STUDENT_PRINCIPAL

    named_places(setup.views)
    assert report(signed_in(setup, STUDENT_PRINCIPAL), organisation_name="zuid").status_code == 302
    assert setup.publisher.events("desk.report_filed")[0].payload.organisation_id == "org-zz"


def test_an_unknown_or_ambiguous_name_is_a_message_next_to_the_name_and_files_nothing(setup):
    from tests.fakes.reporting import STUDENT_PRINCIPAL

    named_places(setup.views)
    client = signed_in(setup, STUDENT_PRINCIPAL)
    unknown = report(client, organisation_name="Bakkerij de Korenschoof")
    body = unknown.get_data(as_text=True)
    assert unknown.status_code == 422 and 'id="organisation_name-error"' in body
    assert "geen organisatie met deze naam" in body and "niet de verwachte vorm" not in body
    assert 'value="Bakkerij de Korenschoof"' in body
    several = report(client, organisation_name="Zorggroep").get_data(as_text=True)
    assert "Meerdere organisaties" in several and "Zorggroep Noord, Zorggroep Zuid" in several
    assert setup.publisher.events() == []


def test_place_events_keep_the_organisation_name_for_the_form():
    from reporting import handlers
    from stagepool_shared.envelope import new_envelope
    from stagepool_shared.testing.samples import sample_payload
    from tests.fakes.reporting import RecordingProjections, bootstrap_with_doubles

    projections = RecordingProjections()
    place = sample_payload("place.posted")
    envelope = new_envelope("place.posted", place, producer="test", partition_key=place.region_id)
    handlers.handle(envelope, bootstrap_with_doubles(projections=projections).deps)
    [(_, args)] = [c for c in projections.calls if c[0] == "put_place"]
    assert args[-1].organisation_name == place.organisation_name and place.organisation_name
