"""Reads of the change feed (content/changes.py): cursors, pages, hidden future entries."""

import datetime as dt

import pytest
import time_machine
from django.db import connection

from content.changes import InvalidCursor, changes_since, cursor_decode, cursor_encode
from content.choices import ChangeAction, ContentType
from content.models import Change
from tests.factories import DocumentFactory

T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
MINUTE = dt.timedelta(minutes=1)


def change(slug: str, action: str, at: dt.datetime) -> Change:
    document = DocumentFactory(type=ContentType.SYMPTOM, slug=slug)
    return Change.objects.create(
        document=document, type=document.type, slug=slug, action=action, at=at,
        version=None if action == ChangeAction.UNPUBLISHED else 1,
    )


def test_cursor_round_trips_at_and_id():
    entry = Change(pk=42, at=dt.datetime(2026, 3, 2, 9, 0, 0, 123456, tzinfo=dt.UTC))

    assert cursor_decode(cursor_encode(entry)) == (entry.at, 42)


def test_cursor_is_opaque_url_safe_text():
    cursor = cursor_encode(Change(pk=7, at=T0))

    assert cursor == "YzEuMTc3MjQ0MjAwMDAwMDAwMC43"
    assert cursor.isalnum()


@pytest.mark.parametrize(
    "cursor",
    ["", "yesterday", "42", "YzEuMTc3MjQ0MjAwMDAwMDAwMA", "YzIuMS4y", "YzEuLTEuMg", "é", "%%%%"],
)
def test_malformed_cursors_are_refused(cursor):
    with pytest.raises(InvalidCursor):
        cursor_decode(cursor)


@pytest.mark.django_db
def test_pages_run_oldest_first_and_resume_after_the_cursor():
    first = change("a", ChangeAction.PUBLISHED, T0)
    second = change("b", ChangeAction.PUBLISHED, T0)
    third = change("c", ChangeAction.UNPUBLISHED, T0 + MINUTE)

    page = changes_since(cursor=None, limit=2)

    assert page.entries == [
        {"type": "symptom", "slug": "a", "action": "published",
         "cursor": cursor_encode(first), "at": "2026-03-02T09:00:00+00:00"},
        {"type": "symptom", "slug": "b", "action": "published",
         "cursor": cursor_encode(second), "at": "2026-03-02T09:00:00+00:00"},
    ]
    assert (page.next_cursor, page.full) == (cursor_encode(second), True)

    page = changes_since(cursor=page.next_cursor, limit=2)

    assert page.entries == [
        {"type": "symptom", "slug": "c", "action": "unpublished",
         "cursor": cursor_encode(third), "at": "2026-03-02T09:01:00+00:00"},
    ]
    assert (page.next_cursor, page.full) == (cursor_encode(third), False)

    page = changes_since(cursor=page.next_cursor, limit=2)

    assert (page.entries, page.next_cursor, page.full) == ([], cursor_encode(third), False)


@pytest.mark.django_db
def test_an_empty_feed_has_no_next_cursor():
    page = changes_since(cursor=None)

    assert (page.entries, page.next_cursor, page.full) == ([], None, False)


@pytest.mark.django_db
def test_entries_are_hidden_until_their_moment():
    with time_machine.travel(T0, tick=False) as clock:
        published = change("a", ChangeAction.PUBLISHED, T0)
        expiry = change("a-expiry", ChangeAction.UNPUBLISHED, T0 + 10 * MINUTE)

        assert [e["slug"] for e in changes_since(cursor=None).entries] == ["a"]

        clock.shift(10 * MINUTE)
        page = changes_since(cursor=cursor_encode(published))

    assert [e["cursor"] for e in page.entries] == [cursor_encode(expiry)]


@pytest.mark.django_db
def test_a_page_is_one_query_plus_the_feed_lock(django_assert_num_queries):
    change("a", ChangeAction.PUBLISHED, T0)
    # SQLite: the select inside a savepoint; PostgreSQL adds the shared advisory lock.
    expected = 4 if connection.vendor == "postgresql" else 3

    with django_assert_num_queries(expected):
        changes_since(cursor=None)
