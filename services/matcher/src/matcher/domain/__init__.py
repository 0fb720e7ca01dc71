"""Pure matching rules: records, eligibility, travel, lottery, fairness, explanations.

May import numpy and the standard library, never flask, kafka, redis, marshmallow or ortools.
"""
