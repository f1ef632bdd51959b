"""/api/v1/editorial/webhooks/ (content/api/editorial/webhooks.py): publishers register,
list, inspect and remove subscribers; other roles and anonymous clients are refused."""

import datetime as dt

import pytest
import time_machine

from content.choices import ContentType
from content.models import WebhookDelivery, WebhookSubscription
from content.services.webhooks import deliveries_send_due
from tests.api.editorial.conftest import token_client
from tests.editorial_steps import Staff
from tests.factories import UserFactory
from tests.webhook_receiver import Receiver, start

pytestmark = pytest.mark.django_db

T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
URL = "/api/v1/editorial/webhooks/"
SECRET = "s3cret-shared-with-the-mirror"
HOOK = "http://127.0.0.1:8080/hooks/hipknee"


@pytest.fixture
def clock():
    with time_machine.travel(T0, tick=False) as traveller:
        yield traveller


def register(client, **overrides):
    payload = {"url": HOOK, "secret": SECRET, "event_types": ["published", "unpublished"],
               "description": "Our app's content mirror", **overrides}
    return client.post(URL, payload, format="json")


def test_a_publisher_registers_a_webhook(publisher_client, clock):
    response = register(publisher_client)

    subscription = WebhookSubscription.objects.get()
    assert response.status_code == 201
    assert response["Location"] == f"http://testserver{URL}{subscription.pk}/"
    assert response.json() == {
        "id": subscription.pk,
        "url": HOOK,
        "event_types": ["published", "unpublished"],
        "description": "Our app's content mirror",
        "created_by": "paul",
        "created_at": "2026-03-02T09:00:00Z",
        "deliveries": f"http://testserver{URL}{subscription.pk}/deliveries/",
    }
    assert subscription.secret == SECRET


def test_event_types_default_to_all(publisher_client):
    response = publisher_client.post(URL, {"url": HOOK, "secret": SECRET}, format="json")

    assert response.status_code == 201
    assert response.json()["event_types"] == ["published", "updated", "unpublished"]


def test_the_secret_is_never_shown(publisher_client):
    created = register(publisher_client).json()

    listed = publisher_client.get(URL).json()["results"][0]
    shown = publisher_client.get(f"{URL}{created['id']}/").json()

    assert "secret" not in created and "secret" not in listed and "secret" not in shown
    assert SECRET not in publisher_client.get(URL).content.decode()


def test_list_and_detail(publisher_client, clock, django_assert_num_queries):
    first = register(publisher_client).json()
    second = register(publisher_client, url=f"{HOOK}/2", event_types=["updated"]).json()

    with django_assert_num_queries(4):  # token, roles, count, page
        response = publisher_client.get(URL)

    assert response.status_code == 200
    assert response.json() == {"count": 2, "next": None, "previous": None,
                               "results": [first, second]}
    detail = publisher_client.get(f"{URL}{second['id']}/")
    assert (detail.status_code, detail.json()) == (200, second)


@pytest.mark.parametrize(
    ("payload", "field", "code"),
    [
        ({"url": "ftp://example.org/hook"}, "url", "target_refused"),
        ({"secret": "short"}, "secret", "min_length"),
        ({"event_types": ["deleted"]}, "event_types[0]", "invalid_choice"),
        ({"event_types": []}, "event_types", "empty"),
        ({"url": None}, "url", "null"),
    ],
)
def test_invalid_registrations_are_400_problems(publisher_client, payload, field, code):
    response = register(publisher_client, **payload)

    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["code"] == "invalid"
    assert [(e["field"], e["code"]) for e in body["errors"]] == [(field, code)]
    assert WebhookSubscription.objects.count() == 0


def test_a_private_target_is_refused_under_production_policy(publisher_client, settings):
    settings.HIPKNEE_WEBHOOK_ALLOW_PRIVATE = False

    response = register(publisher_client, url="http://169.254.169.254/latest/meta-data/")

    assert response.status_code == 400
    assert response.json()["errors"] == [{
        "field": "url",
        "message": "The host '169.254.169.254' resolves to a non-public address "
        "(169.254.169.254); webhooks go only to public addresses.",
        "code": "target_refused",
    }]


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("http://[64:ff9b::a9fe:a9fe]/latest/meta-data/",
         "The host '64:ff9b::a9fe:a9fe' resolves to a non-public address (64:ff9b::a9fe:a9fe: "
         "NAT64 address of 169.254.169.254); webhooks go only to public addresses."),
        ("http://[2002:7f00:1::]/hook",
         "The host '2002:7f00:1::' resolves to a non-public address (2002:7f00:1::: 6to4 "
         "address of 127.0.0.1); webhooks go only to public addresses."),
        ("http://[::127.0.0.1]/hook",
         "The host '::127.0.0.1' resolves to a non-public address (::127.0.0.1: "
         "IPv4-compatible address of 127.0.0.1); webhooks go only to public addresses."),
        ("http://8.8.8.8:25/", "Port 25 is not allowed for webhooks; use one of: 80, 443."),
    ],
)
def test_embedded_ipv4_forms_and_other_ports_are_400_problems_naming_the_reason(
    publisher_client, settings, url, message
):
    settings.HIPKNEE_WEBHOOK_ALLOW_PRIVATE = False
    settings.HIPKNEE_WEBHOOK_ALLOWED_PORTS = (80, 443)

    response = register(publisher_client, url=url)

    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert response.json() == {
        "type": "urn:hipknee:problem:invalid",
        "title": "The content is not valid.",
        "status": 400,
        "detail": "1 field(s) are not valid; see errors.",
        "code": "invalid",
        "errors": [{"field": "url", "message": message, "code": "target_refused"}],
    }
    assert WebhookSubscription.objects.count() == 0


def test_a_publisher_deletes_a_webhook_and_its_queue(publisher_client):
    created = register(publisher_client).json()
    Staff().go_live(ContentType.SYMPTOM, "stiffness")
    assert WebhookDelivery.objects.count() == 1

    response = publisher_client.delete(f"{URL}{created['id']}/")

    assert (response.status_code, response.content) == (204, b"")
    assert WebhookSubscription.objects.count() == 0
    assert WebhookDelivery.objects.count() == 0
    again = publisher_client.delete(f"{URL}{created['id']}/")
    assert again.status_code == 404
    assert again["Content-Type"] == "application/problem+json"


def test_the_delivery_log_shows_attempts(publisher_client, clock):
    receiver = Receiver(secret=SECRET, script=[500])
    server = start(receiver)
    try:
        created = register(publisher_client, url=receiver.url).json()
        Staff().go_live(ContentType.SYMPTOM, "stiffness")
        deliveries_send_due()
    finally:
        server.shutdown()
        server.server_close()
    delivery = WebhookDelivery.objects.get()

    response = publisher_client.get(created["deliveries"])

    assert response.status_code == 200
    assert response.json() == {
        "count": 1,
        "next": None,
        "previous": None,
        "results": [{
            "id": str(delivery.pk),
            "event": "published",
            "type": "symptom",
            "slug": "stiffness",
            "status": "pending",
            "attempts": 1,
            "next_attempt_at": "2026-03-02T09:00:30Z",
            "last_attempt_at": "2026-03-02T09:00:00Z",
            "last_status_code": 500,
            "last_error": "HTTP 500: receiver says no",
            "delivered_at": None,
            "created_at": "2026-03-02T09:00:00Z",
        }],
    }


def test_unknown_webhook_is_404(publisher_client):
    for path in (f"{URL}999/", f"{URL}999/deliveries/"):
        response = publisher_client.get(path)
        assert response.status_code == 404
        assert response["Content-Type"] == "application/problem+json"


def test_anonymous_clients_are_401(api_client):
    response = api_client.get(URL)

    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"


@pytest.mark.parametrize("role", ["editors", "medical_reviewers"])
def test_other_roles_are_403(role):
    client = token_client(UserFactory(username=f"someone-{role}", roles=[role]))

    for response in (client.get(URL), register(client)):
        assert response.status_code == 403
        assert response.json()["detail"] == "This action needs the 'publishers' role."
    assert WebhookSubscription.objects.count() == 0
