"""Reporting's entrypoints: the Kafka consumer, the Flask app (API blueprints and pages) and its helpers."""
