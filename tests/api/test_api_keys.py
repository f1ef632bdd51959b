"""API keys: X-API-Key identifies an app, a bad key is 401, only a hash is stored."""

import datetime as dt
import io
import re

import pytest
from django.contrib.messages import get_messages
from django.core.management import CommandError, call_command
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient
from rest_framework_api_key.models import APIKey

from tests.factories import UserFactory
from tests.query_costs import CACHE_MISS, VERSION_READ

INDEX = "/api/v1/"
KEY_SHAPE = re.compile(r"[A-Za-z0-9]{8}\.[A-Za-z0-9]{32}")

INVALID_KEY_BODY = {
    "type": "urn:hipknee:problem:invalid-api-key",
    "title": "Authentication is required.",
    "status": 401,
    "detail": (
        "The X-API-Key header does not name a valid API key (it is unknown, revoked or "
        "expired). Send a valid key, or no X-API-Key header to read anonymously."
    ),
    "code": "invalid_api_key",
}


def assert_refused(response) -> None:
    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"
    assert response["WWW-Authenticate"] == 'ApiKey header="X-API-Key"'
    assert response.json() == INVALID_KEY_BODY


def test_a_valid_key_reads_the_public_api(db, django_assert_num_queries):
    _, key = APIKey.objects.create_key(name="Acme Health app")

    with django_assert_num_queries(1 + CACHE_MISS):  # and the key, by its prefix
        response = APIClient().get(INDEX, HTTP_X_API_KEY=key)

    assert response.status_code == 200
    assert response.json()["articles"] == "http://testserver/api/v1/articles/"


def test_no_header_or_an_empty_one_is_anonymous(db, django_assert_num_queries):
    with django_assert_num_queries(CACHE_MISS + VERSION_READ):  # then a hit
        absent = APIClient().get(INDEX)
        empty = APIClient().get(INDEX, HTTP_X_API_KEY="  ")

    assert (absent.status_code, empty.status_code) == (200, 200)


@pytest.mark.parametrize(
    "key",
    [
        "not-a-key",
        "abc",
        "x" * 5000,
        "' OR 1=1 --",
        "abcdefgh.",
        "abcdefgh.0123456789012345678901234567890123",
        "ab\u202ecdefg.01234567890123456789012345678901",
    ],
)
def test_a_malformed_key_is_401_without_a_query(db, django_assert_num_queries, key):
    with django_assert_num_queries(0):
        response = APIClient().get(INDEX, HTTP_X_API_KEY=key)

    assert_refused(response)


def test_an_unknown_key_is_401(db):
    instance, key = APIKey.objects.create_key(name="Acme Health app")
    prefix, secret = key.split(".")
    wrong_secret = f"{prefix}.{'A' * 32}"
    unknown_prefix = f"{'Z' * 8}.{secret}"

    assert_refused(APIClient().get(INDEX, HTTP_X_API_KEY=wrong_secret))
    assert_refused(APIClient().get(INDEX, HTTP_X_API_KEY=unknown_prefix))


def test_a_revoked_key_is_401(db):
    instance, key = APIKey.objects.create_key(name="Acme Health app")
    instance.revoked = True
    instance.save()

    assert_refused(APIClient().get(INDEX, HTTP_X_API_KEY=key))


class _Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def key_clock(monkeypatch):
    """The clock by which each process trusts a key it has looked up (HIPKNEE_API_KEY_CHECK)."""
    from content.api import authentication

    clock = _Clock()
    monkeypatch.setattr(authentication._key_check, "clock", clock)
    return clock


def test_a_key_is_looked_up_once_per_check_interval(db, django_assert_num_queries, key_clock):
    _, key = APIKey.objects.create_key(name="Acme Health app")
    first = APIClient().get(INDEX, HTTP_X_API_KEY=key)

    with django_assert_num_queries(VERSION_READ):  # a hit: no lookup of the key
        trusted = APIClient().get(INDEX, HTTP_X_API_KEY=key)
    key_clock.now += 1.0
    with django_assert_num_queries(1 + VERSION_READ):  # a second on: looked up again
        checked = APIClient().get(INDEX, HTTP_X_API_KEY=key)

    assert (first.status_code, trusted.status_code, checked.status_code) == (200, 200, 200)
    assert trusted.content == first.content


def test_while_one_request_looks_a_key_up_again_the_others_trust_it_meanwhile(
    settings, monkeypatch
):
    """Under gevent every request in flight when a key fell due looked it up (a query each,
    on a database connection each): now one does, and the others trust it meanwhile."""
    import threading

    from content.api import authentication

    settings.HIPKNEE_API_KEY_CHECK = 1
    clock = _Clock()
    check = authentication._KeyCheck(clock)
    found, started, release, calls = object(), threading.Event(), threading.Event(), []

    def lookup(raw):
        calls.append(raw)
        if len(calls) == 2:  # the second lookup is slow
            started.set()
            assert release.wait(5)
        return found

    monkeypatch.setattr(authentication, "usable_key", lookup)
    first = check.get("abc.key")
    clock.now += 1.0
    result = {}
    looking = threading.Thread(target=lambda: result.setdefault("value", check.get("abc.key")))
    looking.start()
    assert started.wait(5)
    meanwhile = check.get("abc.key")
    unknown = check.get("xyz.other")  # a key nobody holds is looked up whatever happens
    release.set()
    looking.join(5)

    assert (first, meanwhile, result["value"], unknown) == (found, found, found, found)
    assert calls == ["abc.key", "abc.key", "xyz.other"]


def test_a_revoked_key_is_401_within_the_check_interval(db, settings, key_clock):
    instance, key = APIKey.objects.create_key(name="Acme Health app")
    assert APIClient().get(INDEX, HTTP_X_API_KEY=key).status_code == 200
    instance.revoked = True
    instance.save()

    key_clock.now += 0.9
    still_trusted = APIClient().get(INDEX, HTTP_X_API_KEY=key)
    key_clock.now += 0.1
    refused = APIClient().get(INDEX, HTTP_X_API_KEY=key)
    settings.HIPKNEE_API_KEY_CHECK = 0  # looked up on every request: refused at once
    other, other_key = APIKey.objects.create_key(name="Other app")
    assert APIClient().get(INDEX, HTTP_X_API_KEY=other_key).status_code == 200
    APIKey.objects.filter(pk=other.pk).update(revoked=True)
    refused_at_once = APIClient().get(INDEX, HTTP_X_API_KEY=other_key)

    assert still_trusted.status_code == 200
    assert_refused(refused)
    assert_refused(refused_at_once)


def test_a_trusted_key_is_still_401_from_the_moment_it_expires(db, time_machine, key_clock):
    now = dt.datetime(2026, 1, 15, 9, 30, tzinfo=dt.UTC)
    time_machine.move_to(now, tick=False)
    _, key = APIKey.objects.create_key(name="Trial app", expiry_date=now + dt.timedelta(seconds=30))
    before = APIClient().get(INDEX, HTTP_X_API_KEY=key)

    time_machine.move_to(now + dt.timedelta(seconds=31), tick=False)  # key_clock stands still
    after = APIClient().get(INDEX, HTTP_X_API_KEY=key)

    assert before.status_code == 200
    assert_refused(after)


def test_an_unknown_key_is_not_remembered(db, django_assert_num_queries, key_clock):
    unknown = f"unknown0.{'a' * 32}"
    assert_refused(APIClient().get(INDEX, HTTP_X_API_KEY=unknown))

    with django_assert_num_queries(VERSION_READ + 1):  # looked up again
        assert_refused(APIClient().get(INDEX, HTTP_X_API_KEY=unknown))


def test_an_expired_key_is_401_from_the_moment_it_expires(db, time_machine):
    now = dt.datetime(2026, 1, 15, 9, 30, tzinfo=dt.UTC)
    time_machine.move_to(now, tick=False)
    _, key = APIKey.objects.create_key(
        name="Trial app", expiry_date=now + dt.timedelta(days=1)
    )

    before = APIClient().get(INDEX, HTTP_X_API_KEY=key)
    time_machine.move_to(now + dt.timedelta(days=1, seconds=1), tick=False)
    after = APIClient().get(INDEX, HTTP_X_API_KEY=key)

    assert before.status_code == 200
    assert_refused(after)


def test_a_bad_key_is_refused_on_every_public_endpoint(db):
    for path in ["/api/v1/articles/", "/api/v1/conditions/", "/api/v1/changes/",
                 "/api/schema/"]:
        assert_refused(APIClient().get(path, HTTP_X_API_KEY="wrong"))


def test_only_a_hash_of_the_key_is_stored(db):
    instance, key = APIKey.objects.create_key(name="Acme Health app")
    prefix, secret = key.split(".")

    row = APIKey.objects.filter(pk=instance.pk).values().get()

    assert row["prefix"] == prefix
    assert row["hashed_key"].startswith("sha512$$")
    assert all(secret not in str(value) for value in row.values())


def test_create_api_key_prints_only_the_key(db):
    out = io.StringIO()

    call_command("create_api_key", "Acme Health app", stdout=out)

    key = out.getvalue().strip()
    assert KEY_SHAPE.fullmatch(key)
    instance = APIKey.objects.get_from_key(key)
    assert (instance.name, instance.expiry_date, instance.revoked) == (
        "Acme Health app", None, False
    )
    assert APIClient().get(INDEX, HTTP_X_API_KEY=key).status_code == 200


def test_create_api_key_can_set_an_expiry(db, time_machine):
    now = dt.datetime(2026, 1, 15, 9, 30, tzinfo=dt.UTC)
    time_machine.move_to(now, tick=False)
    out = io.StringIO()

    call_command("create_api_key", "Trial app", "--expires-in-days", "30", stdout=out)

    instance = APIKey.objects.get_from_key(out.getvalue().strip())
    assert instance.expiry_date == now + dt.timedelta(days=30)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["   "], "NAME must be 1 to 50 characters."),
        (["x" * 51], "NAME must be 1 to 50 characters."),
        (["App", "--expires-in-days", "0"], "--expires-in-days must be at least 1."),
    ],
)
def test_create_api_key_refuses_bad_arguments(db, args, message):
    with pytest.raises(CommandError, match=re.escape(message)):
        call_command("create_api_key", *args, stdout=io.StringIO())

    assert APIKey.objects.count() == 0


def test_keys_are_created_in_the_admin_and_shown_once(db, client):
    admin = UserFactory(username="root", is_staff=True, is_superuser=True)
    client.force_login(admin)

    response = client.post(
        "/admin/rest_framework_api_key/apikey/add/", {"name": "Partner site"}
    )

    assert response.status_code == 302
    instance = APIKey.objects.get(name="Partner site")
    messages = " ".join(str(m) for m in get_messages(response.wsgi_request))
    key = re.search(r"The API key for Partner site is: (\S+)\. ", messages).group(1)
    assert APIKey.objects.get_from_key(key) == instance
    assert client.get("/admin/rest_framework_api_key/apikey/").status_code == 200


def test_the_schema_documents_the_api_key_scheme(db):
    schema = SchemaGenerator().get_schema(request=None, public=True)

    scheme = schema["components"]["securitySchemes"]["ApiKeyAuth"]
    assert {key: scheme[key] for key in ("type", "in", "name")} == {
        "type": "apiKey",
        "in": "header",
        "name": "X-API-Key",
    }
    assert {"ApiKeyAuth": []} in schema["paths"]["/api/v1/articles/"]["get"]["security"]
    assert {} in schema["paths"]["/api/v1/articles/"]["get"]["security"]
