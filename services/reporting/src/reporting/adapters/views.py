"""Reading reporting's Redis state: period snapshots for figures, placements for follow-up, signal counts,
and the follow-up records (contact moments, exceptions, evaluations) that reporting owns itself.

Imports redis, the domain, the port and the standard library.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import asdict

import redis

from ..domain.evaluations import EVALUATORS, Evaluation
from ..domain.figures import PLACED, PeriodSnapshot, PlaceFact, PlacementFact, RoundFact, WishFact
from ..domain.followup import ContactMoment, ContactStatus, contact_status
from ..domain.retention import anonymous_moments, anonymous_placement, anonymous_wish
from ..ports import AbstractViews
from .keys import Keys


def _load_all(client: redis.Redis, key: str, cls: type) -> list:
    out = []
    for raw in client.hvals(key):
        data = json.loads(raw)
        if cls is PlaceFact:
            data["levels"] = tuple(data["levels"])
        out.append(cls(**data))
    return out


class RedisViews(AbstractViews):
    """Reads projections and owns the follow-up records."""

    def __init__(self, client: redis.Redis, keys: Keys):
        self.client = client
        self.keys = keys

    def periods(self) -> list[tuple[str, str]]:
        """Every (region, period) reporting has seen, sorted."""
        items = (m.decode().split("|", 1) for m in self.client.smembers(self.keys.periods()))
        return sorted((region, period) for region, period in items)

    def snapshot(self, region_id: str, period_id: str, desk_by_status: dict[str, int]) -> PeriodSnapshot:
        """Everything reporting knows of a region and period."""
        key = lambda what: self.keys.period(region_id, period_id, what)  # noqa: E731
        placements = _load_all(self.client, key("placements"), PlacementFact)
        counters = {k.decode(): int(v) for k, v in self.client.hgetall(key("counters")).items()}
        return PeriodSnapshot(
            region_id=region_id, period_id=period_id,
            wishes=_load_all(self.client, key("wishes"), WishFact),
            places=_load_all(self.client, key("places"), PlaceFact),
            placements=placements,
            rounds=_load_all(self.client, key("rounds"), RoundFact),
            contacts=self.contact_statuses(region_id, period_id, placements),
            desk_by_status=desk_by_status, counters=counters,
        )

    def placement(self, region_id: str, period_id: str, student_ref: str) -> PlacementFact | None:
        raw = self.client.hget(self.keys.period(region_id, period_id, "placements"), student_ref)
        return PlacementFact(**json.loads(raw)) if raw else None

    def wish(self, region_id: str, period_id: str, student_ref: str) -> WishFact | None:
        raw = self.client.hget(self.keys.period(region_id, period_id, "wishes"), student_ref)
        return WishFact(**json.loads(raw)) if raw else None

    def organisation_names(self, region_id: str) -> dict[str, str]:
        names: dict[str, str] = {}
        for region, period in self.periods():
            if region == region_id:
                for place in _load_all(self.client, self.keys.period(region, period, "places"), PlaceFact):
                    names[place.organisation_id] = place.organisation_name or names.get(place.organisation_id, "")
        return names

    def place(self, region_id: str, period_id: str, place_id: str) -> PlaceFact | None:
        raw = self.client.hget(self.keys.period(region_id, period_id, "places"), place_id)
        if not raw:
            return None
        data = json.loads(raw)
        return PlaceFact(**{**data, "levels": tuple(data["levels"])})

    def student_periods(self, student_ref: str) -> list[tuple[str, str]]:
        """Every (region, period) in which the student has a wish, a placement or follow-up, sorted."""
        items = (m.decode().split("|", 1) for m in self.client.smembers(self.keys.student_periods(student_ref)))
        return sorted((region, period) for region, period in items)

    def student_rounds(self, region_id: str, period_id: str, student_ref: str) -> list[tuple[RoundFact, dict]]:
        """(round, the student's outcome in it) of every released round of the period, oldest first."""
        rounds = sorted(_load_all(self.client, self.keys.period(region_id, period_id, "rounds"), RoundFact),
                        key=lambda r: (r.released_at or "", r.round_id))
        out = []
        for fact in rounds:
            raw = self.client.hget(self.keys.round_outcomes(fact.round_id), student_ref)
            if raw:
                out.append((fact, json.loads(raw)))
        return out

    def organisation_placements(self, region_id: str, organisation_id: str) -> list[tuple[str, PlacementFact]]:
        """(period, placement) of every student placed with the organisation in the region."""
        out = []
        for region, period in self.periods():
            if region != region_id:
                continue
            for fact in _load_all(self.client, self.keys.period(region, period, "placements"), PlacementFact):
                if fact.organisation_id == organisation_id and fact.status in PLACED and \
                        not fact.student_ref.startswith("anon-"):  # anonymised by retention: no one to follow
                    out.append((period, fact))
        return sorted(out, key=lambda item: (item[0], item[1].student_ref))

    def signal_counts(self, region_id: str) -> dict[str, dict[str, int]]:
        """{organisation_id: {kind: count}} of a region."""
        out: dict[str, dict[str, int]] = defaultdict(dict)
        for field, value in self.client.hgetall(self.keys.signals(region_id)).items():
            organisation_id, kind = field.decode().split("|", 1)
            out[organisation_id][kind] = int(value)
        return dict(out)

    def contact_moments(self, region_id: str, period_id: str, student_ref: str) -> list[ContactMoment]:
        raw = self.client.hget(self.keys.period(region_id, period_id, "contacts"), student_ref)
        return [ContactMoment(**item) for item in json.loads(raw)] if raw else []

    def add_contact_moment(self, region_id: str, period_id: str, student_ref: str, moment: ContactMoment,
                           exception: bool) -> None:
        """Append a contact moment (and record a documented exception to the on-site rule)."""
        key = self.keys.period(region_id, period_id, "contacts")
        with self.client.pipeline(transaction=True) as pipe:
            while True:
                try:
                    pipe.watch(key)
                    raw = pipe.hget(key, student_ref)
                    items = json.loads(raw) if raw else []
                    items.append(moment.__dict__)
                    pipe.multi()
                    pipe.hset(key, student_ref, json.dumps(items))
                    if exception:
                        pipe.sadd(self.keys.period(region_id, period_id, "contact_exceptions"), student_ref)
                    pipe.sadd(self.keys.student_periods(student_ref), f"{region_id}|{period_id}")
                    pipe.execute()
                    return
                except redis.WatchError:
                    continue

    def contact_statuses(self, region_id: str, period_id: str,
                         placements: list[PlacementFact]) -> list[ContactStatus]:
        """The contact-moment status of every placed student of the period."""
        contacts = {k.decode(): v for k, v in
                    self.client.hgetall(self.keys.period(region_id, period_id, "contacts")).items()}
        exceptions = {m.decode() for m in
                      self.client.smembers(self.keys.period(region_id, period_id, "contact_exceptions"))}
        out = []
        for fact in placements:
            if fact.status not in PLACED:
                continue
            moments = [ContactMoment(**item) for item in json.loads(contacts.get(fact.student_ref, "[]"))]
            out.append(contact_status(fact.student_ref, fact.school_id, moments, fact.student_ref in exceptions,
                                      fact.place_id))
        return out

    def put_evaluation(self, region_id: str, period_id: str, student_ref: str, by: str, answers: dict) -> None:
        self.client.hset(self.keys.period(region_id, period_id, "evaluations"), f"{student_ref}|{by}",
                         json.dumps(answers, sort_keys=True))
        self.client.sadd(self.keys.student_periods(student_ref), f"{region_id}|{period_id}")

    def anonymise_followup(self, region_id: str, period_id: str, student_ref: str, anon_ref: str) -> None:
        """Move the student's records of the period to `anon_ref`, coarsened (domain/retention.py), in one
        transaction; their round outcomes of the period's rounds and the period in their index go."""
        key = lambda what: self.keys.period(region_id, period_id, what)  # noqa: E731
        placement = self.placement(region_id, period_id, student_ref)
        wish = self.wish(region_id, period_id, student_ref)
        moments = anonymous_moments(self.contact_moments(region_id, period_id, student_ref),
                                    placement.place_id if placement else None)
        excepted = self.client.sismember(key("contact_exceptions"), student_ref)
        answers = {by: self.client.hget(key("evaluations"), f"{student_ref}|{by}") for by in EVALUATORS}
        rounds = {k.decode() for k in self.client.hkeys(key("rounds"))} | (
            {placement.round_id} if placement and placement.round_id else set())
        with self.client.pipeline(transaction=True) as pipe:
            if moments:
                pipe.hset(key("contacts"), anon_ref, json.dumps([m.__dict__ for m in moments]))
            if excepted:
                pipe.sadd(key("contact_exceptions"), anon_ref)
            if wish:
                pipe.hset(key("wishes"), anon_ref, json.dumps(asdict(anonymous_wish(wish, anon_ref)), sort_keys=True))
            if placement:
                pipe.hset(key("placements"), anon_ref,
                          json.dumps(asdict(anonymous_placement(placement, anon_ref)), sort_keys=True))
            for by, raw in answers.items():
                if raw:
                    pipe.hset(key("evaluations"), f"{anon_ref}|{by}", raw)
                pipe.hdel(key("evaluations"), f"{student_ref}|{by}")
            for what in ("contacts", "wishes", "placements"):
                pipe.hdel(key(what), student_ref)
            for round_id in sorted(rounds):
                pipe.hdel(self.keys.round_outcomes(round_id), student_ref)
            pipe.srem(key("contact_exceptions"), student_ref)
            pipe.srem(self.keys.student_periods(student_ref), f"{region_id}|{period_id}")
            pipe.execute()

    def period_evaluations(self, region_id: str, period_id: str) -> list[Evaluation]:
        out = []
        for field, raw in self.client.hgetall(self.keys.period(region_id, period_id, "evaluations")).items():
            student_ref, by = field.decode().split("|", 1)
            out.append(Evaluation.of_record(student_ref, by, json.loads(raw)))
        return sorted(out, key=lambda e: (e.student_ref, e.by))

    def signal_regions(self) -> list[str]:
        """Regions that have organisation signals."""
        prefix, suffix = self.keys.signals("|").split("|")
        return sorted(key.decode()[len(prefix):-len(suffix)]
                      for key in self.client.scan_iter(match=prefix + "*" + suffix))
