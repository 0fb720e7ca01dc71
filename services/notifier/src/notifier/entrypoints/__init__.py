"""Entrypoints of the notifier: Kafka consumer, HTTP API, sender and reminder loops."""
