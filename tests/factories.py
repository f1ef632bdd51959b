"""factory_boy factories for live rows and editorial records.

Live-row factories write the live tables directly (as if published) for read-API tests;
tests of editorial behaviour go through the services instead. Like publishing, they index what
they write for search and tell the caches (`live_rows_written`).
"""

import datetime as dt

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.utils import timezone

from content.caching import local_clear, renderings
from content.choices import (
    BodyRegion,
    ContentType,
    ItemGroup,
    SectionKind,
    SymptomFrequency,
    TreatmentCategory,
    Urgency,
)
from content.models import (
    Article,
    Cause,
    Condition,
    Document,
    EditorProfile,
    Section,
    SectionItem,
    Symptom,
    Treatment,
    WarningSign,
)
from content.search import search_index_update

NOW = dt.datetime(2026, 1, 15, 9, 30, tzinfo=dt.UTC)


def live_rows_written(type_: str, pk: int) -> None:
    """Tell the caches that the live row `type_`/`pk` was written straight to its table, as
    publishing does with `content_changed`: a direct write moves no content version (the
    database's is the change feed's newest entry), so the response cache and this process's
    copies are emptied, and the stored renderings the row makes untrue are deleted. Tests that
    write live rows other than through a factory call it too."""
    cache.clear()
    local_clear()
    if renderings.enabled():
        renderings.renderings_invalidate(type_=type_, pk=pk)


class UserFactory(factory.django.DjangoModelFactory):
    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")

    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        for role in extracted or ():
            group, _ = Group.objects.get_or_create(name=role)
            self.groups.add(group)


class EditorProfileFactory(factory.django.DjangoModelFactory):
    user = factory.SubFactory(UserFactory)
    display_name = "Dr Ada Lovelace"
    credentials = "MBBS, FRCP"

    class Meta:
        model = EditorProfile


class DocumentFactory(factory.django.DjangoModelFactory):
    type = ContentType.CONDITION
    slug = factory.Sequence(lambda n: f"item-{n}")
    status = "published"
    first_published_at = NOW
    last_published_at = NOW

    class Meta:
        model = Document


class PublishedFactory(factory.django.DjangoModelFactory):
    """Common publication fields of every live row."""

    slug = factory.Sequence(lambda n: f"item-{n}")
    document = factory.SubFactory(
        DocumentFactory,
        slug=factory.SelfAttribute("..slug"),
        type=factory.LazyAttribute(lambda d: d.factory_parent.content_type),
    )
    live = True
    version = 1
    content_hash = factory.LazyAttribute(lambda o: f"{o.slug:0<64}"[:64])
    updated_at = NOW
    first_published_at = NOW

    class Params:
        content_type = ContentType.CONDITION

    @classmethod
    def _after_postgeneration(cls, instance, create, results=None):
        super()._after_postgeneration(instance, create, results)
        if create:  # as publishing does: index the row for search, tell the caches
            search_index_update(instance)
            live_rows_written(instance.document.type, instance.pk)


class ConditionFactory(PublishedFactory):
    name = factory.Sequence(lambda n: f"Condition {n}")
    also_known_as = factory.LazyFunction(list)
    body_region = BodyRegion.HIP
    description = "A condition of the hip."

    class Meta:
        model = Condition

    class Params:
        content_type = ContentType.CONDITION


class ConditionLinkedFactory(PublishedFactory):
    """Types that declare `conditions`: `conditions=[...]` links them."""

    class Meta:
        abstract = True
        skip_postgeneration_save = True

    @factory.post_generation
    def conditions(self, create, extracted, **kwargs):
        if extracted:
            self.conditions.set(extracted)


class CauseFactory(ConditionLinkedFactory):
    name = factory.Sequence(lambda n: f"Cause {n}")
    description = "How the hip leads to knee pain."

    class Meta:
        model = Cause
        skip_postgeneration_save = True

    class Params:
        content_type = ContentType.CAUSE


class SymptomFactory(ConditionLinkedFactory):
    name = factory.Sequence(lambda n: f"Symptom {n}")
    description = "What it feels like."
    frequency = SymptomFrequency.COMMON

    class Meta:
        model = Symptom

    class Params:
        content_type = ContentType.SYMPTOM


class WarningSignFactory(ConditionLinkedFactory):
    text = factory.Sequence(lambda n: f"Warning sign {n}.")
    urgency = Urgency.SEE_A_DOCTOR

    class Meta:
        model = WarningSign

    class Params:
        content_type = ContentType.WARNING_SIGN


class TreatmentFactory(ConditionLinkedFactory):
    name = factory.Sequence(lambda n: f"Treatment {n}")
    description = "What it involves."
    category = TreatmentCategory.CONVENTIONAL
    examples = factory.LazyFunction(list)
    caution = None

    class Meta:
        model = Treatment

    class Params:
        content_type = ContentType.TREATMENT


class ArticleFactory(ConditionLinkedFactory):
    title = factory.Sequence(lambda n: f"Article {n}")
    summary = "What the article covers."
    language = "en"

    class Meta:
        model = Article
        skip_postgeneration_save = True

    class Params:
        content_type = ContentType.ARTICLE


class SectionFactory(factory.django.DjangoModelFactory):
    article = factory.SubFactory(ArticleFactory)
    kind = SectionKind.INTRODUCTION
    heading = "Introduction"
    position = 1
    body = "<p>Prose.</p>"
    groups = factory.LazyFunction(list)
    timeline = None

    class Meta:
        model = Section

    @classmethod
    def _after_postgeneration(cls, instance, create, results=None):
        super()._after_postgeneration(instance, create, results)
        if create:  # the article's search index includes its sections
            search_index_update(instance.article)
            live_rows_written(ContentType.ARTICLE, instance.article_id)


class SectionItemFactory(factory.django.DjangoModelFactory):
    section = factory.SubFactory(SectionFactory)
    position = factory.Sequence(lambda n: n + 1)
    group = ItemGroup.WHY_IT_MATTERS
    title = None
    text = "An item."

    class Meta:
        model = SectionItem

    @classmethod
    def _after_postgeneration(cls, instance, create, results=None):
        super()._after_postgeneration(instance, create, results)
        if create:  # the article's search index includes its items
            search_index_update(instance.section.article)
            live_rows_written(ContentType.ARTICLE, instance.section.article_id)


def now() -> dt.datetime:
    return timezone.now()
