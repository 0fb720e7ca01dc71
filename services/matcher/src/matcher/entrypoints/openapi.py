"""The OpenAPI document of the matcher's rounds API: one `Op` per view, naming the schemas the views validate
with; paths, methods and roles come from the routes themselves (stagepool_shared.web.openapi). Served at
/api/v1/openapi.json and rendered at /api/docs; an API route without an Op here fails the document. Imports
the shared document builder and the API views' schemas.
"""

from __future__ import annotations

from stagepool_shared.web.openapi import ApiDoc, Op

from . import api_rounds

API = ApiDoc(
    title="Stagepool matcher",
    description="Fair, explained round proposals per region and period: request, read, compare, approve and "
                "schedule the release of rounds. Answers in Dutch by default; ?lang=en for English.",
    intro="Rondes per regio en periode: aanvragen (coördinator), lezen, vergelijken, goedkeuren en de bekendmaking "
          "plannen. Een ronde die u niet mag zien antwoordt 404, net als een ronde die nog niet bekend is.",
    operations={
        "rounds.request_round": Op("Request a round for the coordinator's region (kind initial, rematch, or variant "
                                   "2's candidates round and the final round naming it in previous_round_id)",
                                   tag="rounds",
                                   body=api_rounds.RoundRequestSchema, ok=202, write=True),
        "rounds.request_fast_track": Op("Re-place one or a few students from free capacity (fast track)",
                                        tag="rounds", body=api_rounds.FastTrackSchema, ok=202, write=True),
        "rounds.list_rounds": Op("The rounds of a region the caller may see", tag="rounds",
                                 query=api_rounds.RoundListQuery),
        "rounds.get_round": Op("One round: headline, outcomes the caller may see, approval", tag="rounds"),
        "rounds.compare": Op("Compare two rounds' figures", tag="rounds"),
        "rounds.approve": Op("Approve a proposed round (one approval per user)", tag="rounds", ok=201, write=True),
        "rounds.object_to_match": Op("Object to one of the school's proposed placements", tag="rounds",
                                     body=api_rounds.ObjectionSchema, ok=201, write=True),
        "rounds.release": Op("Schedule the release of an approved round", tag="rounds",
                             body=api_rounds.ReleaseSchema, ok=202, write=True),
    },
)

