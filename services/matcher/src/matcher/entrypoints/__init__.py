"""Entrypoints of the matcher: the Kafka consumer, the Flask app (rounds API and pages). The release worker
is a `stagepool_shared.runtime.Worker` built by `Wiring.workers()`."""
