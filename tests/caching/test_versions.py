"""The content version and the next moment time alone changes the public content
(content/caching/versions.py, validity.py)."""

import datetime as dt
import logging

import pytest
from django.core.cache import cache
from django.db import transaction

from content.caching import (
    CODE_FINGERPRINT,
    VERSION_KEY,
    content_changed,
    content_valid_until,
    content_version,
    content_version_bump,
    next_public_change,
    version_source,
)
from content.caching import versions as caching
from content.choices import ContentType
from content.models import Change, Synonym
from content.services.synonyms import synonym_save, synonyms_delete
from tests.editorial_steps import Staff
from tests.factories import (
    ArticleFactory,
    CauseFactory,
    ConditionFactory,
    SymptomFactory,
    TreatmentFactory,
    WarningSignFactory,
)
from tests.redis_outage import redis_cache_settings

T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
HOUR = dt.timedelta(hours=1)

pytestmark = [pytest.mark.django_db, pytest.mark.time_machine(T0, tick=False)]


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()
    yield
    cache.clear()


def test_nothing_changes_with_time_without_expiries_or_review_dates():
    SymptomFactory()
    ArticleFactory()

    assert next_public_change(T0) is None


@pytest.mark.parametrize(
    "factory",
    [ArticleFactory, ConditionFactory, CauseFactory, SymptomFactory, WarningSignFactory,
     TreatmentFactory],
)
def test_the_next_change_is_the_earliest_expiry_of_any_live_row(factory):
    factory(expire_at=T0 + 3 * HOUR)
    factory(expire_at=T0 + 2 * HOUR)
    SymptomFactory(expire_at=T0 + 5 * HOUR)

    assert next_public_change(T0) == T0 + 2 * HOUR


def test_past_expiries_and_rows_that_are_not_live_do_not_count():
    SymptomFactory(expire_at=T0)  # expired at this very second
    SymptomFactory(expire_at=T0 + HOUR, live=False)
    TreatmentFactory(expire_at=T0 + 2 * HOUR)

    assert next_public_change(T0) == T0 + 2 * HOUR
    assert next_public_change(T0 + 2 * HOUR) is None


def test_a_review_falls_overdue_at_the_start_of_the_day_after_it_is_due():
    ConditionFactory(next_review_due=dt.date(2026, 3, 4))
    CauseFactory(next_review_due=dt.date(2026, 3, 2))  # due today: overdue from tomorrow
    SymptomFactory(next_review_due=dt.date(2026, 3, 1))  # overdue already

    assert next_public_change(T0) == dt.datetime(2026, 3, 3, tzinfo=dt.UTC)


def test_the_earlier_of_an_expiry_and_a_review_falling_overdue_wins():
    ConditionFactory(next_review_due=dt.date(2026, 3, 2), expire_at=T0 + 20 * HOUR)

    assert next_public_change(T0) == T0 + 15 * HOUR  # midnight


def test_valid_until_is_looked_up_once_per_version_until_its_moment_comes(
    django_assert_num_queries,
):
    SymptomFactory(expire_at=T0 + HOUR)
    SymptomFactory(expire_at=T0 + 2 * HOUR)

    with django_assert_num_queries(1):
        assert content_valid_until("v1", T0.timestamp()) == (T0 + HOUR).timestamp()
    with django_assert_num_queries(0):
        assert content_valid_until("v1", (T0 + HOUR).timestamp() - 1) == (T0 + HOUR).timestamp()
    with django_assert_num_queries(1):
        later = content_valid_until("v1", (T0 + HOUR).timestamp())
    with django_assert_num_queries(1):
        other_version = content_valid_until("v2", T0.timestamp())

    assert later == (T0 + 2 * HOUR).timestamp()
    assert other_version == (T0 + HOUR).timestamp()


def test_valid_until_is_forever_when_nothing_is_scheduled_to_change():
    SymptomFactory()

    assert content_valid_until("v1", T0.timestamp()) == float("inf")


def test_the_version_source_follows_the_cache_backend(settings):
    settings.HIPKNEE_CONTENT_VERSION_SOURCE = ""
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    assert version_source() == "database"  # local memory: private to each process

    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache"}}
    assert version_source() == "cache"

    settings.HIPKNEE_CONTENT_VERSION_SOURCE = "database"
    assert version_source() == "database"


def test_a_cached_version_is_seeded_from_the_clock_and_bumped_by_one(settings):
    settings.HIPKNEE_CONTENT_VERSION_SOURCE = "cache"
    settings.HIPKNEE_CONTENT_VERSION_CHECK = 0  # the cache's number alone

    seeded = content_version()
    same = content_version()
    content_version_bump()
    bumped = content_version()

    assert seeded == same == f"c{int(T0.timestamp() * 1e9)}"
    assert bumped == f"c{int(T0.timestamp() * 1e9) + 1}"


def test_a_lost_version_comes_back_as_a_value_never_used_before(settings, time_machine):
    settings.HIPKNEE_CONTENT_VERSION_SOURCE = "cache"
    settings.HIPKNEE_CONTENT_VERSION_CHECK = 0  # the cache's number alone
    first = int(content_version()[1:])
    for _ in range(3):
        content_version_bump()

    cache.delete(VERSION_KEY)  # evicted, or Redis restarted
    time_machine.shift(dt.timedelta(microseconds=1))
    content_version_bump()
    after_bump = int(content_version()[1:])
    cache.delete(VERSION_KEY)
    time_machine.shift(dt.timedelta(microseconds=1))
    after_read = int(content_version()[1:])

    assert first + 3 < after_bump < after_read


def test_a_failing_bump_is_logged_and_never_raises(settings, monkeypatch, caplog):
    settings.HIPKNEE_CONTENT_VERSION_SOURCE = "cache"
    settings.HIPKNEE_CONTENT_VERSION_CHECK = 0  # without the check, the TTL bounds a lost bump

    def down(*args, **kwargs):
        raise ConnectionError("Redis is down")

    monkeypatch.setattr(cache, "incr", down)
    with caplog.at_level(logging.ERROR, logger="content.caching"):
        content_version_bump()

    assert [record.getMessage() for record in caplog.records] == [
        "Could not move the content version on; cached responses may be served for up to "
        "HIPKNEE_RESPONSE_CACHE_TTL seconds."
    ]


def test_content_changed_bumps_only_when_the_transaction_commits(
    settings, django_capture_on_commit_callbacks
):
    settings.HIPKNEE_CONTENT_VERSION_SOURCE = "cache"
    before = content_version()

    with (
        pytest.raises(RuntimeError),
        django_capture_on_commit_callbacks(execute=True),
        transaction.atomic(),
    ):
        content_changed()
        raise RuntimeError("rolled back")
    rolled_back = content_version()
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        content_changed()
    committed = content_version()

    assert before == rolled_back != committed


def test_the_database_version_is_the_newest_feed_entry_and_the_synonym_sets(
    settings, django_assert_num_queries
):
    settings.HIPKNEE_CONTENT_VERSION_SOURCE = "database"
    empty = content_version()

    Staff().go_live(ContentType.SYMPTOM, "stiffness")
    newest = Change.objects.order_by("-id").first()
    with django_assert_num_queries(1):
        published = content_version()
    synonym = synonym_save(synonym=Synonym(name="physio", terms=["physio", "physiotherapy"]))
    with_synonym = content_version()
    synonyms_delete(queryset=Synonym.objects.filter(pk=synonym.pk))
    without = content_version()

    assert empty == "d0.0.0"
    assert published == f"d{newest.pk}.0.0"
    assert with_synonym == f"d{newest.pk}.1.{T0.timestamp()}"
    assert without == published


def test_synonym_writes_move_the_cached_version_on_commit(
    settings, django_capture_on_commit_callbacks
):
    settings.HIPKNEE_CONTENT_VERSION_SOURCE = "cache"
    versions = [content_version()]

    with django_capture_on_commit_callbacks(execute=True):
        synonym = synonym_save(synonym=Synonym(name="physio", terms=["physio", "physiotherapy"]))
    versions.append(content_version())
    with django_capture_on_commit_callbacks(execute=True):
        synonyms_delete(queryset=Synonym.objects.filter(pk=synonym.pk))
    versions.append(content_version())

    assert len(set(versions)) == 3


def test_the_code_fingerprint_is_a_short_hash():
    assert len(CODE_FINGERPRINT) == 12
    assert int(CODE_FINGERPRINT, 16) >= 0


# The database is the truth behind a version held in the cache (HIPKNEE_CONTENT_VERSION_CHECK).


class Clock:
    """A monotonic clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def checked(settings, monkeypatch):
    """The version in the (local-memory) cache, checked against the database every second
    of a clock the test moves."""
    settings.HIPKNEE_CONTENT_VERSION_SOURCE = "cache"
    settings.HIPKNEE_CONTENT_VERSION_CHECK = 1
    clock = Clock()
    monkeypatch.setattr(caching._database_check, "clock", clock)
    return clock


def test_with_the_check_a_publish_without_a_bump_changes_the_version_within_a_second(
    checked, django_assert_num_queries
):
    number = int(T0.timestamp() * 1e9)
    with django_assert_num_queries(1):
        first = content_version()
    with django_assert_num_queries(0):
        again = content_version()

    Staff().go_live(ContentType.SYMPTOM, "stiffness")  # on-commit callbacks never run: no bump
    newest = Change.objects.order_by("-id").first()
    checked.now += 0.99
    with django_assert_num_queries(0):
        within = content_version()
    checked.now += 0.01
    with django_assert_num_queries(1):
        after = content_version()

    assert first == again == within == f"c{number}.d0.0.0"
    assert after == f"c{number}.d{newest.pk}.0.0"


def test_with_the_check_a_bump_reads_the_databases_version_at_once(
    checked, django_assert_num_queries
):
    number = int(T0.timestamp() * 1e9)
    content_version()
    Staff().go_live(ContentType.SYMPTOM, "stiffness")
    newest = Change.objects.order_by("-id").first()

    content_version_bump()
    with django_assert_num_queries(1):
        bumped = content_version()

    assert bumped == f"c{number + 1}.d{newest.pk}.0.0"


def test_while_the_cache_is_unreachable_the_version_is_the_databases(
    settings, hung_redis, django_assert_num_queries
):
    settings.CACHES = redis_cache_settings(hung_redis.url)
    settings.HIPKNEE_CONTENT_VERSION_SOURCE = ""
    settings.HIPKNEE_CONTENT_VERSION_CHECK = 1
    content_version()  # finds Redis hung: one socket timeout, and the breaker opens
    Staff().go_live(ContentType.SYMPTOM, "stiffness")
    newest = Change.objects.order_by("-id").first()

    with django_assert_num_queries(1):
        version = content_version()

    assert version == f"d{newest.pk}.0.0"
    assert hung_redis.accepted == 1


def test_a_failing_bump_with_the_check_is_logged_as_carried_by_the_database(
    checked, monkeypatch, caplog
):
    def down(*args, **kwargs):
        raise ConnectionError("Redis is down")

    monkeypatch.setattr(cache, "incr", down)
    with caplog.at_level(logging.ERROR, logger="content.caching"):
        content_version_bump()

    assert [record.getMessage() for record in caplog.records] == [
        "Could not move the content version on in the cache; every process sees the change "
        "through the database's version within 1 s."
    ]


class _SlowRead:
    """`_database_version` that, from its `block`-th call, waits until released (another
    request's read in flight); counts its calls."""

    def __init__(self, block: int) -> None:
        import threading

        self.calls, self.block = 0, block
        self.started, self.release = threading.Event(), threading.Event()

    def __call__(self) -> str:
        self.calls += 1
        value = f"d{self.calls}.0.0"
        if self.calls >= self.block:
            self.started.set()
            assert self.release.wait(5)
        return value


def _in_thread(function, *args):
    import threading

    result = {}
    thread = threading.Thread(target=lambda: result.setdefault("value", function(*args)))
    thread.start()
    return thread, result


@pytest.fixture
def slow_check(monkeypatch):
    """(clock, a database check by it, its read): the read of the database's version from
    the second on waits until released."""
    clock, read = Clock(), _SlowRead(block=2)
    monkeypatch.setattr(caching, "_database_version", read)
    return clock, caching._DatabaseCheck(clock), read


def test_while_one_request_reads_the_databases_version_again_the_others_use_the_last(
    slow_check
):
    clock, check, read = slow_check
    first = check.version(7, 1.0)
    clock.now += 1.0

    reader, result = _in_thread(check.version, 7, 1.0)
    assert read.started.wait(5)
    meanwhile = check.version(7, 1.0)
    read.release.set()
    reader.join(5)
    after = check.version(7, 1.0)

    assert (first, meanwhile, result["value"], after) == ("d1.0.0", "d1.0.0", "d2.0.0",
                                                          "d2.0.0")
    assert read.calls == 2


def test_after_a_bump_a_request_reads_the_databases_version_even_while_another_does(
    slow_check
):
    _, check, read = slow_check
    check.version(7, 1.0)

    reader, result = _in_thread(check.version, 8, 1.0)  # bumped: 7 -> 8
    assert read.started.wait(5)
    read.block = 10**9  # the next read does not wait
    meanwhile = check.version(8, 1.0)
    read.release.set()
    reader.join(5)

    assert (result["value"], meanwhile) == ("d2.0.0", "d3.0.0")
    assert read.calls == 3
