"""The webhook channel checks the target again at every send (issue 19.8): it resolves the host through the
target policy, refuses non-public addresses (and plain http) outside the dev stack, and connects to the
address it checked, so a DNS answer that changed after the school was registered cannot turn the POST to a
loopback port or the cloud metadata service. A refused target is a permanent failure, dead-lettered.

The receiving end is a small HTTP server on 127.0.0.1 (allowed in the dev stack only); DNS is a fake."""

from __future__ import annotations

import base64
import json
from typing import Iterator

import pytest

from notifier import jobs
from notifier.adapters.channels import SIGNATURE_HEADER, WebhookChannel, sign
from notifier.bootstrap import bootstrap
from notifier.config import Settings
from notifier.domain.model import Contact, DeliveryId, Message
from notifier.errors import DeliveryError
from stagepool_shared import topics
from stagepool_shared.net import TargetPolicy
from tests.fakes.net import FakeResolver, WebhookReceiver
from tests.fakes.notifier import RELEASE, placed
from tests.unit.intake.test_school_webhooks import Coordinator
from tests.unit.notifier.conftest import ENV, World, world_with_places

SECRET, PUBLIC = b"unit-test-webhook-secret", "93.184.216.34"
DELIVERY = DeliveryId("rnd-1", "school", "sch-a", "webhook")
MESSAGE = Message(subject="Uitslag", body="Tekst", lang="nl")


@pytest.fixture
def receiver() -> Iterator[WebhookReceiver]:
    server = WebhookReceiver()
    yield server
    server.close()


def channel(resolver: FakeResolver, allow_local: bool) -> WebhookChannel:
    return WebhookChannel(SECRET, 2.0, TargetPolicy(allow_local=allow_local, resolve=resolver))


def released_to_webhook(url: str, webhook: WebhookChannel) -> World:
    """A world in which school sch-a has the webhook `url`, sent over `webhook`, after one student's release."""
    world = world_with_places()
    world.directory.schools["sch-a"] = Contact(name="ROC Alfa", email="stage@alfa.example", webhook_url=url)
    world.wiring.dispatcher.channels["webhook"] = webhook
    world.student("s1", "Sanne", "sanne@mail.example")
    world.release([placed("s1")])
    world.send_released()
    return world


def test_in_the_dev_stack_the_post_goes_to_the_checked_address_signed_and_named_by_the_urls_host(receiver):
    resolver = FakeResolver(hooks_school_example=["127.0.0.1"])  # a name the real DNS does not know
    hooks = channel(resolver, allow_local=True)
    hooks.send(DELIVERY, f"http://hooks.school.example:{receiver.port}/stagepool?v=1", MESSAGE, {"kind": "school"})
    [(path, headers, body)] = receiver.requests
    assert path == "/stagepool?v=1" and headers["Host"] == f"hooks.school.example:{receiver.port}"
    assert headers[SIGNATURE_HEADER] == sign(SECRET, body) and b'"subject": "Uitslag"' in body
    assert resolver.asked == ["hooks.school.example"]
    hooks.close()


def test_outside_the_dev_stack_a_loopback_target_is_refused_permanently_without_connecting(receiver):
    resolver = FakeResolver(hooks_school_example=["127.0.0.1"])
    for url in (f"https://hooks.school.example:{receiver.port}/hook", f"http://127.0.0.1:{receiver.port}/hook"):
        with pytest.raises(DeliveryError) as refused:
            channel(resolver, allow_local=False).send(DELIVERY, url, MESSAGE, {})
        assert refused.value.permanent and refused.value.reason.startswith("webhook target refused: ")
    assert receiver.requests == []


def test_a_dns_answer_that_changes_after_registration_is_refused_at_send_time_and_dead_lettered(receiver):
    resolver = FakeResolver(hooks_school_example=[PUBLIC])
    intake = Coordinator(resolver)  # intake registers the school's webhook: a public address at that moment
    assert intake.register("https://hooks.school.example/stagepool").status_code == 200
    url = intake.store.schools["school-a"].webhook_url
    resolver.answer("hooks.school.example", "169.254.169.254")  # rebinding: now the cloud metadata service
    world = released_to_webhook(url, channel(resolver, allow_local=False))
    jobs.relay_outbox(world.wiring.deps)
    assert world.store.states()["rnd-1:school:sch-a:webhook"] == "failed"
    [failed] = [e.payload for e in world.publisher.events("notification.failed")]
    assert failed.attempts == 1
    assert failed.reason == "webhook target refused: link-local (cloud metadata) addresses are not allowed"
    letters = [e for t, e in world.publisher.published if t == topics.dlq(topics.NOTIFICATIONS)]
    assert len(letters) == 1 and "cloud metadata" in base64.b64decode(letters[0].payload.raw_base64).decode()
    assert receiver.requests == []


def test_in_the_dev_stack_a_release_reaches_the_schools_system_through_the_dispatcher(receiver):
    resolver = FakeResolver(hooks_school_example=["127.0.0.1"])
    url = f"http://hooks.school.example:{receiver.port}/stagepool"
    world = released_to_webhook(url, channel(resolver, allow_local=True))
    assert world.store.states()["rnd-1:school:sch-a:webhook"] == "sent"
    [(_, headers, body)] = receiver.requests
    assert headers[SIGNATURE_HEADER] == sign(SECRET, body)
    assert json.loads(body)["visible_from"] == RELEASE.isoformat()


def test_a_host_that_stops_resolving_is_retried_not_given_up():
    with pytest.raises(DeliveryError) as failure:
        channel(FakeResolver(), allow_local=False).send(DELIVERY, "https://gone.school.example/hook", MESSAGE, {})
    assert not failure.value.permanent and failure.value.reason == "webhook target refused: the host does not resolve"


@pytest.mark.parametrize("status, permanent", [(302, True), (404, True), (429, False), (503, False)])
def test_a_redirect_is_not_followed_and_fails_permanently_like_a_4xx(receiver, status, permanent):
    receiver.status, receiver.location = status, "http://169.254.169.254/latest/meta-data/"
    resolver = FakeResolver(hooks_school_example=["127.0.0.1"])
    with pytest.raises(DeliveryError) as failure:
        channel(resolver, allow_local=True).send(DELIVERY, f"http://hooks.school.example:{receiver.port}/", MESSAGE, {})
    assert failure.value.permanent is permanent and str(status) in failure.value.reason
    assert len(receiver.requests) == 1


@pytest.mark.parametrize("env, allow_local", [({}, False), ({"STAGEPOOL_ENV": "dev"}, True)])
def test_the_wired_webhook_channel_allows_local_targets_in_the_dev_stack_only(env, allow_local):
    settings = Settings.from_env({**ENV, **env})
    assert settings.webhook_allow_local is allow_local
    world = World()
    wiring = bootstrap(settings, store=world.store, directory=world.directory, publisher=world.publisher,
                       clock=world.clock, tokens=world.wiring.tokens)
    assert wiring.dispatcher.channels["webhook"].policy.allow_local is allow_local
