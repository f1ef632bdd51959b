"""Reads: the one visibility rule (`published()`) and one named shape per endpoint.

Every public view starts from `published()`; no query parameter can switch it off.
"""

from django.db import models
from django.db.models import Prefetch, Q
from django.utils import timezone

from content import rules
from content.rules import visible_q

__all__ = ["visible_q", "is_visible"]  # the visibility rule's home is content.rules


def is_visible(row, now=None) -> bool:
    """The visibility rule (`content.rules.is_visible`) for a row already loaded (e.g. a
    select_related entity link)."""
    return rules.is_visible(live=row.live, expire_at=row.expire_at, now=now)


#: The search index columns of a live row (content/search.py): large, and never shown, so the
#: public shapes below leave them out.
SEARCH_FIELDS = (
    "search_names", "search_body", "search_vector", "search_names_vector", "search_size",
    "search_name_size",
)


class PublishedQuerySet(models.QuerySet):
    def published(self):
        """Rows a public client may see right now: live and not expired
        (`content.rules.visible_q`)."""
        return self.filter(visible_q())

    def review_overdue(self, now=None):
        """Rows whose clinical review is overdue at `now` (`content.rules.overdue_q`)."""
        return self.filter(rules.overdue_q(now))

    def shown(self):
        """Without the search index columns, which no serializer reads."""
        return self.defer(*SEARCH_FIELDS)

    def for_list(self):
        """What a list page reads: the rows alone (types with relations prefetch them)."""
        return self.shown()

    def for_detail(self):
        """What a detail reads: as a list row, unless the type reads more."""
        return self.for_list()


def _published(model):
    """A related type's published rows as its payloads list them (its model's ordering)."""
    return model.objects.published().shown().order_by(*model._meta.ordering)


def _published_conditions():
    from content.models import Condition

    return _published(Condition)


def _published_article(slug: str):
    from content.models import Article

    return Article.objects.published().filter(slug=slug)


def _items_with_entities():
    from content.models import SectionItem

    return (
        SectionItem.objects.select_related(*SectionItem.ENTITY_FIELDS)
        .defer(*(f"{e}__{f}" for e in SectionItem.ENTITY_FIELDS for f in SEARCH_FIELDS))
        .order_by("position")
    )


class ConditionLinkedQuerySet(PublishedQuerySet):
    """Types that declare `conditions` (a REFS field to conditions, content/types.py)."""

    def for_list(self):
        """What the type's serializer reads: the page plus its published conditions."""
        return self.shown().prefetch_related(
            Prefetch("conditions", queryset=_published_conditions())
        )

    def for_detail(self):
        return self.for_list()

    def of_conditions(self, slugs: list[str]):
        """Rows that name any of the published conditions with these slugs (`?condition=`)."""
        named = _published_conditions().filter(slug__in=slugs)
        return self.filter(pk__in=self.model.objects.filter(conditions__in=named).values("pk"))


class ArticleQuerySet(ConditionLinkedQuerySet):
    def for_detail(self):
        """What ArticleDetailSerializer reads, in a constant four queries."""
        from content.models import Section

        return self.for_list().prefetch_related(
            Prefetch(
                "sections",
                queryset=Section.objects.order_by("position").prefetch_related(
                    Prefetch("items", queryset=_items_with_entities())
                ),
            ),
        )

    def for_section(self, kind: str):
        """What the sections endpoint reads: the article and only its section of `kind`."""
        from content.models import Section

        return self.shown().prefetch_related(
            Prefetch(
                "sections",
                queryset=Section.objects.filter(kind=kind).prefetch_related(
                    Prefetch("items", queryset=_items_with_entities())
                ),
            )
        )


class ConditionQuerySet(PublishedQuerySet):
    def for_list(self):
        """What a condition's serializer reads: the page plus, for every type that links
        conditions (`registry.referrers`), its published rows that name each one."""
        from content.choices import ContentType
        from content.types import registry

        return self.shown().prefetch_related(*(
            Prefetch(spec.related_name, queryset=_published(spec.live_model()))
            for spec, _ in registry.referrers(ContentType.CONDITION)
        ))

    for_detail = for_list

    def in_article(self, slug: str):
        """Conditions the published article with this slug names."""
        return self.filter(articles__in=_published_article(slug))


class MentionedEntityQuerySet(ConditionLinkedQuerySet):
    """Entities that articles link to from their section items (each names conditions)."""

    def in_article(self, slug: str):
        """Entities that an item of the published article with this slug links to."""
        return self.filter(
            pk__in=self.model.objects.filter(
                section_items__section__article__in=_published_article(slug)
            ).values("pk")
        )


class CauseQuerySet(MentionedEntityQuerySet):
    pass


class SymptomQuerySet(MentionedEntityQuerySet):
    pass


class WarningSignQuerySet(MentionedEntityQuerySet):
    pass


class TreatmentQuerySet(MentionedEntityQuerySet):
    pass


class DocumentQuerySet(models.QuerySet):
    def of_type(self, type_: str):
        """Documents of one content type."""
        return self.filter(type=type_)

    def for_editorial(self):
        """What the editorial serializers read: the document and its two revisions."""
        return self.select_related(
            "latest_revision", "live_revision", "latest_revision__author"
        )

    def due_for_publication(self, now=None):
        """Scheduled documents whose go_live_at has come."""
        now = now or timezone.now()
        return self.filter(scheduled_revision__isnull=False, go_live_at__lte=now)

    def expired_unrecorded(self, now=None):
        """Published documents whose expire_at has passed but whose expiry is not recorded
        (`content.rules.expired_q`)."""
        return self.filter(rules.expired_q(now))

    def with_status(self, value: str, now=None):
        """Documents whose editorial status is `value` at `now`, expiry derived as
        `content.rules.document_status` derives it (`content.rules.status_q`)."""
        return self.filter(rules.status_q(value, now))


def content_authored(*, document, content_hash, author, revision, at, deeper=None):
    """Revisions showing that `author` wrote this exact content (`content_hash`) of
    `document`: the reviewed `revision` itself, or any revision of the document with the
    same content hash that they wrote at or before `at` and that no one else has approved
    since (an approval of the same content, after that revision, by a reviewer other than
    `author` and other than the approved revision's own author).

    Four eyes: a review by `author` of that content does not count, and the services refuse
    it. The arguments are values, or `OuterRef`s when this is a subquery of a `Review`
    queryset; then `deeper` gives each one for the nested approval subquery
    (`OuterRef(OuterRef(...))`).
    """
    from content.choices import ReviewDecision
    from content.models import Review, Revision

    deeper = deeper or {}
    approved_since = (
        Review.objects.filter(
            decision=ReviewDecision.APPROVED,
            revision__document=deeper.get("document", document),
            content_hash=deeper.get("content_hash", content_hash),
            created_at__gt=models.OuterRef("created_at"),
            created_at__lte=deeper.get("at", at),
        )
        .exclude(reviewer=deeper.get("author", author))
        .filter(Q(revision__author__isnull=True) | ~Q(reviewer=models.F("revision__author")))
    )
    return Revision.objects.filter(
        document=document, content_hash=content_hash, author=author
    ).filter(Q(pk=revision) | (Q(created_at__lte=at) & ~models.Exists(approved_since)))


class ReviewQuerySet(models.QuerySet):
    def counting(self):
        """Reviews that decide a revision's review state: of its exact content, by a
        reviewer who did not author that content (`content_authored`)."""
        outer, deeper = models.OuterRef, lambda name: models.OuterRef(models.OuterRef(name))
        names = {"document": "revision__document", "content_hash": "content_hash",
                 "author": "reviewer", "at": "created_at"}
        authored = content_authored(
            **{key: outer(name) for key, name in names.items()},
            revision=outer("revision"),
            deeper={key: deeper(name) for key, name in names.items()},
        )
        return self.filter(content_hash=models.F("revision__content_hash")).filter(
            ~models.Exists(authored)
        )

    def deciding(self):
        """Reviews that count (`counting`), newest first: the first one of a revision is its
        deciding review (`content.rules.deciding_review`)."""
        return self.counting().order_by("-created_at", "-id")
