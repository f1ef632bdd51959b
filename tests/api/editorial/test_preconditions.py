"""If-Match on the editorial writes (content/api/preconditions.py), as RFC 9110 defines it:
missing or `*` is 428, a value that is not a list of entity tags is 400 naming If-Match, a
well-formed list without a strong match of the latest ETag is 412 with that ETag."""

import pytest

from content.api import preconditions
from content.caching.etags import EntityTag, parse_entity_tags, strong_match
from content.models import Revision
from content.services.versioning import document_create, revision_create
from tests.api.editorial.conftest import PAYLOADS

PROBLEM = "application/problem+json"
DETAIL = "/api/v1/editorial/conditions/hip-bursitis/"
REVERT = f"{DETAIL}revisions/1/revert/"
#: The two writes that take If-Match: an edit, and a revert to revision 1.
WRITES = {
    "patch": lambda client, **headers: client.patch(
        DETAIL, {"description": "Edited."}, format="json", **headers),
    "revert": lambda client, **headers: client.post(REVERT, format="json", **headers),
}
#: What each write answers when it succeeds on top of revision 2.
SUCCESS_STATUS = {"patch": 200, "revert": 201}

REQUIRED = {
    "type": "urn:hipknee:problem:precondition-required",
    "title": "Precondition required.",
    "status": 428,
    "detail": "Send If-Match with the ETag of the revision you edited.",
    "code": "precondition_required",
}
MALFORMED = {
    "type": "urn:hipknee:problem:invalid",
    "title": "The request is not valid.",
    "status": 400,
    "detail": 'If-Match: Expected `*` or a comma-separated list of entity tags such as "rev-3" '
    "(the ETag exactly as this API sent it, in double quotes).",
    "code": "invalid",
    "errors": [{
        "field": "If-Match",
        "message": 'Expected `*` or a comma-separated list of entity tags such as "rev-3" '
        "(the ETag exactly as this API sent it, in double quotes).",
        "code": "malformed",
    }],
}
STALE_DETAIL = (
    'If-Match does not name the latest revision, whose ETag is "rev-2"; nothing was saved. '
    "Reload, reapply your change and send that ETag in If-Match."
)
STALE = {
    "type": "urn:hipknee:problem:stale-revision",
    "title": "The content changed since you loaded it.",
    "status": 412,
    "detail": STALE_DETAIL,
    "code": "stale_revision",
}


@pytest.fixture
def condition(editor):
    """A condition at revision 2."""
    first = document_create(type_="condition", data=PAYLOADS["conditions"][0], author=editor)
    revision_create(document=first.document, data={"name": "Hip bursitis (trochanteric)"},
                    author=editor, expected_revision=1)
    return first.document


def revision_numbers() -> list[int]:
    return list(Revision.objects.order_by("number").values_list("number", flat=True))


# --- parsing ---------------------------------------------------------------------------------

@pytest.mark.parametrize(("value", "tags"), [
    ('"rev-3"', [EntityTag(False, "rev-3")]),
    ('W/"rev-3"', [EntityTag(True, "rev-3")]),
    ('"rev-1", W/"rev-2" ,"rev-3"', [EntityTag(False, "rev-1"), EntityTag(True, "rev-2"),
                                     EntityTag(False, "rev-3")]),
    ('"a,b"', [EntityTag(False, "a,b")]),  # a comma inside the quotes belongs to the tag
    (' , "x" ,, "y", ', [EntityTag(False, "x"), EntityTag(False, "y")]),  # empty elements
    ('""', [EntityTag(False, "")]),
    ('"caf\xe9"', [EntityTag(False, "caf\xe9")]),  # obs-text
    ("", []),
    (" , ", []),
])
def test_entity_tag_lists_parse_as_rfc_9110_writes_them(value, tags):
    assert parse_entity_tags(value) == tags


@pytest.mark.parametrize("value", [
    "rev-3",  # no quotes
    '"rev-3',  # unterminated
    'rev-3"',
    'w/"rev-3"',  # the weak prefix is case-sensitive
    'W/ "rev-3"',
    '"rev-1" "rev-2"',  # no comma between the tags
    '"rev-1"x',
    '*, "rev-1"',  # `*` stands alone
    '"rev 3"',  # a space is not an etagc
    '"tab\there"',
])
def test_values_that_are_not_entity_tag_lists_are_refused(value):
    with pytest.raises(ValueError):
        parse_entity_tags(value)


def test_strong_comparison_never_matches_a_weak_tag():
    current = EntityTag(False, "rev-2")

    assert strong_match([EntityTag(False, "rev-1"), EntityTag(False, "rev-2")], current)
    assert not strong_match([EntityTag(True, "rev-2")], current)
    assert not strong_match([EntityTag(False, "rev-2")], EntityTag(True, "rev-2"))
    assert not strong_match([], current)


# --- over HTTP, on each write that takes If-Match --------------------------------------------

@pytest.mark.django_db
@pytest.mark.parametrize("write", list(WRITES))
@pytest.mark.parametrize("if_match", [
    '"stale-etag"', '"rev-1"', '"rev-7"', '"rev-1", "rev-3"', '"REV-2"', '""'
])
def test_a_well_formed_if_match_naming_another_etag_is_412_with_the_latest(
    condition, editor_client, write, if_match
):
    response = WRITES[write](editor_client, HTTP_IF_MATCH=if_match)

    assert response.status_code == 412
    assert response["Content-Type"] == PROBLEM
    assert response["ETag"] == '"rev-2"'
    assert response.json() == STALE
    assert revision_numbers() == [1, 2]


@pytest.mark.django_db
@pytest.mark.parametrize("write", list(WRITES))
def test_a_weak_tag_never_matches_and_the_problem_says_why(condition, editor_client, write):
    response = WRITES[write](editor_client, HTTP_IF_MATCH='W/"rev-2"')

    assert response.status_code == 412
    assert response["ETag"] == '"rev-2"'
    assert response.json() == {
        **STALE,
        "detail": f'{STALE_DETAIL} If-Match compares strongly, so the weak W/"rev-2" never '
        "matches.",
    }
    assert revision_numbers() == [1, 2]


@pytest.mark.django_db
@pytest.mark.parametrize("write", list(WRITES))
@pytest.mark.parametrize("if_match", ['"rev-2"', '"rev-1", "rev-2"', 'W/"rev-2", "rev-2"',
                                      ' ,"rev-2", '])
def test_a_list_with_the_latest_strong_etag_lets_the_write_through(
    condition, editor_client, write, if_match
):
    response = WRITES[write](editor_client, HTTP_IF_MATCH=if_match)

    assert response.status_code == SUCCESS_STATUS[write], response.json()
    assert response["ETag"] == '"rev-3"'
    assert revision_numbers() == [1, 2, 3]


@pytest.mark.django_db
@pytest.mark.parametrize("write", list(WRITES))
@pytest.mark.parametrize("if_match", ["rev-2", "stale-etag", '"rev-2', 'w/"rev-2"',
                                      '"rev-1" "rev-2"', '*, "rev-2"'])
def test_a_malformed_if_match_is_400_naming_the_header(condition, editor_client, write,
                                                       if_match):
    response = WRITES[write](editor_client, HTTP_IF_MATCH=if_match)

    assert response.status_code == 400
    assert response["Content-Type"] == PROBLEM
    assert response.json() == MALFORMED
    assert revision_numbers() == [1, 2]


@pytest.mark.django_db
@pytest.mark.parametrize("write", list(WRITES))
@pytest.mark.parametrize("headers", [{}, {"HTTP_IF_MATCH": ""}, {"HTTP_IF_MATCH": " , "}])
def test_a_missing_if_match_is_428(condition, editor_client, write, headers):
    response = WRITES[write](editor_client, **headers)

    assert response.status_code == 428
    assert response["Content-Type"] == PROBLEM
    assert response.json() == REQUIRED
    assert revision_numbers() == [1, 2]


@pytest.mark.django_db
@pytest.mark.parametrize("write", list(WRITES))
def test_if_match_star_is_428_as_decided(condition, editor_client, write):
    response = WRITES[write](editor_client, HTTP_IF_MATCH="*")

    assert response.status_code == 428
    assert response.json() == {
        **REQUIRED,
        "detail": "If-Match: * is not accepted because it would overwrite a colleague's "
        'edit; send the ETag of the revision you edited, e.g. "rev-3".',
    }
    assert revision_numbers() == [1, 2]


@pytest.mark.django_db
def test_a_412_costs_no_write_queries(condition, editor_client, django_assert_num_queries):
    with django_assert_num_queries(3) as queries:  # token, roles, the document
        response = editor_client.patch(DETAIL, {"description": "x"}, format="json",
                                       HTTP_IF_MATCH='"rev-1"')

    assert response.status_code == 412
    assert all(query["sql"].lstrip().upper().startswith("SELECT")
               for query in queries.captured_queries)


@pytest.mark.django_db
@pytest.mark.parametrize("write", list(WRITES))
def test_a_revision_written_after_the_check_is_412_with_its_etag(
    condition, editor, editor_client, write, monkeypatch
):
    """Another editor's write between the If-Match check and the service's locked re-check:
    the service's StaleRevision is the same 412, with the new latest ETag."""
    checked = preconditions.if_match_require

    def check_then_race(request, current_etag):
        checked(request, current_etag)
        revision_create(document=condition, data={"description": "Theirs."}, author=editor,
                        expected_revision=2)

    monkeypatch.setattr("content.api.editorial.views.if_match_require", check_then_race)

    response = WRITES[write](editor_client, HTTP_IF_MATCH='"rev-2"')

    assert response.status_code == 412
    assert response["Content-Type"] == PROBLEM
    assert response["ETag"] == '"rev-3"'
    assert response.json() == {
        **STALE,
        "detail": "You edited revision 2 but the latest is revision 3; reload, reapply your "
        "change and send the new ETag in If-Match.",
    }
    assert revision_numbers() == [1, 2, 3]
