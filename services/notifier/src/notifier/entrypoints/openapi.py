"""The OpenAPI document of the notifier's API (the inbox and a student's answer to a placement): one `Op` per
view, naming the schemas the views validate with; paths, methods and roles come from the routes themselves
(stagepool_shared.web.openapi). Served at /api/v1/openapi.json and rendered at /api/docs; an API route without
an Op here fails the document. Imports the shared document builder and the API views' schemas.
"""

from __future__ import annotations

from stagepool_shared.web.openapi import ApiDoc, Op

from . import api_placements

API = ApiDoc(
    title="Stagepool notifier",
    description="The in-app inbox of every role, and a student's answer (accept or refuse) to the placement "
                "released to them. Answers in Dutch by default; ?lang=en for English.",
    intro="De inbox van elke rol, en het antwoord van een student (accepteren of weigeren) op de stageplek die "
          "aan hem of haar is bekendgemaakt. Een antwoord wordt pas vastgelegd als Kafka het heeft bevestigd.",
    operations={
        "notifier_api.inbox": Op("The caller's inbox (messages visible from now)", tag="inbox"),
        "notifier_api.accept": Op("The student accepts the placement of a round", tag="placements",
                                  body=api_placements.AcceptSchema, body_required=False, write=True),
        "notifier_api.refuse": Op("The student refuses the placement of a round, with a reason", tag="placements",
                                  body=api_placements.RefuseSchema, write=True),
    },
)

