"""Every test double of Stagepool, in one place: the doubles of shared ports here, each service's own in
`tests/fakes/<service>.py`. Doubles stand in for our own ports in unit tests, never for a server in a test
of that server's path (integration and end-to-end tests run on real Kafka and Redis).
"""

from .common import Clock, FakeAccounts, FakeKeyValue, FakePublisher, FakeTokens

__all__ = ["Clock", "FakeAccounts", "FakeKeyValue", "FakePublisher", "FakeTokens"]
