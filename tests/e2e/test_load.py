"""The short load run: 10 s of wishes at 10/s through intake's real HTTP API on the whole platform.

Count in equals count out (every 2xx wish is in the topic and in the matcher's projection), the ~2 %
deliberately invalid wishes are refused and appear nowhere, and no request gets a 5xx. The long run is
`python -m bench.load` (bench/load.py).
"""

from __future__ import annotations

import uuid

import pytest

from bench import load

pytestmark = pytest.mark.e2e

RATE, SECONDS = 10.0, 10.0


def test_sustained_intake_loses_nothing_and_refuses_every_invalid_wish(platform):
    rows, history, counts = load.measure(platform, RATE, SECONDS, "ld" + uuid.uuid4().hex[:8])
    load.print_table(rows)
    assert len(history.ops) == int(RATE * SECONDS)
    assert counts["server_errors"] == 0 and counts["indeterminate"] == 0
    assert counts["acked"] == sum(op.valid for op in history.ops)
    assert counts["rejected"] == sum(not op.valid for op in history.ops)
    assert counts["in_topic"] == counts["acked"]
    assert counts["lost_topic"] == counts["lost_projection"] == counts["phantom"] == 0
    assert counts["invalid_accepted"] == 0
    figures = {row["metric"]: row["value"] for row in rows}
    assert figures["load.lag_end[stagepool-matcher]"] == 0
