"""Intake's entrypoints: the Flask API, the round.released consumer and the command line."""
