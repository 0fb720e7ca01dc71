"""The solver's layer: pure matching rules and records (records, eligibility, travel, lottery, fairness,
explanations). The service's own records (pool, kept placements, exclusions per student, round results and
records) are the other layer, in `matcher.rounds`; `matcher.adapters.ortools_solver` converts between them.

May import numpy, the standard library and the plain-Python event contract (stagepool_shared.events.contract
and .rules), never flask, kafka, redis, marshmallow or ortools.
"""
