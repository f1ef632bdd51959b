"""The webhook admin (content/admin/webhooks.py): publishers register and remove
subscribers through the services and read the delivery log; nobody else sees them."""

import pytest

from content.choices import ContentType, Role
from content.models import WebhookDelivery, WebhookSubscription
from content.services.webhooks import webhook_subscribe
from tests.editorial_steps import Staff
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

ADD = "/admin/content/webhooksubscription/add/"
SECRET = "s3cret-shared-with-the-mirror"


@pytest.fixture
def publisher(client):
    user = UserFactory(username="paula", roles=[Role.PUBLISHERS], is_staff=True)
    client.force_login(user)
    return user


def test_a_publisher_registers_a_subscriber(client, publisher):
    response = client.post(ADD, {
        "url": "http://127.0.0.1:8080/hook", "secret": SECRET,
        "event_types": ["published", "unpublished"], "description": "Mirror",
    })

    assert response.status_code == 302
    subscription = WebhookSubscription.objects.get()
    assert (subscription.url, subscription.event_types, subscription.created_by) == (
        "http://127.0.0.1:8080/hook", ["published", "unpublished"], publisher
    )
    assert subscription.secret == SECRET


def test_the_admin_refuses_a_private_target_in_production(client, publisher, settings):
    settings.HIPKNEE_WEBHOOK_ALLOW_PRIVATE = False

    response = client.post(ADD, {"url": "http://10.0.0.7/hook", "secret": SECRET,
                                 "event_types": ["published"]})

    assert response.status_code == 200
    assert "resolves to a non-public address (10.0.0.7)" in response.content.decode()
    assert WebhookSubscription.objects.count() == 0


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("http://[64:ff9b::a00:7]/hook", "(64:ff9b::a00:7: NAT64 address of 10.0.0.7)"),
        ("https://93.184.215.14:8443/hook",
         "Port 8443 is not allowed for webhooks; use one of: 80, 443."),
    ],
)
def test_the_admin_applies_the_same_target_policy(client, publisher, settings, url, message):
    settings.HIPKNEE_WEBHOOK_ALLOW_PRIVATE = False
    settings.HIPKNEE_WEBHOOK_ALLOWED_PORTS = (80, 443)

    response = client.post(ADD, {"url": url, "secret": SECRET, "event_types": ["published"]})

    assert response.status_code == 200
    assert message in response.content.decode()
    assert WebhookSubscription.objects.count() == 0


def test_the_secret_is_not_shown_and_a_subscriber_is_not_edited(client, publisher):
    subscription = webhook_subscribe(url="http://127.0.0.1:8080/hook", secret=SECRET)

    page = client.get(f"/admin/content/webhooksubscription/{subscription.pk}/change/")

    assert page.status_code == 200
    assert SECRET not in page.content.decode()
    assert 'name="url"' not in page.content.decode()


def test_removing_a_subscriber_removes_its_queue(client, publisher):
    subscription = webhook_subscribe(url="http://127.0.0.1:8080/hook", secret=SECRET)
    Staff().go_live(ContentType.SYMPTOM, "stiffness")

    response = client.post(f"/admin/content/webhooksubscription/{subscription.pk}/delete/",
                           {"post": "yes"})

    assert response.status_code == 302
    assert WebhookSubscription.objects.count() == 0
    assert WebhookDelivery.objects.count() == 0


def test_the_delivery_log_is_read_only(client, publisher):
    webhook_subscribe(url="http://127.0.0.1:8080/hook", secret=SECRET)
    Staff().go_live(ContentType.SYMPTOM, "stiffness")
    delivery = WebhookDelivery.objects.get()

    listing = client.get("/admin/content/webhookdelivery/")
    detail = client.get(f"/admin/content/webhookdelivery/{delivery.pk}/change/")

    assert listing.status_code == 200
    assert "symptom:stiffness" in listing.content.decode()
    assert detail.status_code == 200
    assert client.get("/admin/content/webhookdelivery/add/").status_code == 403
    assert client.post(f"/admin/content/webhookdelivery/{delivery.pk}/delete/",
                       {"post": "yes"}).status_code == 403


@pytest.mark.parametrize("role", [Role.EDITORS, Role.MEDICAL_REVIEWERS])
def test_other_roles_do_not_see_webhooks(client, role):
    client.force_login(UserFactory(username="other", roles=[role], is_staff=True))

    assert client.get("/admin/content/webhooksubscription/").status_code == 403
    assert client.get("/admin/content/webhookdelivery/").status_code == 403
    assert "Webhook" not in client.get("/admin/").content.decode()
