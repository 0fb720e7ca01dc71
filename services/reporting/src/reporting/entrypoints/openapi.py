"""The OpenAPI document of reporting's API (the desk, follow-up and signals, the period report): one `Op` per
view, naming the schemas the views validate with; paths, methods and roles come from the routes themselves
(stagepool_shared.web.openapi; the desk's views check the role themselves, so their `Op` names it). Served at
/api/v1/openapi.json and rendered at /api/docs; an API route without an Op here fails the document. Imports the
shared document builder and the edge schemas.
"""

from __future__ import annotations

from stagepool_shared.web.openapi import ApiDoc, Op

from .. import schemas

DESK = ("desk_staff",)
CSV = {"text/csv": {"schema": {"type": "string"}}}
HTML = {"text/html": {"schema": {"type": "string"}}}

API = ApiDoc(
    title="Stagepool reporting",
    description="The discrimination desk (filing by students and school staff, handling by desk staff), the "
                "follow-up of placements, the coordinator's signals and the period report. Desk routes answer "
                "404 to everyone but desk staff. Answers in Dutch by default; ?lang=en for English.",
    intro="Het meldpunt (melden door studenten en schoolmedewerkers, afhandelen door het meldpunt), de begeleiding "
          "van stages, de signalen voor de coördinator en het periodeverslag. Routes van het meldpunt antwoorden "
          "404 aan iedereen behalve medewerkers van het meldpunt.",
    operations={
        "desk.file_report": Op("File a desk report", tag="desk", body=schemas.NewReportSchema, ok=201, write=True,
                               errors=(429,)),
        "desk.list_reports": Op("The region's desk cases (?view=overdue: past their deadline)", tag="desk",
                                roles=DESK, query=schemas.CaseListQuery),
        "desk.read_report": Op("One desk case", tag="desk", roles=DESK),
        "desk.change_status": Op("Move a desk case to another status", tag="desk", roles=DESK,
                                 body=schemas.StatusChangeSchema, write=True),
        "desk.alternative_placement": Op("Ask for an alternative placement for the case's student", tag="desk",
                                         roles=DESK, body=schemas.AlternativePlaceSchema, ok=202, write=True),
        "desk.sbb_export": Op("Cases forwarded to SBB, without personal data (?format=csv: as CSV)", tag="desk",
                              roles=DESK, query=schemas.ExportQuery, content=CSV),
        "desk_sbb.sbb_forward": Op("Forward a case to SBB (from in_progress); answers the case and the export sent",
                                   tag="desk", roles=DESK, write=True),
        "desk_sbb.case_sbb_export": Op("What is sent to SBB about a forwarded case, export format version 1 "
                                       "(?format=csv: as CSV; docs/reporting.md documents every field)", tag="desk",
                                       roles=DESK, query=schemas.ExportQuery, content=CSV, errors=(422,)),
        "desk_sbb.sbb_answer": Op("Record SBB's answer to a forwarded case: date, SBB's reference, outcome code",
                                  tag="desk", roles=DESK, body=schemas.SbbAnswerSchema, write=True),
        "desk_sbb.sbb_measure": Op("Record a measure taken after SBB's answer: owner role, deadline, status",
                                   tag="desk", roles=DESK, body=schemas.SbbMeasureSchema, ok=201, write=True),
        "desk_sbb.sbb_measure_status": Op("Set the status of a measure of a forwarded case", tag="desk", roles=DESK,
                                          body=schemas.SbbMeasureStatusSchema, write=True),
        "desk_sbb.sbb_overdue": Op("SBB answers and measures past their deadline, the most overdue first", tag="desk",
                                   roles=DESK),
        "followup.not_suitable": Op("Flag a placement as not suitable", tag="followup",
                                    body=schemas.NotSuitableSchema, ok=202, write=True),
        "followup.add_contact": Op("Record a contact moment of a placement", tag="followup",
                                   body=schemas.ContactMomentSchema, ok=201, write=True),
        "followup.contact_status": Op("The contact status of a placement", tag="followup",
                                      query=schemas.PeriodQuery),
        "followup.evaluate": Op("End evaluation of a placement at its end, by the student, the school or the "
                                "organisation: open from REPORTING_EVALUATION_OPEN_DAYS (14) days before the POK's "
                                "end date or once it ended (422 at placement: it never started, or the evaluation "
                                "opens later; the message says from when)", tag="followup",
                                body=schemas.EvaluationSchema, ok=201,
                                write=True),
        "followup.missing_contacts": Op("Placements missing contact moments", tag="followup"),
        "followup.signals": Op("Signals per organisation of the coordinator's region", tag="signals"),
        "aftercare.put_school_contact": Op("Name the school's contact person for an organisation (R38)",
                                           tag="aftercare", body=schemas.SchoolContactSchema, write=True),
        "aftercare.get_school_contact": Op("The school's contact person for an organisation", tag="aftercare"),
        "aftercare.read_pok": Op("A placement agreement (POK) under the BPV exchange's field names",
                                 tag="aftercare", query=schemas.PeriodQuery),
        "aftercare.fill_pok": Op("Fill in a draft POK: period, hours, workplace supervisor", tag="aftercare",
                                 body=schemas.PokDetailsSchema, write=True),
        "aftercare.send_pok": Op("Send a complete POK to be signed", tag="aftercare", body=schemas.PokStepSchema,
                                 write=True),
        "aftercare.sign_pok": Op("Sign a sent POK for the caller's party", tag="aftercare",
                                 body=schemas.PokStepSchema, write=True),
        "aftercare.start_pok": Op("Mark a signed POK active", tag="aftercare", body=schemas.PokStepSchema,
                                  write=True),
        "aftercare.end_pok": Op("End a POK (early: with a reason code)", tag="aftercare",
                                body=schemas.PokEndSchema, write=True),
        "introductions.propose": Op("Propose the moment of the kennismaking (organisation)", tag="aftercare",
                                    body=schemas.IntroductionProposalSchema, ok=201, write=True),
        "introductions.read": Op("The kennismaking of a placement", tag="aftercare", query=schemas.PeriodQuery),
        "introductions.confirm": Op("Confirm the proposed moment (the student)", tag="aftercare",
                                    body=schemas.PokStepSchema, write=True),
        "introductions.accompany": Op("Mark a teacher as accompanying the student (R107)", tag="aftercare",
                                      body=schemas.IntroductionAccompanySchema, write=True),
        "introductions.outcome": Op("Record the outcome; a rejection needs an R106 reason code", tag="aftercare",
                                    body=schemas.IntroductionOutcomeSchema, write=True),
        "introductions.tasks": Op("The school's follow-up tasks after rejections (R105)", tag="aftercare"),
        "introductions.task_done": Op("Mark a follow-up task done", tag="aftercare", write=True,
                                      body_required=False),
        "introductions.task_call": Op("Record the school's call with the organisation on a task (R105)",
                                      tag="aftercare", body=schemas.TaskCallSchema, write=True),
        "reporting_internal.task_contact": Op(
            "The school's contact of a contact-moment reminder (notifier, issue 20.4)", tag="internal",
            extra={"parameters": [{"in": "query", "name": name, "required": True, "schema": {"type": "string"}}
                                  for name in ("region_id", "school_id")]}, errors=(400, 404)),
        "reports.period_report": Op("The period report of a region, as HTML or CSV", tag="reports",
                                    path={"fmt": {"type": "string", "enum": ["html", "csv"]}},
                                    content={**HTML, **CSV}),
    },
)

