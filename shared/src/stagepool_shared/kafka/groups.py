"""What the group coordinator says about a consumer group: whether a member holds partitions.

The watchdog of the consumer loop asks this before it recreates a consumer that has no partition: with more
instances than partitions, the broker gives some members nothing, and such a member must idle, not rejoin
(every rejoin is a rebalance that pauses the whole group). Imports kafka-python.
"""

from __future__ import annotations

import logging
from typing import Any

from kafka.admin import KafkaAdminClient
from kafka.errors import KafkaError

from .clients import RECONNECT_BACKOFF_MAX_MS, network_clients

# The package's one logger name (as before it was split into modules): log lines and filters keep it.
logger = logging.getLogger(__package__)


def member_partitions(bootstrap: str, group_id: str, member_id: str, timeout_s: float = 5.0) -> int | None:
    """How many partitions the coordinator gave `member_id` in the group's current, stable generation; None
    when the group is not stable, the member is not in it, or the broker did not answer."""
    try:
        with network_clients() as network_client:
            admin = KafkaAdminClient(bootstrap_servers=bootstrap, client_id=f"{group_id}-watchdog",
                                     request_timeout_ms=int(timeout_s * 1000),
                                     bootstrap_timeout_ms=int(timeout_s * 1000), kafka_client=network_client,
                                     reconnect_backoff_max_ms=RECONNECT_BACKOFF_MAX_MS)
    except KafkaError:
        return None
    try:
        group = admin.describe_groups([group_id]).get(group_id) or {}
    except KafkaError as err:
        logger.warning("describing group %s failed: %s", group_id, err)
        return None
    finally:
        admin.close()
    return _partitions_of(group, member_id)


def _partitions_of(group: dict[str, Any], member_id: str) -> int | None:
    if group.get("error") or str(group.get("group_state", "")).lower() != "stable":
        return None
    for member in group.get("members", ()):
        if member.get("member_id") == member_id:
            return _count(member.get("member_assignment"))
    return None


def _count(assignment: Any) -> int:
    """Partitions in a decoded assignment (an object or its dict form; empty bytes: none)."""
    if not assignment:
        return 0
    parts = getattr(assignment, "assigned_partitions", None)
    if parts is None and isinstance(assignment, dict):
        parts = assignment.get("assigned_partitions", ())
    total = 0
    for part in parts or ():
        partitions = part.get("partitions") if isinstance(part, dict) else getattr(part, "partitions", None)
        if partitions is None and isinstance(part, (tuple, list)):
            partitions = part[1]
        total += len(partitions or ())
    return total
