"""Reporting's pure rules: no Flask, kafka, redis or marshmallow imports."""
