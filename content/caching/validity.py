"""When content rendered now stops being true by the clock alone (no write needed): an item
disappears at its ``expire_at``, and a review becomes ``overdue`` the day after its
``next_review_due``. `content_valid_until` gives the next such moment among live rows (one
query per content version, then cached); a cached response is never served from that moment
on, to the microsecond, so an expired item is never served from the cache either.
"""

import datetime as dt
import math

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from content.rules import review_overdue_at

BOUNDARY_KEY = "content:valid-until:{version}"


def as_datetime(value) -> dt.datetime | None:
    if value is None or isinstance(value, dt.datetime):
        moment = value
    else:  # SQLite returns text from a raw query
        moment = parse_datetime(str(value))
    if moment is not None and timezone.is_naive(moment):
        moment = timezone.make_aware(moment, dt.UTC)
    return moment


def _as_date(value) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    return parse_date(str(value)[:10])


def next_public_change(now: dt.datetime) -> dt.datetime | None:
    """The next moment after `now` at which time alone changes the public content.

    That is the earliest `expire_at` of a live row, or the start of the day after the earliest
    `next_review_due` (from then on its review status reads `overdue`), whichever comes first.
    One query over every live table.
    """
    from content.models import LIVE_MODELS

    today = timezone.localdate(now)
    quote = connection.ops.quote_name
    parts, params = [], []
    for model in LIVE_MODELS.values():
        table = quote(model._meta.db_table)
        parts.append(
            f"SELECT MIN({quote('expire_at')}) AS e, NULL AS d FROM {table} "
            f"WHERE {quote('live')} = %s AND {quote('expire_at')} > %s"
        )
        params += [True, now]
        parts.append(
            f"SELECT NULL AS e, MIN({quote('next_review_due')}) AS d FROM {table} "
            f"WHERE {quote('live')} = %s AND {quote('next_review_due')} >= %s"
        )
        params += [True, today]
    sql = f"SELECT MIN(e), MIN(d) FROM ({' UNION ALL '.join(parts)}) AS moments"
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        expire, due = cursor.fetchone()
    moments = []
    if (expire := as_datetime(expire)) is not None:
        moments.append(expire)
    if (due := _as_date(due)) is not None and (overdue := review_overdue_at(due)) is not None:
        moments.append(overdue)
    return min(moments, default=None)


def content_valid_until(version: str, now: float) -> float:
    """Until when (epoch seconds) content rendered under `version` at `now` stays true.

    `now` must be taken before the content is read. Cached per version; recomputed (one query)
    once the cached moment has come.
    """
    key = BOUNDARY_KEY.format(version=version)
    until = cache.get(key)
    if until is None or until <= now:
        moment = next_public_change(dt.datetime.fromtimestamp(now, tz=dt.UTC))
        until = moment.timestamp() if moment is not None else math.inf
        cache.set(key, until, timeout=settings.HIPKNEE_RESPONSE_CACHE_TTL)
    return until
