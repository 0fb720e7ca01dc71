"""A stored scenario: what it was copied from, its edits and policies, and where its run stands.

Status: `draft` (copied or edited, not run since), `queued`, `running` (`progress` of `total` policies done),
`done` (with `results`) or `failed` (with `error`). An edit sends a scenario back to `draft` and drops its
results: figures always belong to the scenario as it is. Holds no personal data: pseudonyms and ids only, no
free text. Imports the standard library, `rounds.moments` and this package.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from ..rounds.moments import parse_moment
from .compare import POLICIES, Comparison
from .edits import Edit, edit_from_dict, edit_to_dict

STATUSES = ("draft", "queued", "running", "done", "failed")
BUSY = ("queued", "running")
STALE_AFTER = timedelta(minutes=10)


@dataclass(frozen=True)
class ScenarioRecord:
    """One coordinator's scenario of one region and period."""

    scenario_id: str
    region_id: str
    period_id: str
    created_at: str
    seed: int = 0
    policies: tuple[str, ...] = POLICIES
    edits: tuple[Edit, ...] = ()
    status: str = "draft"
    progress: int = 0
    total: int = 0
    results: Comparison | None = None
    error: str | None = None
    finished_at: str | None = None
    started_at: str | None = None
    base: dict[str, int] = field(default_factory=dict)  # students and slots of the copied pool

    def busy(self, now: datetime) -> bool:
        """Queued, or running since less than STALE_AFTER (a run takes seconds: an older one lost its worker,
        e.g. to a restart, and may be started again)."""
        if self.status == "running" and self.started_at:
            return now - parse_moment(self.started_at) < STALE_AFTER
        return self.status in BUSY

    def settings_json(self) -> str:
        """What a coordinator chose (the edits, the seed, the policies): stored as one field."""
        return json.dumps({"seed": self.seed, "policies": list(self.policies),
                           "edits": [edit_to_dict(e) for e in self.edits]}, sort_keys=True)

    def meta_json(self) -> str:
        return json.dumps({"scenario_id": self.scenario_id, "region_id": self.region_id,
                           "period_id": self.period_id, "created_at": self.created_at, "base": self.base},
                          sort_keys=True)

    def edited(self, edits: tuple[Edit, ...], seed: int, policies: tuple[str, ...]) -> "ScenarioRecord":
        """The scenario after a change of its settings: a draft again, without results."""
        return replace(self, edits=edits, seed=seed, policies=policies, status="draft", progress=0, total=0,
                       results=None, error=None, finished_at=None, started_at=None)


def record_from_fields(fields: dict[str, Any]) -> ScenarioRecord:
    """A record from its stored text fields (meta, settings, status, progress, total, results, ...)."""
    meta, settings = json.loads(fields["meta"]), json.loads(fields["settings"])
    results = fields.get("results")
    return ScenarioRecord(
        scenario_id=meta["scenario_id"], region_id=meta["region_id"], period_id=meta["period_id"],
        created_at=meta["created_at"], base=meta.get("base", {}), seed=int(settings["seed"]),
        policies=tuple(settings["policies"]), edits=tuple(edit_from_dict(e) for e in settings["edits"]),
        status=fields.get("status", "draft"), progress=int(fields.get("progress", 0)),
        total=int(fields.get("total", 0)),
        results=Comparison.from_dict(json.loads(results)) if results else None,
        error=fields.get("error") or None, finished_at=fields.get("finished_at") or None,
        started_at=fields.get("started_at") or None)


def record_fields(record: ScenarioRecord) -> dict[str, str]:
    """The stored text fields of a record (empty optional fields are left out)."""
    out = {"meta": record.meta_json(), "settings": record.settings_json(), "status": record.status,
           "progress": str(record.progress), "total": str(record.total)}
    if record.results is not None:
        out["results"] = json.dumps(record.results.as_dict(), sort_keys=True)
    if record.error:
        out["error"] = record.error
    if record.finished_at:
        out["finished_at"] = record.finished_at
    if record.started_at:
        out["started_at"] = record.started_at
    return out
