"""Root of the test suite: the real-server fixtures (Kafka, Redis) come from the shared package's plugin."""

pytest_plugins = ["stagepool_shared.testing.plugin"]
