"""How the public API renders a live row for storage (content/caching/renderings.py).

Registered when Django starts (content/apps.py). Each body is exactly what the detail or
section endpoint answers in JSON (the same querysets, serializers and JSON renderer), except
that absolute URLs start with a placeholder origin, replaced by the request's when served.
"""

import datetime as dt

from django.urls import reverse
from rest_framework.renderers import JSONRenderer

from content.api import serializers, views
from content.caching.renderings import ORIGIN_PLACEHOLDER, Rendered, renderer_register
from content.caching.responses import modified_at
from content.choices import ContentType
from content.models import LIVE_MODELS


class _PlaceholderOrigin:
    """Stands in for the request while rendering: absolute URLs on the placeholder origin."""

    def build_absolute_uri(self, location: str) -> str:
        return f"http://{ORIGIN_PLACEHOLDER}{location}"


def render(type_: str, pk: int) -> list[Rendered]:
    """The JSON bodies of a published row's detail (and an article's sections); [] if the row
    is not visible."""
    row = LIVE_MODELS[type_].objects.published().for_detail().filter(pk=pk).first()
    if row is None:
        return []
    context = {"request": _PlaceholderOrigin()}
    renderer = JSONRenderer()
    modified = modified_at(row)
    last_modified = dt.datetime.fromtimestamp(int(modified), dt.UTC) if modified else None
    detail = views.VIEWSETS[type_].serializer_class(row, context=context).data
    bodies = [
        Rendered(
            path=reverse(f"api:{type_}-detail", kwargs={"slug": row.slug}),
            body=renderer.render(detail),
            last_modified=last_modified,
        )
    ]
    if type_ == ContentType.ARTICLE:
        for section in row.sections.all():
            bodies.append(
                Rendered(
                    path=reverse("api:article-section",
                                 kwargs={"slug": row.slug, "kind": section.kind}),
                    body=renderer.render(
                        serializers.SectionSerializer(section, context=context).data
                    ),
                    last_modified=last_modified,
                )
            )
    return bodies


renderer_register(render)
