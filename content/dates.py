"""Dates editors supply, and day arithmetic on dates read back.

Bounds (checked by the services, so the editorial API and the admin refuse the same values
with the same words): a next review is due after today and at most
`NEXT_REVIEW_MAX_YEARS` ahead; a go-live time is in the future and, like an expiry, at most
`SCHEDULE_MAX_YEARS` ahead. A refusal is `ContentInvalid` naming the field and the limit.

Reads never trust those bounds: a row written before them, by a shell or a data migration
may hold any date up to `date.max`. `overdue_from` is the one place a review date becomes a
moment, and it does not overflow.
"""

import datetime as dt

from django.utils import timezone

from content.exceptions import ContentInvalid

#: A next review may be set at most this many years ahead.
NEXT_REVIEW_MAX_YEARS = 5
#: A publication may be scheduled (go-live or expiry) at most this many years ahead.
SCHEDULE_MAX_YEARS = 10


def years_after(day: dt.date, years: int) -> dt.date:
    """The same day `years` later (29 February becomes 28 February); `date.max` past the
    calendar's end."""
    year = day.year + years
    if year > dt.MAXYEAR:
        return dt.date.max
    try:
        return day.replace(year=year)
    except ValueError:  # 29 February in a year that has none
        return day.replace(year=year, day=28)


def moment_years_after(moment: dt.datetime, years: int) -> dt.datetime:
    """The same wall-clock moment `years` later (see `years_after`)."""
    return dt.datetime.combine(years_after(moment.date(), years), moment.timetz())


def next_review_due_check(due: dt.date, *, today: dt.date) -> None:
    """A next review is due after today and at most NEXT_REVIEW_MAX_YEARS ahead."""
    latest = years_after(today, NEXT_REVIEW_MAX_YEARS)
    if due <= today:
        raise ContentInvalid([{
            "field": "next_review_due",
            "message": "The next review must be due after today.",
            "code": "invalid",
        }])
    if due > latest:
        raise ContentInvalid([{
            "field": "next_review_due",
            "message": f"The next review must be due at most {NEXT_REVIEW_MAX_YEARS} years "
            f"ahead: on or before {latest.isoformat()}.",
            "code": "max_value",
        }])


def schedule_check(
    *, go_live_at: dt.datetime | None, expire_at: dt.datetime | None, now: dt.datetime
) -> None:
    """A go-live time is in the future; it and an expiry are at most SCHEDULE_MAX_YEARS
    ahead; an expiry comes after the go-live time (or after now, without one). Every
    problem is listed."""
    latest = moment_years_after(now, SCHEDULE_MAX_YEARS)
    limit = f"at most {SCHEDULE_MAX_YEARS} years ahead: on or before {_iso(latest)}."
    errors = []
    if go_live_at is not None:
        if go_live_at <= now:
            errors.append({
                "field": "go_live_at",
                "message": "go_live_at must be in the future; to publish now, send no "
                "go_live_at.",
                "code": "min_value",
            })
        elif go_live_at > latest:
            errors.append({"field": "go_live_at", "message": f"go_live_at must be {limit}",
                           "code": "max_value"})
    if expire_at is not None:
        starts = go_live_at if go_live_at is not None and go_live_at > now else now
        if expire_at <= starts:
            errors.append({"field": "expire_at",
                           "message": "expire_at must be after the go-live time.",
                           "code": "invalid"})
        elif expire_at > latest:
            errors.append({"field": "expire_at", "message": f"expire_at must be {limit}",
                           "code": "max_value"})
    if errors:
        raise ContentInvalid(errors)


def _iso(moment: dt.datetime) -> str:
    return timezone.localtime(moment).isoformat(timespec="seconds")


def overdue_from(due: dt.date) -> dt.datetime | None:
    """The moment a review due on `due` falls overdue: the start of the next day in the
    current time zone; None if that day is past the calendar's end (it never falls overdue)."""
    if due >= dt.date.max:
        return None
    day_after = dt.datetime.combine(due + dt.timedelta(days=1), dt.time())
    return timezone.make_aware(day_after, timezone.get_current_timezone())
