"""Fuzzing a service's API with schemathesis against the OpenAPI document it serves (tests only).

`FuzzedService` serves a service's Flask app over real HTTP, fetches the document the service serves and
calls each generated case with a token of a role the operation is meant for (the document's `x-roles`),
checking that no answer is a 5xx, that no invalid request is accepted and that every answer matches the
schema the document gives it. `fuzz_schema` makes the schemathesis schema of that document, bounded in
examples, positive and negative modes; a test module hands it to `schemathesis.pytest.from_fixture`, so the
fuzzed document is the served one. Imports schemathesis and
hypothesis (test dependencies), never a service.
"""

from __future__ import annotations

from typing import Any, Callable

import requests
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import negative_data_rejection, response_schema_conformance

from ..runtime import BackgroundServer
from ..web.openapi import DOCUMENT_PATH

#: Examples per operation and mode: small, so all four services together stay within about 90 s.
MAX_EXAMPLES = 10
CHECKS = [not_a_server_error, negative_data_rejection, response_schema_conformance]


def fuzz_schema(service: "FuzzedService", request: Any, max_examples: int = MAX_EXAMPLES) -> Any:
    """The schemathesis schema of the document `service` serves: positive and negative cases, at most
    `max_examples` each; the bearer token is set by `FuzzedService.check`, not generated.

    Return it from a function-scoped fixture named in `schemathesis.pytest.from_fixture`; `request` is that
    fixture's: schemathesis' lazy loader reads the test node's private `_nodeid`, which pytest 9 no longer has.
    """
    if not hasattr(request.node, "_nodeid"):
        request.node._nodeid = request.node.nodeid
    schema = schemathesis.openapi.from_dict(service.document)
    schema.config.generation.update(modes=list(schemathesis.GenerationMode), max_examples=max_examples,
                                    with_security_parameters=False)
    return schema


def role_tokens(issue: Callable[..., str], region: str, roles: tuple[str, ...] = (
        "regional_coordinator", "school_staff", "support_staff", "organisation_staff", "student")) -> dict[str, str]:
    """A token per role for a fuzzed service of `region`: the staff of school `sch-st`, organisation `org-st`,
    student `stu_fuzz` and the region's coordinator or desk (`issue` is the service's TokenStore.issue)."""
    scopes = {"regional_coordinator": region, "desk_staff": region, "school_staff": "sch-st",
              "support_staff": "sch-st", "organisation_staff": "org-st", "student": "stu_fuzz"}
    return {role: issue(f"st-{role}", role, scopes[role], region) for role in roles}


def bounded(max_examples: int = MAX_EXAMPLES) -> Callable:
    """The hypothesis settings of a fuzz test: bounded, reproducible (derandomized), no deadline."""
    return settings(max_examples=max_examples, deadline=None, suppress_health_check=list(HealthCheck),
                    derandomize=True)


class FuzzedService:
    """A service's app on a free loopback port, with a bearer token per role.

    Args:
        app: the service's Flask app (built by its bootstrap on the real Kafka and Redis).
        tokens: a token per role; an operation is called with the token of the first of its `x-roles` found
            here (none for an operation without roles).
        own_tokens: a token of its own for an operation ("POST /api/v1/tokens/rotate"), where calling it
            would spend the role's token (a rotation revokes the token it is called with).
    """

    def __init__(self, app: Any, tokens: dict[str, str], own_tokens: dict[str, str] | None = None):
        self.tokens = tokens
        self.own_tokens = own_tokens or {}
        self.server = BackgroundServer(app).start()
        self.document: dict[str, Any] = requests.get(self.url + DOCUMENT_PATH, timeout=10).json()

    @property
    def url(self) -> str:
        return self.server.url

    def token_for(self, method: str, path: str) -> str | None:
        """The token of the first role the operation is meant for that has one (KeyError: none has)."""
        if f"{method.upper()} {path}" in self.own_tokens:
            return self.own_tokens[f"{method.upper()} {path}"]
        roles = self.document["paths"][path][method.lower()]["x-roles"]
        for role in roles:
            if role in self.tokens:
                return self.tokens[role]
        if roles:
            raise KeyError(f"no token for any of {roles} ({method} {path})")
        return None

    def check(self, case: Any) -> None:
        """Send `case` with its role's token: no 5xx, no invalid request accepted, the answer as documented."""
        token = self.token_for(case.operation.method, case.operation.path)
        headers = {"Authorization": "Bearer " + token} if token else {}
        case.call_and_validate(base_url=self.url, headers=headers, checks=CHECKS, timeout=30)

    def stop(self) -> None:
        self.server.stop()
