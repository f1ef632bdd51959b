"""content/dates.py: the window of each editor-supplied date, and review dates turned into
moments without overflowing at the end of the calendar."""

import datetime as dt

import pytest

from content.dates import (
    moment_years_after,
    next_review_due_check,
    overdue_from,
    schedule_check,
    years_after,
)
from content.exceptions import ContentInvalid

TODAY = dt.date(2026, 3, 2)
NOW = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


def errors_of(call) -> list[dict]:
    with pytest.raises(ContentInvalid) as caught:
        call()
    return caught.value.errors


@pytest.mark.parametrize(
    ("day", "years", "expected"),
    [
        (dt.date(2026, 3, 2), 5, dt.date(2031, 3, 2)),
        (dt.date(2028, 2, 29), 5, dt.date(2033, 2, 28)),  # no 29 February in 2033
        (dt.date(2028, 2, 29), 4, dt.date(2032, 2, 29)),
        (dt.date(9996, 1, 1), 5, dt.date.max),
        (dt.date.max, 1, dt.date.max),
    ],
)
def test_years_after_keeps_the_day_and_stops_at_the_calendars_end(day, years, expected):
    assert years_after(day, years) == expected


def test_moment_years_after_keeps_the_time_and_zone():
    assert moment_years_after(NOW, 10) == dt.datetime(2036, 3, 2, 9, 0, tzinfo=dt.UTC)


def test_a_next_review_is_due_after_today_and_at_most_five_years_ahead():
    next_review_due_check(dt.date(2026, 3, 3), today=TODAY)
    next_review_due_check(dt.date(2031, 3, 2), today=TODAY)
    assert errors_of(lambda: next_review_due_check(dt.date(2031, 3, 3), today=TODAY)) == [{
        "field": "next_review_due",
        "message": "The next review must be due at most 5 years ahead: on or before 2031-03-02.",
        "code": "max_value",
    }]
    assert errors_of(lambda: next_review_due_check(dt.date.max, today=TODAY))[0]["code"] \
        == "max_value"
    for past in (TODAY, dt.date(2026, 3, 1), dt.date.min):
        assert errors_of(lambda past=past: next_review_due_check(past, today=TODAY)) == [{
            "field": "next_review_due",
            "message": "The next review must be due after today.",
            "code": "invalid",
        }]


def test_a_schedule_is_in_the_future_and_at_most_ten_years_ahead():
    limit = dt.datetime(2036, 3, 2, 9, 0, tzinfo=dt.UTC)
    schedule_check(go_live_at=None, expire_at=None, now=NOW)
    schedule_check(go_live_at=limit, expire_at=None, now=NOW)
    schedule_check(go_live_at=NOW + dt.timedelta(seconds=1), expire_at=limit, now=NOW)
    schedule_check(go_live_at=None, expire_at=limit, now=NOW)

    far, farther = dt.datetime(9999, 12, 31, tzinfo=dt.UTC), dt.datetime.max.replace(tzinfo=dt.UTC)
    assert errors_of(lambda: schedule_check(go_live_at=far, expire_at=farther, now=NOW)) == [
        {"field": "go_live_at",
         "message": "go_live_at must be at most 10 years ahead: on or before "
                    "2036-03-02T09:00:00+00:00.",
         "code": "max_value"},
        {"field": "expire_at",
         "message": "expire_at must be at most 10 years ahead: on or before "
                    "2036-03-02T09:00:00+00:00.",
         "code": "max_value"},
    ]
    assert errors_of(lambda: schedule_check(go_live_at=NOW, expire_at=None, now=NOW)) == [{
        "field": "go_live_at",
        "message": "go_live_at must be in the future; to publish now, send no go_live_at.",
        "code": "min_value",
    }]
    soon = NOW + dt.timedelta(days=1)
    assert errors_of(lambda: schedule_check(go_live_at=soon, expire_at=soon, now=NOW)) == [{
        "field": "expire_at", "message": "expire_at must be after the go-live time.",
        "code": "invalid",
    }]
    assert errors_of(lambda: schedule_check(go_live_at=None, expire_at=NOW, now=NOW)) == [{
        "field": "expire_at", "message": "expire_at must be after the go-live time.",
        "code": "invalid",
    }]


def test_overdue_from_is_the_start_of_the_next_day_or_never(settings):
    assert overdue_from(dt.date(2027, 3, 1)) == dt.datetime(2027, 3, 2, tzinfo=dt.UTC)
    assert overdue_from(dt.date(9999, 12, 30)) == dt.datetime(9999, 12, 31, tzinfo=dt.UTC)
    assert overdue_from(dt.date.max) is None
