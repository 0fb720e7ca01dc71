"""Reporting's use cases, the functions the HTTP API, the pages, the metrics and the CLI call: `verb_noun(deps, ...)`.

desk.py      the discrimination reporting desk (file, read, list, move, alternative place, SBB export)
followup.py  placement follow-up (not suitable, contact moments) and the organisation signals
evaluations.py  the end evaluation by student, school and organisation, and its figures (issue 20.5)
report.py    the period figures behind the report, the coordinator's page and the metrics
report_form.py  the organisation of a student's report, picked from their placements or found by name
story.py     one student's whole story for the regional coordinator, and finding a student of the region
lookups.py   what the coordinator's pages ask intake: schools' names, a student by school and student number
"""
