"""Reporting's entrypoints: the Kafka consumer and the Flask HTTP API."""
