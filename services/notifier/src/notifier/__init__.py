"""Stagepool notifier service."""
