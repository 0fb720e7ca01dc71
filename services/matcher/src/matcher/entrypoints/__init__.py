"""Entrypoints of the matcher: the Kafka consumer, the Flask API, the release scheduler."""
