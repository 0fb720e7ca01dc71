"""Every Kafka topic name and consumer group id, spelled once.

Events of one region are keyed by region id, so they stay ordered on one partition.
Dead-letter topics are derived by `dlq(topic)`; nothing else builds topic names.
Imports nothing from the project.
"""

from __future__ import annotations

from dataclasses import dataclass

WISHES = "stagepool.wishes.v1"
PLACES = "stagepool.places.v1"
STUDENTS = "stagepool.students.v1"
ROUNDS = "stagepool.rounds.v1"
PLACEMENTS = "stagepool.placements.v1"
NOTIFICATIONS = "stagepool.notifications.v1"
DESK = "stagepool.desk.v1"
PLANNING = "stagepool.planning.v1"  # issue 16: forecasts of demand and supply, participation

DLQ_SUFFIX = ".dlq"

ALL_TOPICS: tuple[str, ...] = (WISHES, PLACES, STUDENTS, ROUNDS, PLACEMENTS, NOTIFICATIONS, DESK, PLANNING)


def dlq(topic: str) -> str:
    """The dead-letter topic of `topic`."""
    return topic + DLQ_SUFFIX


ALL_DLQ_TOPICS: tuple[str, ...] = tuple(dlq(t) for t in ALL_TOPICS)


@dataclass(frozen=True)
class ConsumerGroup:
    """A consumer group id and the topics it reads."""

    group_id: str
    topics: tuple[str, ...]


MATCHER = ConsumerGroup("stagepool-matcher", (WISHES, PLACES, STUDENTS, ROUNDS, PLACEMENTS))
NOTIFIER = ConsumerGroup("stagepool-notifier", (PLACES, ROUNDS, PLACEMENTS, STUDENTS))
REPORTING = ConsumerGroup(
    "stagepool-reporting", (WISHES, PLACES, STUDENTS, ROUNDS, PLACEMENTS, NOTIFICATIONS, DESK, PLANNING)
)
INTAKE = ConsumerGroup("stagepool-intake", (ROUNDS, PLACEMENTS))

ALL_GROUPS: tuple[ConsumerGroup, ...] = (MATCHER, NOTIFIER, REPORTING, INTAKE)
#: Each service's group (the default of its `<SERVICE>_CONSUMER_GROUP`, config.CommonSettings).
GROUP_OF_SERVICE: dict[str, ConsumerGroup] = {"intake": INTAKE, "matcher": MATCHER, "notifier": NOTIFIER,
                                              "reporting": REPORTING}
