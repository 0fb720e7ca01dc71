"""Stagepool reporting service."""
