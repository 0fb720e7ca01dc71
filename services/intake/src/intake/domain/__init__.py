"""Intake's pure rules: forbidden criteria, coarse locations, age at the period's start, records.

No Flask, kafka, redis or marshmallow imports here.
"""
