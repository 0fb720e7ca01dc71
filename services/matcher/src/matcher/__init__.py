"""Stagepool matcher service."""
