"""The desk's own store: case metadata in clear (ids, codes, dates), the report content encrypted.

Content is sealed with ContentCipher before it reaches Redis, so the store never holds report text in clear.
Imports redis, the domain, the port, adapters.crypto and the standard library.
"""

from __future__ import annotations

import json
from dataclasses import asdict

import redis

from ..domain.desk import CaseMeta, ReportContent, StatusStep
from ..domain.sbb import Measure, SbbAnswer, SbbFile, SbbStep
from ..ports import AbstractDeskStore
from .crypto import ContentCipher
from .keys import Keys


def _meta_from_json(raw: bytes) -> CaseMeta:
    data = json.loads(raw)
    data["history"] = tuple(StatusStep(**step) for step in data["history"])
    data["sbb"] = _sbb_from_dict(data["sbb"]) if data.get("sbb") else None
    return CaseMeta(**data)


def _sbb_from_dict(data: dict) -> SbbFile:
    """The SBB file of a case (issue 20.6) from its JSON form."""
    return SbbFile(forwarded_at=data["forwarded_at"], export_version=data["export_version"],
                   answers=tuple(SbbAnswer(**answer) for answer in data["answers"]),
                   measures=tuple(Measure(**measure) for measure in data["measures"]),
                   steps=tuple(SbbStep(**step) for step in data["steps"]))


def _content_from_dict(data: dict) -> ReportContent:
    return ReportContent(**{**data, "notes": tuple(data.get("notes", ())),
                            "measures": tuple(tuple(pair) for pair in data.get("measures", ()))})


class RedisDeskStore(AbstractDeskStore):
    """Cases by id, an index per region, content sealed at rest."""

    def __init__(self, client: redis.Redis, cipher: ContentCipher, keys: Keys):
        self.client = client
        self.cipher = cipher
        self.keys = keys

    def add(self, case: CaseMeta, content: ReportContent) -> None:
        """Store a new case and its sealed content in one transaction."""
        with self.client.pipeline(transaction=True) as pipe:
            pipe.hset(self.keys.desk_case(case.report_id),
                      mapping={"meta": json.dumps(asdict(case)), "content": self.cipher.seal(asdict(content))})
            pipe.sadd(self.keys.desk_region(case.region_id), case.report_id)
            pipe.execute()

    def case(self, report_id: str) -> CaseMeta | None:
        raw = self.client.hget(self.keys.desk_case(report_id), "meta")
        return _meta_from_json(raw) if raw else None

    def content(self, report_id: str) -> ReportContent | None:
        sealed = self.client.hget(self.keys.desk_case(report_id), "content")
        return _content_from_dict(self.cipher.open(sealed)) if sealed else None

    def sealed_content(self, report_id: str) -> bytes | None:
        """The stored ciphertext as it is (for tests that prove the text is not in clear)."""
        return self.client.hget(self.keys.desk_case(report_id), "content")

    def save(self, case: CaseMeta, content: ReportContent | None = None) -> None:
        """Replace a case's metadata (and its content, when given)."""
        mapping: dict[str, bytes | str] = {"meta": json.dumps(asdict(case))}
        if content is not None:
            mapping["content"] = self.cipher.seal(asdict(content))
        self.client.hset(self.keys.desk_case(case.report_id), mapping=mapping)

    def cases(self, region_id: str) -> list[CaseMeta]:
        """Every case of a region."""
        ids = sorted(m.decode() for m in self.client.smembers(self.keys.desk_region(region_id)))
        if not ids:
            return []
        with self.client.pipeline(transaction=False) as pipe:
            for report_id in ids:
                pipe.hget(self.keys.desk_case(report_id), "meta")
            raws = pipe.execute()
        return [_meta_from_json(raw) for raw in raws if raw]

    def regions(self) -> list[str]:
        prefix = self.keys.desk_region("")
        return sorted(key.decode()[len(prefix):] for key in self.client.scan_iter(match=prefix + "*"))
