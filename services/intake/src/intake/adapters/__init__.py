"""Intake's adapters: the Redis store, an in-memory store, CSV/XLSX tables."""
