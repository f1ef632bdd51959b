"""content/caching/etags.py: one parser of entity-tag lists, weak comparison for If-None-Match
(public GETs and the change feed), strong for If-Match (tests/api/editorial/
test_preconditions.py)."""

import pytest

from content.caching.etags import EntityTag, if_none_match, parse_entity_tag, weak_match


@pytest.mark.parametrize(
    ("value", "matches"),
    [
        ('"abc"', True),
        ('W/"abc"', True),  # weak comparison: a weak tag names the strong ETag
        ('"x", W/"abc"', True),
        (' , "x" ,, "abc" ', True),  # empty list elements
        ("*", True),
        (" * ", True),
        ('"x", "y"', False),
        ('"ab"', False),
        ("abc", False),  # not an entity tag: names nothing, so the full response is sent
        ('"abc", garbage', False),
        ("", False),
        (None, False),  # no If-None-Match at all
    ],
)
def test_if_none_match_compares_weakly(value, matches):
    assert if_none_match(value, '"abc"') is matches


def test_weak_match_ignores_weakness_on_both_sides():
    assert weak_match([EntityTag(True, "a")], EntityTag(False, "a"))
    assert weak_match([EntityTag(False, "a")], EntityTag(True, "a"))
    assert not weak_match([EntityTag(False, "b")], EntityTag(False, "a"))
    assert not weak_match([], EntityTag(False, "a"))


def test_one_entity_tag_parses_and_anything_else_is_refused():
    assert parse_entity_tag('"rev-3"') == EntityTag(False, "rev-3")
    for value in ('"a", "b"', "", "rev-3"):
        with pytest.raises(ValueError):
            parse_entity_tag(value)


def test_the_change_feed_and_the_public_api_answer_a_weak_tag_with_304(api_client, db):
    for path in ("/api/v1/changes/", "/api/v1/"):
        etag = api_client.get(path)["ETag"]
        response = api_client.get(path, HTTP_IF_NONE_MATCH=f"W/{etag}")
        assert (response.status_code, response.content) == (304, b""), path
        assert response["ETag"] == etag
        malformed = api_client.get(path, HTTP_IF_NONE_MATCH=f"{etag}, garbage")
        assert malformed.status_code == 200, path
