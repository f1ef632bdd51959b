"""content/filters.py: what each list accepts, how values are parsed, how lists are ordered."""

import datetime as dt

import pytest

from content import filters
from content.choices import ContentType
from content.filters import FILTERSETS
from content.models import Article, Cause, Condition, Symptom, Treatment, WarningSign
from tests.factories import NOW, ArticleFactory, SymptomFactory, WarningSignFactory

UTC = dt.UTC


@pytest.mark.parametrize(
    ("filterset", "parameters"),
    [
        (FILTERSETS[ContentType.ARTICLE], {"search", "condition", "updated_since",
                                           "max_reading_grade", "ordering"}),
        (FILTERSETS[ContentType.CONDITION], {"search", "body_region", "code", "system", "article",
                                             "ordering"}),
        (FILTERSETS[ContentType.CAUSE], {"search", "condition", "article", "ordering"}),
        (FILTERSETS[ContentType.SYMPTOM], {"search", "frequency", "condition", "code", "system",
                                           "article", "ordering"}),
        (FILTERSETS[ContentType.WARNING_SIGN], {"urgency", "condition", "article", "ordering"}),
        (FILTERSETS[ContentType.TREATMENT], {"search", "category", "condition", "code", "system",
                                             "article", "ordering"}),
    ],
)
def test_each_list_accepts_exactly_the_documented_parameters(filterset, parameters):
    assert set(filterset.base_filters) == parameters


@pytest.mark.parametrize(
    ("filterset", "choices"),
    [
        (FILTERSETS[ContentType.ARTICLE], ["title", "-title", "updated_at", "-updated_at"]),
        (FILTERSETS[ContentType.CONDITION], ["name", "-name", "updated_at", "-updated_at"]),
        (FILTERSETS[ContentType.CAUSE], ["name", "-name", "updated_at", "-updated_at"]),
        (FILTERSETS[ContentType.SYMPTOM], ["name", "-name", "updated_at", "-updated_at"]),
        (FILTERSETS[ContentType.WARNING_SIGN], ["slug", "-slug", "updated_at", "-updated_at"]),
        (FILTERSETS[ContentType.TREATMENT], ["name", "-name", "updated_at", "-updated_at"]),
    ],
)
def test_ordering_choices(filterset, choices):
    assert [value for value, _ in filterset.base_filters["ordering"].extra["choices"]] == choices


@pytest.mark.parametrize(
    ("filterset", "model", "query", "order_by"),
    [
        (FILTERSETS[ContentType.ARTICLE], Article, {}, ("title", "slug")),
        (FILTERSETS[ContentType.ARTICLE], Article, {"ordering": "-updated_at"},
         ("-updated_at", "slug")),
        (FILTERSETS[ContentType.CONDITION], Condition, {}, ("name", "slug")),
        (FILTERSETS[ContentType.CAUSE], Cause, {"ordering": "-name"}, ("-name", "slug")),
        (FILTERSETS[ContentType.SYMPTOM], Symptom, {"ordering": "updated_at,name"},
         ("updated_at", "name", "slug")),
        (FILTERSETS[ContentType.WARNING_SIGN], WarningSign, {}, ("slug",)),
        (FILTERSETS[ContentType.WARNING_SIGN], WarningSign, {"ordering": "-slug"}, ("-slug",)),
        (FILTERSETS[ContentType.TREATMENT], Treatment, {"ordering": ""}, ("name", "slug")),
    ],
)
def test_ordering_always_ends_with_the_slug(filterset, model, query, order_by):
    fs = filterset(data=query, queryset=model.objects.all())

    assert fs.is_valid(), fs.errors
    assert fs.qs.query.order_by == order_by


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2026-01-15", dt.datetime(2026, 1, 15, 0, 0, tzinfo=UTC)),
        ("2026-01-15T09:30", dt.datetime(2026, 1, 15, 9, 30, tzinfo=UTC)),
        ("2026-01-15T09:30:00", dt.datetime(2026, 1, 15, 9, 30, tzinfo=UTC)),
        ("2026-01-15 09:30:00", dt.datetime(2026, 1, 15, 9, 30, tzinfo=UTC)),
        ("2026-01-15T09:30:00Z", dt.datetime(2026, 1, 15, 9, 30, tzinfo=UTC)),
        ("2026-01-15T09:30:00+00:00", dt.datetime(2026, 1, 15, 9, 30, tzinfo=UTC)),
        ("2026-01-15T11:30:00+02:00", dt.datetime(2026, 1, 15, 9, 30, tzinfo=UTC)),
        ("2026-01-15T11:30:00 02:00", dt.datetime(2026, 1, 15, 9, 30, tzinfo=UTC)),
        ("2026-01-15T04:30:00-05:00", dt.datetime(2026, 1, 15, 9, 30, tzinfo=UTC)),
        ("2026-01-15T09:30:00.250+00:00",
         dt.datetime(2026, 1, 15, 9, 30, 0, 250000, tzinfo=UTC)),
        ("  2026-01-15  ", dt.datetime(2026, 1, 15, 0, 0, tzinfo=UTC)),
    ],
)
def test_instants_are_read_as_utc(value, expected):
    parsed = filters.InstantFormField().clean(value)

    assert parsed == expected
    assert parsed.utcoffset() == dt.timedelta(0)


@pytest.mark.parametrize(
    "value",
    [
        "yesterday",
        "2026-13-01",
        "2026-02-30",
        "2026-01-15T25:00:00",
        "15/01/2026",
        "1737000000",
        "2026-01-15T09:30:00+25:00",
        "0001-01-01T00:00:00+05:00",
        "9999-12-31T23:59:59-05:00",
    ],
)
def test_malformed_instants_are_refused(value):
    fs = FILTERSETS[ContentType.ARTICLE](
        data={"updated_since": value}, queryset=Article.objects.all()
    )

    assert not fs.is_valid()
    assert fs.errors.get_json_data() == {
        "updated_since": [
            {
                "message": "Enter an ISO 8601 date (2026-01-15) or date-time "
                "(2026-01-15T09:30:00+02:00).",
                "code": "invalid",
            }
        ]
    }


@pytest.mark.parametrize("value", ["hip-bursitis", "a", "knee-2", "2"])
def test_slug_parameters_accept_slugs(value):
    fs = FILTERSETS[ContentType.CAUSE](data={"condition": value}, queryset=Cause.objects.all())

    assert fs.is_valid(), fs.errors


@pytest.mark.parametrize(
    "value", ["Hip-Bursitis", "hip_bursitis", "hip bursitis", "-hip", "hip-", "hip--bursitis"]
)
def test_slug_parameters_refuse_other_forms(value):
    fs = FILTERSETS[ContentType.CAUSE](data={"condition": value}, queryset=Cause.objects.all())

    assert not fs.is_valid()
    assert fs.errors.get_json_data()["condition"][0]["code"] == "invalid_slug"


@pytest.mark.django_db
def test_blank_values_filter_nothing():
    SymptomFactory(slug="a")
    fs = FILTERSETS[ContentType.SYMPTOM](
        data={"search": " ", "frequency": "", "article": "", "ordering": ""},
        queryset=Symptom.objects.published(),
    )

    assert fs.is_valid(), fs.errors
    assert [s.slug for s in fs.qs] == ["a"]


@pytest.mark.django_db
def test_updated_since_is_inclusive():
    ArticleFactory(slug="at", updated_at=NOW)
    ArticleFactory(slug="before", updated_at=NOW - dt.timedelta(microseconds=1))
    fs = FILTERSETS[ContentType.ARTICLE](
        data={"updated_since": NOW.isoformat()}, queryset=Article.objects.published()
    )

    assert [a.slug for a in fs.qs] == ["at"]


@pytest.mark.django_db
def test_filters_never_widen_visibility():
    WarningSignFactory(slug="hidden", live=False)
    fs = FILTERSETS[ContentType.WARNING_SIGN](
        data={"urgency": "see_a_doctor"}, queryset=WarningSign.objects.published()
    )

    assert list(fs.qs) == []
