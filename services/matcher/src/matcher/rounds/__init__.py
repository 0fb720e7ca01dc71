"""The service layer: a round as the matcher *service* sees it.

The matcher has two model layers, kept apart on purpose and sharing no class name:

- the solver's layer, `matcher.domain` (+ `matcher.solver`): `RoundInput`, `Wish`, `Place`, `Exclusion`
  (one student, one place or organisation), `FixedPlacement` (student -> place), `Solution`... pure,
  numpy-friendly records that know nothing of events, stores or rounds' life cycles;
- this layer, `matcher.rounds`: the pool of shared event payloads a round is computed from (`Pool`, with a
  `KeptPlacement` and the `StudentExclusions` per student), what a computed round is (`RoundResult`, its
  `Summary` and `Manifest`), what the store remembers of it (`RoundRecord`), its approval rule and the
  events it publishes (`parts`).

`matcher.adapters.ortools_solver` is the one bridge between the two: it turns a `Pool` into a `RoundInput`
and a `Solution` back into shared `Outcome`s. Modules here import the standard library, orjson and the shared
event dataclasses only (no Flask, Kafka, Redis or OR-tools).
"""
