"""The notifier's Prometheus metrics: messages sent and failed per channel, retries, unreachable recipients,
release spread and queue lag. Labels are low-cardinality (channel, region, kind); never a recipient id.
Imports prometheus_client only.
"""

from __future__ import annotations

from typing import Callable

from prometheus_client import Counter, Gauge

MESSAGES_SENT = Counter("stagepool_notifier_messages_sent_total", "Messages delivered", ["channel"])
MESSAGES_FAILED = Counter("stagepool_notifier_messages_failed_total",
                          "Messages given up on after retries (a person must act)", ["channel"])
RETRIES = Counter("stagepool_notifier_delivery_retries_total", "Delivery attempts retried later", ["channel"])
INVALID_ADDRESSES = Counter("stagepool_notifier_unreachable_recipients_total",
                            "Recipients without a usable address, reported to their school", ["kind", "problem"])
RELEASE_SPREAD = Gauge("stagepool_notifier_release_spread_seconds",
                       "Seconds between the first and the last message of the latest round", ["region"])
REMINDERS = Counter("stagepool_notifier_reminders_total", "Reminders scheduled before the answer deadline")
OVERDUE = Counter("stagepool_notifier_overdue_notices_total",
                  "Schools told of a placement whose answer deadline passed without an answer")
WITHDRAWALS = Counter("stagepool_notifier_withdrawal_notices_total",
                      "Placements whose place was withdrawn after release (student, school and coordinators told)")
DEADLINE_REMINDERS = Counter("stagepool_notifier_deadline_reminders_total",
                             "Reminders before a period's wish or choice deadline (issue 15.4)",
                             ["deadline", "outcome"])
CONTACT_TASK_MAILS = Counter("stagepool_notifier_contact_task_mails_total",
                             "Contact-moment reminders and escalations e-mailed to schools (issue 20.4)",
                             ["kind", "outcome"])
PARTY_MAILS = Counter("stagepool_notifier_party_mails_total",
                      "Aftercare e-mails to a placement's parties: the kennismaking to confirm, the POK to sign, "
                      "the end evaluation (issue 20)",
                      ["kind", "party", "outcome"])
ANSWERS = Counter("stagepool_notifier_answers_total", "Placement answers published", ["answer"])
PENDING = Gauge("stagepool_notifier_pending_deliveries", "Deliveries waiting to be sent (queue lag)")


def track_pending(count: Callable[[], int]) -> None:
    """Let the pending gauge read the queue length at scrape time (a failed read shows -1)."""

    def read() -> float:
        try:
            return float(count())
        except Exception:  # noqa: BLE001 - a scrape must never fail because Redis is restarting
            return -1.0

    PENDING.set_function(read)

