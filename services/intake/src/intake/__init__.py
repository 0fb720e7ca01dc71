"""Stagepool intake service."""
