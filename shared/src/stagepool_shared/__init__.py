"""Stagepool shared contracts and plumbing (imports no service)."""
