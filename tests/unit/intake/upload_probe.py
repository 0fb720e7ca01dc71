"""Upload one file to intake's import API in a fresh process and print the answer, the time and the peak RSS growth.

Run as `python -m tests.unit.intake.upload_probe FILE [ENV=VALUE ...]`; prints one JSON line
{"status", "body", "seconds", "growth_mb"}. The growth is the rise of the process's high-water mark (VmHWM)
from just before the request (app built, file read) to just after it: what answering the upload cost.
"""

from __future__ import annotations

import io
import json
import sys
import time
from pathlib import Path


def peak_kb() -> int:
    """The process's peak resident set size so far (VmHWM), in KiB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    raise RuntimeError("no VmHWM in /proc/self/status")


def main(path: str, *assignments: str) -> None:
    from intake.bootstrap import bootstrap
    from intake.config import Settings
    from tests.fakes import FakeKeyValue, FakePublisher
    from tests.fakes.intake import FakeIdempotencyStore, FakeIntakeStore
    from tests.unit.intake.conftest import ENV

    env = {**ENV, **dict(a.split("=", 1) for a in assignments)}
    publisher, store = FakePublisher(), FakeIntakeStore()
    wiring = bootstrap(Settings.from_env(env), publisher=publisher, redis_client=FakeKeyValue(), store=store,
                       idempotency=FakeIdempotencyStore())
    token = wiring.tokens.issue("u-a", "school_staff", "school-a", region_id="r-noord")
    client = wiring.app().test_client()
    data = Path(path).read_bytes()
    before, started = peak_kb(), time.monotonic()
    response = client.post("/api/v1/imports/wishes", data={"file": (io.BytesIO(data), Path(path).name)},
                           content_type="multipart/form-data", headers={"Authorization": f"Bearer {token}"})
    seconds, growth = time.monotonic() - started, (peak_kb() - before) / 1024
    print(json.dumps({"status": response.status_code, "body": response.get_data(as_text=True)[:2000],
                      "seconds": round(seconds, 2), "growth_mb": round(growth, 1),
                      "published": len(publisher.published), "stored": len(store.students)}))


if __name__ == "__main__":
    main(*sys.argv[1:])
