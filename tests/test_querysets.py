"""content/querysets.py: the visibility rule and one named read per endpoint shape."""

import datetime as dt

import pytest

from content.choices import ItemGroup, SectionKind
from content.models import Article, Cause, Condition, Symptom, Treatment, WarningSign
from content.querysets import is_visible, visible_q
from tests.factories import (
    ArticleFactory,
    CauseFactory,
    ConditionFactory,
    SectionFactory,
    SectionItemFactory,
    SymptomFactory,
    TreatmentFactory,
    WarningSignFactory,
)

T0 = dt.datetime(2026, 3, 1, 12, 0, 0, tzinfo=dt.UTC)

pytestmark = [pytest.mark.django_db, pytest.mark.time_machine(T0, tick=False)]


@pytest.mark.parametrize(
    ("model", "factory"),
    [
        (Article, ArticleFactory),
        (Condition, ConditionFactory),
        (Cause, CauseFactory),
        (Symptom, SymptomFactory),
        (WarningSign, WarningSignFactory),
        (Treatment, TreatmentFactory),
    ],
)
def test_published_is_live_and_not_expired(model, factory):
    factory(slug="live")
    factory(slug="unpublished", live=False)
    factory(slug="expiring", expire_at=T0 + dt.timedelta(seconds=1))
    factory(slug="expired", expire_at=T0)
    factory(slug="long-expired", expire_at=T0 - dt.timedelta(days=30))

    assert sorted(model.objects.published().values_list("slug", flat=True)) == [
        "expiring", "live"
    ]


def test_is_visible_agrees_with_published_for_loaded_rows():
    rows = [
        SymptomFactory(slug="live"),
        SymptomFactory(slug="unpublished", live=False),
        SymptomFactory(slug="expiring", expire_at=T0 + dt.timedelta(seconds=1)),
        SymptomFactory(slug="expired", expire_at=T0),
    ]

    assert [row.slug for row in rows if is_visible(row)] == ["live", "expiring"]
    assert [row.slug for row in rows if is_visible(row, now=T0 + dt.timedelta(seconds=1))] == [
        "live"
    ]
    assert sorted(Symptom.objects.filter(visible_q(T0 + dt.timedelta(seconds=1))).values_list(
        "slug", flat=True)) == ["live"]


def test_article_for_list_loads_published_conditions_in_two_queries(django_assert_num_queries):
    bursitis = ConditionFactory(slug="hip-bursitis", name="B")
    fracture = ConditionFactory(slug="hip-fracture", name="A")
    hidden = ConditionFactory(slug="hidden", live=False)
    ArticleFactory(slug="x", conditions=[bursitis, fracture, hidden])
    ArticleFactory(slug="y", conditions=[bursitis])

    with django_assert_num_queries(2):
        loaded = {a.slug: [c.slug for c in a.conditions.all()]
                  for a in Article.objects.published().for_list()}

    assert loaded == {"x": ["hip-fracture", "hip-bursitis"], "y": ["hip-bursitis"]}


def test_article_for_detail_loads_everything_in_four_queries(django_assert_num_queries):
    article = ArticleFactory(slug="x", conditions=[ConditionFactory()])
    second = SectionFactory(article=article, kind=SectionKind.CAUSES, position=2)
    first = SectionFactory(article=article, kind=SectionKind.INTRODUCTION, position=1)
    SectionItemFactory(section=second, position=2, group=ItemGroup.CAUSES,
                       cause=CauseFactory(slug="b"))
    SectionItemFactory(section=second, position=1, group=ItemGroup.CAUSES,
                       symptom=SymptomFactory(slug="a"))
    SectionItemFactory(section=first, position=1, treatment=TreatmentFactory(slug="t"))

    with django_assert_num_queries(4):
        loaded = Article.objects.published().for_detail().get(slug="x")
        shape = [
            (s.kind, [(i.entity_type, i.entity.slug, i.entity.live) for i in s.items.all()])
            for s in loaded.sections.all()
        ]
        list(loaded.conditions.all())

    assert shape == [
        ("introduction", [("treatment", "t", True)]),
        ("causes", [("symptom", "a", True), ("cause", "b", True)]),
    ]


def test_article_for_section_loads_only_that_section(django_assert_num_queries):
    article = ArticleFactory(slug="x")
    SectionFactory(article=article, kind=SectionKind.INTRODUCTION, position=1)
    causes = SectionFactory(article=article, kind=SectionKind.CAUSES, position=2)
    SectionItemFactory(section=causes, group=ItemGroup.CAUSES, cause=CauseFactory())

    with django_assert_num_queries(3):
        loaded = Article.objects.published().for_section(SectionKind.CAUSES).get(slug="x")
        sections = [(s.kind, len(s.items.all())) for s in loaded.sections.all()]

    assert sections == [("causes", 1)]


def test_a_condition_reads_only_the_published_rows_of_each_type_that_names_it(
    django_assert_num_queries,
):
    """A condition page reads its rows, then one query per type that declares conditions
    (articles, causes, symptoms, warning signs, treatments), each only the published rows."""
    condition = ConditionFactory(slug="c")
    hidden_condition = ConditionFactory(slug="hidden-condition", live=False)
    for factory in (ArticleFactory, CauseFactory, SymptomFactory, WarningSignFactory,
                    TreatmentFactory):
        factory(slug=f"{factory._meta.model.__name__.lower()}-shown",
                conditions=[condition, hidden_condition])
        factory(conditions=[condition], live=False)
        factory(conditions=[condition], expire_at=T0)

    with django_assert_num_queries(6):
        conditions = {
            c.slug: {name: [x.slug for x in getattr(c, name).all()]
                     for name in ("articles", "causes", "symptoms", "warning_signs",
                                  "treatments")}
            for c in Condition.objects.published().for_list()
        }
    with django_assert_num_queries(2):
        causes = {c.slug: [x.slug for x in c.conditions.all()]
                  for c in Cause.objects.published().for_detail()}

    assert conditions == {"c": {
        "articles": ["article-shown"], "causes": ["cause-shown"], "symptoms": ["symptom-shown"],
        "warning_signs": ["warningsign-shown"], "treatments": ["treatment-shown"],
    }}
    assert causes == {"cause-shown": ["c"]}


@pytest.mark.parametrize(
    "factory",
    [ArticleFactory, CauseFactory, SymptomFactory, WarningSignFactory, TreatmentFactory],
)
def test_of_conditions_follows_published_conditions_only(factory):
    shown = ConditionFactory(slug="shown")
    other = ConditionFactory(slug="other")
    hidden = ConditionFactory(slug="hidden", live=False)
    factory(slug="names-shown", conditions=[shown])
    factory(slug="names-other", conditions=[other, shown])
    factory(slug="names-hidden", conditions=[hidden])
    factory(slug="names-none")

    rows = factory._meta.model.objects.published()
    def of(*slugs):
        return set(rows.of_conditions(list(slugs)).values_list("slug", flat=True))

    assert of("shown") == {"names-shown", "names-other"}
    assert of("other") == {"names-other"}
    assert of("hidden") == set()
    assert of("shown", "hidden", "none") == {"names-shown", "names-other"}


@pytest.mark.parametrize(
    ("model", "factory", "field", "group"),
    [
        (Cause, CauseFactory, "cause", ItemGroup.CAUSES),
        (Symptom, SymptomFactory, "symptom", ItemGroup.COMMON),
        (WarningSign, WarningSignFactory, "warning_sign", ItemGroup.IMMEDIATE),
        (Treatment, TreatmentFactory, "treatment", ItemGroup.CONVENTIONAL),
    ],
)
def test_in_article_follows_item_links_of_a_published_article(model, factory, field, group):
    linked, twice, unlinked = factory(slug="linked"), factory(slug="twice"), factory(slug="other")
    article = ArticleFactory(slug="a")
    section = SectionFactory(article=article, kind=SectionKind.CAUSES)
    for position, row in enumerate([linked, twice, twice], start=1):
        SectionItemFactory(section=section, position=position, group=group, **{field: row})
    withdrawn = ArticleFactory(slug="withdrawn", live=False)
    SectionItemFactory(section__article=withdrawn, group=group, **{field: unlinked})

    published = model.objects.published()
    assert sorted(published.in_article("a").values_list("slug", flat=True)) == [
        "linked", "twice"
    ]
    assert not published.in_article("withdrawn").exists()
    assert not published.in_article("missing").exists()


def test_condition_in_article_follows_the_articles_named_conditions():
    named = ConditionFactory(slug="named")
    ConditionFactory(slug="other")
    ArticleFactory(slug="a", conditions=[named])

    assert list(Condition.objects.published().in_article("a").values_list("slug", flat=True)) == [
        "named"
    ]
