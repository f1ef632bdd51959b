"""The live table of the throwaway type: a `PublishedContent` with its own fields."""

from django.db import models

from content.models.base import PublishedContent
from content.querysets import PublishedQuerySet
from tests.throwaway.choices import Register


class GlossaryTerm(PublishedContent):
    term = models.CharField(max_length=120)
    definition = models.TextField()
    register = models.CharField(max_length=16, choices=Register.choices)
    see_also = models.JSONField(default=list, blank=True)

    objects = PublishedQuerySet.as_manager()

    class Meta:
        ordering = ["term", "slug"]
