"""A corpus of bad input: never a 5xx, always a clear answer, nothing stored on a refusal.

Every public filter and every editorial write field gets SQL and HTML injection strings,
unicode edge cases (NUL, RTL marks, emoji, combining marks, zero-width characters), huge
strings, wrong types and malformed JSON. Harmless text filters answer 200; a value of the
wrong form is 400 problem+json naming the parameter; a NUL is 400 before any query runs
(PostgreSQL cannot compare text containing U+0000); a write that is refused stores nothing.
"""

import json

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from content.choices import Role
from content.models import Document, EditorialEvent, Revision
from content.snapshots import SLUG_RE
from tests.api.editorial.conftest import PAYLOADS
from tests.factories import (
    ArticleFactory,
    CauseFactory,
    ConditionFactory,
    SymptomFactory,
    TreatmentFactory,
    UserFactory,
    WarningSignFactory,
)

INJECTIONS = [
    "' OR '1'='1",
    "1; DROP TABLE content_article; --",
    '" OR ""="',
    "%' UNION SELECT username, password FROM auth_user --",
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "javascript:alert(1)",
    "../../etc/passwd",
    "%s%s%n",
    "${jndi:ldap://127.0.0.1/a}",
    "\\",
    "'",
    "%",
    "_",
]
UNICODE = [
    "\u202eevil\u202c",
    "\u200f\u05e9\u05dc\u05d5\u05dd",
    "knee \U0001f9b5\U0001f3fd pain \U0001f600",
    "e\u0301",
    "\ufeffbom",
    "zero\u200bwidth",
    "\U0001d573\U0001d58e\U0001d594",
    "tab\tnew\nline",
]
NUMBERS = ["-1", "0", "99999999999999999999", "1e308", "NaN", "Infinity", "null", "[]"]
HUGE = "a" * 5000
NASTY = [*INJECTIONS, *UNICODE, *NUMBERS, HUGE]

#: Each public list and its filters: "text" filters search; the others take a strict form.
LISTS = {
    "/api/v1/articles/": {"search": "text", "condition": "slug", "updated_since": "instant",
                          "ordering": "choice"},
    "/api/v1/conditions/": {"search": "text", "body_region": "choice", "article": "slug",
                            "ordering": "choice"},
    "/api/v1/causes/": {"search": "text", "condition": "slug", "article": "slug"},
    "/api/v1/symptoms/": {"search": "text", "frequency": "choice", "article": "slug"},
    "/api/v1/warning-signs/": {"urgency": "choice", "article": "slug"},
    "/api/v1/treatments/": {"search": "text", "category": "choice", "article": "slug"},
}
FILTER_CASES = [
    (path, name, kind) for path, filters in LISTS.items() for name, kind in filters.items()
]


@pytest.fixture
def published(db):
    condition = ConditionFactory(slug="hip-bursitis", name="Hip bursitis")
    ArticleFactory(slug="hip-and-knee", title="Hip and knee", conditions=[condition])
    CauseFactory(slug="referred-pain", name="Referred pain", conditions=[condition])
    SymptomFactory(slug="stiffness", name="Stiffness")
    WarningSignFactory(slug="numbness", text="Numbness in the leg.")
    TreatmentFactory(slug="acupuncture", name="Acupuncture")


def assert_problem(response, status: int, field: str | None = None) -> dict:
    assert response.status_code == status, (response.status_code, response.content[:300])
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == status
    assert {"type", "title", "status", "detail", "code"} <= body.keys()
    if field is not None:
        assert field in [error["field"] for error in body["errors"]]
    return body


def expected_status(kind: str, value: str) -> int:
    if kind == "text":
        return 400 if len(value) > 200 else 200
    if kind == "slug":  # a well-formed slug that names nothing published matches nothing
        return 200 if SLUG_RE.fullmatch(value) else 400
    return 400


@pytest.mark.parametrize(("path", "name", "kind"), FILTER_CASES)
def test_every_public_filter_answers_nasty_values_clearly(published, path, name, kind):
    client = APIClient()

    for value in NASTY:
        response = client.get(path, {name: value})

        status = expected_status(kind, value)
        if status == 200:
            assert response.status_code == 200, (value, response.content[:300])
            assert response["Content-Type"] == "application/json"
            assert {"count", "next", "previous", "results"} == response.json().keys()
        else:
            assert_problem(response, 400, field=name)


@pytest.mark.parametrize(("path", "name", "kind"), FILTER_CASES)
def test_a_nul_in_any_filter_is_400_before_any_query(
    published, path, name, kind, django_assert_num_queries
):
    with django_assert_num_queries(0):
        response = APIClient().get(path, {name: "hip\x00bursitis"})

    body = assert_problem(response, 400)
    assert body["errors"] == [{
        "field": name,
        "message": "Query parameters must not contain NUL characters.",
        "code": "null_characters_not_allowed",
    }]


@pytest.mark.parametrize("path", list(LISTS))
@pytest.mark.parametrize("name", ["page", "page_size"])
def test_pagination_parameters_answer_nasty_values_clearly(published, path, name):
    client = APIClient()

    for value in NASTY:
        response = client.get(path, {name: value})

        if name == "page_size" and value.isdigit() and int(value) > 0:
            assert response.status_code == 200  # capped at 100
            assert len(response.json()["results"]) == 1
        else:
            assert response.status_code in (400, 404), (value, response.status_code)
            assert_problem(response, response.status_code)


def test_search_answers_nasty_queries_and_refuses_nul(published):
    client = APIClient()

    for value in [*INJECTIONS, *UNICODE, *NUMBERS]:
        response = client.get("/api/v1/search/", {"q": value})
        assert response.status_code == 200, (value, response.content[:300])
        assert {
            "count", "count_is_estimate", "next", "previous", "results",
        } == response.json().keys()
    for value in NASTY:
        assert_problem(client.get("/api/v1/search/", {"q": "knee", "type": value}), 400,
                       field="type")
    assert_problem(client.get("/api/v1/search/", {"q": "knee\x00"}), 400, field="q")


def test_the_change_feed_refuses_nasty_cursors(published):
    client = APIClient()

    for value in NASTY:
        assert_problem(client.get("/api/v1/changes/", {"since": value}), 400, field="since")


@pytest.mark.parametrize(
    "path", ["/api/v1/articles/%00/", "/api/v1/articles/hip%00and-knee/",
             "/api/v1/articles/hip-and-knee/sections/intro%00duction/"]
)
def test_a_nul_in_the_path_is_404(published, path, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = APIClient().get(path)

    assert_problem(response, 404)


@pytest.mark.parametrize(
    "slug", ["' OR 1=1 --", "<script>", "hüft", "\u202eevil", "\U0001f9b5", "a" * 5000,
             "..%2F..%2Fetc"]
)
def test_nasty_detail_slugs_are_404(published, slug):
    assert_problem(APIClient().get(f"/api/v1/articles/{slug}/"), 404)


def test_a_nul_in_a_header_is_400(published, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = APIClient().get("/api/v1/articles/", HTTP_IF_NONE_MATCH='"abc\x00"')

    assert assert_problem(response, 400)["errors"][0]["field"] == "If-None-Match"


def test_public_endpoints_refuse_writes_with_405(published):
    client = APIClient()

    for method in ("post", "put", "patch", "delete"):
        response = getattr(client, method)("/api/v1/articles/", {"title": "x"}, format="json")
        assert_problem(response, 405)


# --- Editorial writes ------------------------------------------------------------------------


@pytest.fixture
def editor_client(db) -> APIClient:
    user = UserFactory(username="fuzzy-editor", roles=[Role.EDITORS])
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return client


def stored() -> tuple[int, int, int]:
    return Document.objects.count(), Revision.objects.count(), EditorialEvent.objects.count()


#: Text fields of each type's creation payload.
TEXT_FIELDS = {
    type_path: [name for name, value in payload.items() if isinstance(value, str)]
    for type_path, (payload, _) in PAYLOADS.items()
}
WRITE_CASES = [(type_path, name) for type_path, names in TEXT_FIELDS.items() for name in names]


@pytest.mark.parametrize(("type_path", "field"), WRITE_CASES)
def test_nasty_text_in_a_write_is_stored_safely_or_refused_with_nothing_stored(
    editor_client, type_path, field
):
    url = f"/api/v1/editorial/{type_path}/"
    payload, _ = PAYLOADS[type_path]

    for index, value in enumerate([*INJECTIONS, *UNICODE, HUGE, "x" * 100_000]):
        before = stored()
        body = {**payload, field: value}
        if field != "slug":
            body["slug"] = f"{payload['slug']}-{index}"
        response = editor_client.post(url, body, format="json")

        assert response.status_code in (201, 400), (field, value[:40], response.content[:300])
        if response.status_code == 400:
            assert_problem(response, 400, field=field)
            assert stored() == before
        else:
            assert stored()[0] == before[0] + 1


@pytest.mark.parametrize(("type_path", "field"), WRITE_CASES)
def test_a_nul_in_a_write_is_400_naming_where_and_nothing_is_stored(
    editor_client, type_path, field
):
    payload, _ = PAYLOADS[type_path]
    before = stored()

    response = editor_client.post(
        f"/api/v1/editorial/{type_path}/", {**payload, field: "bad\x00value"}, format="json"
    )

    body = assert_problem(response, 400)
    assert body["code"] == "malformed_request"
    assert f"The text at {field} contains a NUL character (U+0000)." in body["detail"]
    assert stored() == before


@pytest.mark.parametrize(
    ("raw", "fragment"),
    [
        ("{not json", "JSON parse error"),
        ('{"title": NaN}', "JSON parse error"),
        ('{"title": Infinity}', "JSON parse error"),
        ('{"title": "\\ud800"}', "lone surrogate"),
        ('{"bad\\u0000key": 1}', "A key in the top level contains a NUL character"),
        ('{"sections": [{"heading": "a\\u0000"}]}', "The text at sections[0].heading contains"),
        ("[" * 100_000 + "]" * 100_000, "nested too deeply"),
        ('{"title": "x"', "JSON parse error"),
        ("\xff\xfe", "JSON parse error"),
    ],
)
def test_malformed_json_is_400_and_nothing_is_stored(editor_client, raw, fragment):
    before = stored()

    response = editor_client.generic(
        "POST", "/api/v1/editorial/articles/", raw.encode("utf-8", "surrogatepass"),
        content_type="application/json",
    )

    body = assert_problem(response, 400)
    assert body["code"] == "malformed_request"
    assert fragment in body["detail"]
    assert stored() == before


#: The only "wrong" values that are in fact right: empty or one-string lists, a null caution.
ACCEPTABLE = {
    ("articles", "sections", "[]"),
    ("conditions", "also_known_as", '["a"]'),
    ("conditions", "also_known_as", "[]"),
    ("treatments", "caution", "null"),
    ("treatments", "examples", '["a"]'),
    ("treatments", "examples", "[]"),
}


@pytest.mark.parametrize("type_path", list(PAYLOADS))
@pytest.mark.parametrize("wrong", [42, 1.5, True, None, [], {}, ["a"], {"a": 1}])
def test_wrong_types_in_every_field_are_400_naming_it_and_store_nothing(
    editor_client, type_path, wrong
):
    payload, _ = PAYLOADS[type_path]

    for index, field in enumerate(payload):
        before = stored()
        body = {**payload, field: wrong}
        if field != "slug":
            body["slug"] = f"{payload['slug']}-{index}"
        response = editor_client.post(f"/api/v1/editorial/{type_path}/", body, format="json")

        if (type_path, field, json.dumps(wrong)) in ACCEPTABLE:
            assert response.status_code == 201, (field, wrong, response.content[:300])
            assert stored()[0] == before[0] + 1
        else:
            errors = assert_problem(response, 400)["errors"]
            assert [error["field"].split("[")[0] for error in errors] == [field]
            assert stored() == before


@pytest.mark.parametrize("body", [[], "a string", 42, None, [PAYLOADS["articles"][0]]])
def test_a_body_that_is_not_an_object_is_400(editor_client, body):
    before = stored()

    response = editor_client.generic(
        "POST", "/api/v1/editorial/articles/", json.dumps(body), content_type="application/json"
    )

    assert_problem(response, 400)
    assert stored() == before


def test_an_unsupported_content_type_is_415(editor_client):
    response = editor_client.generic(
        "POST", "/api/v1/editorial/articles/", "title=x", content_type="text/plain"
    )

    assert_problem(response, 415)
    assert stored() == (0, 0, 0)


def test_a_body_over_one_megabyte_is_413_and_nothing_is_stored(editor_client):
    payload = {**PAYLOADS["articles"][0], "summary": "x" * (1024 * 1024)}

    response = editor_client.post("/api/v1/editorial/articles/", payload, format="json")

    assert_problem(response, 413)
    assert stored() == (0, 0, 0)
