"""Renderings: the JSON of public details and sections, rendered at publish time and stored
(`Rendering`, content/models/renderings.py).

The response cache (content/caching/responses.py) renders a response on the first request
after any publish. For details and sections this module goes further: when a publish,
unpublish or expiry commits, the JSON of every detail and section it changed is rendered
once and stored, so the first request after a publish is one indexed query and a copy of
bytes, not a render.

What a stored body depends on, and how it stays true:

* its own live row: every change to it goes through `content_changed(document=...)`
  (content/caching/versions.py), which deletes the row's renderings inside the publishing
  transaction and renders them again after commit;
* the other live rows it shows or leaves out (an article's conditions and the entities its
  items link to, a condition's articles, causes, symptoms, warning signs and treatments, and
  each of those's conditions), visible or not:
  recorded as `depends_on` tokens when it is rendered; a change to any of them deletes it the
  same way. The rows that show it now (`dependents`, the same rule read the other way: a
  cause's new conditions list it) are deleted too;
* time: it is served only until the earliest `expire_at` among its row and the rows it shows,
  or the day its review falls overdue (`valid_until`);
* the host of the request: absolute URLs are stored with a placeholder origin, replaced by the
  request's scheme and host when served;
* the code: a body rendered by another release (`CODE_FINGERPRINT`) is never served.

Rendering needs the API's serializers, which this core module may not import: the API
registers its renderer when Django starts (content/apps.py -> content/api/renderings.py).
`HIPKNEE_STORED_RENDERINGS` (on by default) turns the whole mechanism off.
"""

import datetime as dt
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from content.caching.fingerprint import CODE_FINGERPRINT
from content.caching.validity import as_datetime
from content.choices import ContentType
from content.rules import review_overdue_at

logger = logging.getLogger(__name__)

#: What absolute URLs start with in a stored body: a NUL (JSON `\u0000`) can never occur in
#: content (requests carrying one are refused), so replacing it cannot touch anything else.
ORIGIN_PLACEHOLDER = "\x00"
ENCODED_PLACEHOLDER = b"http://\\u0000"


@dataclass
class Rendered:
    """One body produced by the API's renderer for a live row."""

    path: str
    body: bytes
    last_modified: dt.datetime | None


#: type -> renderer(row pk) -> the bodies of that row's public paths ([] if not visible).
_renderer: Callable[[str, int], list[Rendered]] | None = None


def renderer_register(renderer: Callable[[str, int], list[Rendered]]) -> None:
    """Called once by the API app: how to render a live row's public paths."""
    global _renderer
    _renderer = renderer


def render_row(type_: str, pk: int) -> list[Rendered]:
    """The public bodies of one live row, rendered now by the API's registered renderer
    (what a preview shows); [] without a renderer or when the row is not visible."""
    return _renderer(type_, pk) if _renderer is not None else []


def enabled() -> bool:
    return bool(getattr(settings, "HIPKNEE_STORED_RENDERINGS", True))


def _token(type_: str, pk: int) -> str:
    return f" {type_}:{pk} "


def _condition_links(type_: str, pk: int) -> set[tuple[str, int]]:
    """The rows a `conditions` relation (a REFS field to conditions, content/types.py) joins
    to this row: a condition's articles, causes, symptoms, … (`registry.referrers`), or the
    conditions of a row of such a type. Each side's payload lists the other, so these are
    both what the row's rendering shows and what shows it."""
    from content.types import registry

    def relation(spec, field):
        m2m = spec.live_model()._meta.get_field(field.name)
        return (m2m.remote_field.through.objects, f"{m2m.m2m_field_name()}_id",
                f"{m2m.m2m_reverse_field_name()}_id")

    rows: set[tuple[str, int]] = set()
    if type_ == ContentType.CONDITION:
        for spec, field in registry.referrers(ContentType.CONDITION):
            links, own, condition = relation(spec, field)
            rows |= {(spec.name, v) for v in
                     links.filter(**{condition: pk}).values_list(own, flat=True)}
    elif (field := registry[type_].refs(ContentType.CONDITION)) is not None:
        links, own, condition = relation(registry[type_], field)
        rows |= {(ContentType.CONDITION, v) for v in
                 links.filter(**{own: pk}).values_list(condition, flat=True)}
    return rows


def dependencies(type_: str, pk: int) -> set[tuple[str, int]]:
    """The live rows whose state the rendering of this row reflects: its condition links
    and, for an article, the entities its section items link to."""
    from content.models import SectionItem

    rows = _condition_links(type_, pk)
    if type_ == ContentType.ARTICLE:
        fields = [f"{name}_id" for name in SectionItem.ENTITY_FIELDS]
        for values in SectionItem.objects.filter(section__article_id=pk).values_list(*fields):
            rows |= {(name, v) for name, v in zip(SectionItem.ENTITY_FIELDS, values,
                                                   strict=True) if v is not None}
    return rows


def dependents(type_: str, pk: int) -> set[tuple[str, int]]:
    """The live rows whose rendering shows this row: exactly those whose `dependencies` name
    it (the same rule read the other way). A change to this row's public state changes theirs:
    the change feed gives each visible one an `updated` entry (content/services/feed.py) and
    their stored renderings are deleted (`renderings_invalidate`)."""
    from content.models import SectionItem

    rows = _condition_links(type_, pk)
    if type_ in SectionItem.ENTITY_FIELDS:  # articles whose items link it
        items = SectionItem.objects.filter(**{f"{type_}_id": pk})
        rows |= {(ContentType.ARTICLE, a)
                 for a in items.values_list("section__article_id", flat=True)}
    return rows


def _valid_until(type_: str, pk: int, shown: set[tuple[str, int]], now) -> dt.datetime | None:
    """The earliest moment time alone changes this row's rendering."""
    from content.models import LIVE_MODELS

    own = LIVE_MODELS[type_].objects.filter(pk=pk).values("expire_at", "next_review_due").first()
    moments = []
    if own is None:
        return now
    if own["expire_at"] is not None:
        moments.append(own["expire_at"])
    due = own["next_review_due"]
    if due is not None and due >= timezone.localdate(now) and (
        overdue := review_overdue_at(due)
    ) is not None:
        moments.append(overdue)
    by_type: dict[str, list[int]] = {}
    for dep_type, dep_pk in shown:
        by_type.setdefault(dep_type, []).append(dep_pk)
    for dep_type, pks in by_type.items():
        soonest = (
            LIVE_MODELS[dep_type].objects.filter(pk__in=pks, live=True, expire_at__gt=now)
            .order_by("expire_at").values_list("expire_at", flat=True).first()
        )
        if soonest is not None:
            moments.append(soonest)
    return min(moments, default=None)


def renderings_invalidate(*, type_: str, pk: int) -> set[tuple[str, int]]:
    """Delete every stored body that a change to this live row makes untrue (call it inside
    the transaction that changes it); returns the rows to render again after commit."""
    from content.models import Rendering

    # Its own bodies, those that showed it when rendered, and those that show it now.
    stale = Q(type=type_, row_id=pk) | Q(depends_on__contains=_token(type_, pk))
    for dep_type, dep_pk in dependents(type_, pk):
        stale |= Q(type=dep_type, row_id=dep_pk)
    rows = set(Rendering.objects.filter(stale).values_list("type", "row_id"))
    Rendering.objects.filter(stale).delete()
    return rows | {(type_, pk)}


def _newest_change() -> int:
    from content.models import Change

    return Change.objects.order_by("-id").values_list("id", flat=True).first() or 0


def renderings_render(rows: Iterable[tuple[str, int]]) -> int:
    """Render and store the public paths of these live rows (those still visible), after the
    transaction that changed them has committed; returns how many bodies were stored.

    A body is stored only if no publish committed while it was being rendered: the check and
    the write hold the change feed's lock, which every publish holds until it commits (on
    SQLite, every write transaction is exclusive). Otherwise a body read before that publish
    could land after the publish deleted it. Never raises: a failure is logged, and the path
    is rendered on request instead.
    """
    from content.changes import feed_lock
    from content.models import Rendering

    if _renderer is None or not enabled():
        return 0
    stored = 0
    for type_, pk in sorted(rows):
        try:
            started = _newest_change()
            now = timezone.now()
            shown = dependencies(type_, pk)
            bodies = _renderer(type_, pk)
            until = _valid_until(type_, pk, shown, now)
            tokens = "".join(_token(t, p) for t, p in sorted(shown))
            with transaction.atomic():
                feed_lock(shared=False)
                if _newest_change() != started:
                    continue  # something changed meanwhile: rendered on request instead
                for rendered in bodies:
                    Rendering.objects.update_or_create(
                        path=rendered.path,
                        defaults={
                            "type": type_, "row_id": pk, "depends_on": tokens,
                            "code": CODE_FINGERPRINT, "body": rendered.body,
                            "last_modified": rendered.last_modified, "valid_until": until,
                        },
                    )
                    stored += 1
        except Exception:
            logger.exception("Could not store the rendering of %s %s.", type_, pk)
    return stored


def rendering_for(path: str, now: dt.datetime) -> tuple[bytes, dt.datetime | None] | None:
    """(body with the placeholder origin, Last-Modified) stored for this path, if it is still
    true and was rendered by this code; one indexed query (plain SQL: this is the first request
    after every publish)."""
    from content.models import Rendering

    quote = connection.ops.quote_name
    sql = (
        f"SELECT {quote('body')}, {quote('last_modified')} "
        f"FROM {quote(Rendering._meta.db_table)} WHERE {quote('path')} = %s "
        f"AND {quote('code')} = %s "
        f"AND ({quote('valid_until')} IS NULL OR {quote('valid_until')} > %s)"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [path, CODE_FINGERPRINT, connection.ops.adapt_datetimefield_value(now)])
        found = cursor.fetchone()
    if found is None:
        return None
    return bytes(found[0]), as_datetime(found[1])


def with_origin(body: bytes, origin: str) -> bytes:
    """A stored body with its absolute URLs on `origin` (scheme://host)."""
    return body.replace(ENCODED_PLACEHOLDER, origin.encode())


def renderings_refresh() -> tuple[int, int]:
    """Render every published row whose stored bodies are missing, no longer true, or from
    other code (after a deploy, or from cron), and forget bodies nobody may be served any
    more; returns (rows rendered, bodies deleted)."""
    from content.models import LIVE_MODELS, Rendering

    now = timezone.now()
    current = Q(code=CODE_FINGERPRINT) & (Q(valid_until__isnull=True) | Q(valid_until__gt=now))
    stale = Q()
    for type_, pk in set(Rendering.objects.exclude(current).values_list("type", "row_id")):
        stale |= Q(type=type_, row_id=pk)  # every path of a row is rendered together
    deleted, _ = Rendering.objects.filter(stale).delete() if stale else (0, None)
    fresh = set(Rendering.objects.values_list("type", "row_id"))
    due = [
        (type_, pk)
        for type_, model in LIVE_MODELS.items()
        for pk in model.objects.published().values_list("pk", flat=True)
        if (type_, pk) not in fresh
    ]
    renderings_render(due)
    return len(due), deleted
