"""Query parameters of the public lists (docs/api.md#filters), as django-filter FilterSets.

Every value is validated: one outside its choices or of the wrong form makes the request
400 (problem+json, `errors` naming the parameter, a choice's listing the valid values); an
unknown parameter is 400 too (content/api/parameters.py). A slug filter (`condition=`,
`article=`) that names nothing published matches nothing: an empty page, not an error.
Lists are always in a deterministic order: the requested or default field, then the slug.
"""

import datetime as dt
import re

import django_filters as filters
from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django_filters.widgets import QueryArrayWidget
from drf_spectacular.utils import extend_schema_field

from content.choices import CodeSystem, ContentType
from content.codes import CodeInvalid, code_form
from content.models.entities import code_key
from content.search import search_filter
from content.snapshots import SLUG_RE
from content.types import ContentTypeSpec, FieldKind, registry

#: The longest `search=` value accepted.
SEARCH_MAX_LENGTH = 200

# A '+' in an unencoded query string arrives as a space: "…T09:30:00 02:00".
_SPACE_FOR_PLUS = re.compile(r"^(.*T[\d:.,]+) (\d{2}(?::?\d{2})?)$")


class SlugFormField(forms.CharField):
    """A slug as the API spells them: lowercase letters and digits joined by hyphens."""

    def validate(self, value):
        super().validate(value)
        if value and not SLUG_RE.match(value):
            raise ValidationError(
                "Enter a slug: lowercase letters and digits separated by hyphens, "
                "e.g. hip-bursitis.",
                code="invalid_slug",
            )


class InstantFormField(forms.Field):
    """An ISO 8601 date or date-time; a date means 00:00 UTC, a naive date-time is UTC."""

    default_error_messages = {
        "invalid": "Enter an ISO 8601 date (2026-01-15) or date-time "
        "(2026-01-15T09:30:00+02:00).",
    }

    def to_python(self, value):
        value = (value or "").strip()
        if not value:
            return None
        value = _SPACE_FOR_PLUS.sub(r"\1+\2", value)
        try:
            moment = dt.datetime.fromisoformat(value)
            if timezone.is_naive(moment):
                moment = moment.replace(tzinfo=dt.UTC)
            return moment.astimezone(dt.UTC)
        except (ValueError, OverflowError):
            raise ValidationError(self.error_messages["invalid"], code="invalid") from None


class SlugFilter(filters.CharFilter):
    field_class = SlugFormField


class SlugsFormField(forms.Field):
    """One or more slugs, the parameter repeated (`?condition=a&condition=b`)."""

    widget = QueryArrayWidget

    def to_python(self, value):
        return sorted({slug for slug in value or () if slug})

    def validate(self, value):
        for slug in value:
            SlugFormField().validate(slug)


class SlugsFilter(filters.Filter):
    field_class = SlugsFormField


INSTANT_HELP = (
    "Only articles whose live revision was published at or after this moment (inclusive): "
    "an ISO 8601 date (meaning 00:00 UTC that day) or date-time (one without an offset is "
    "UTC), e.g. 2026-01-15 or 2026-01-15T09:30:00+02:00."
)


@extend_schema_field({"type": "string", "description": INSTANT_HELP, "example": "2026-01-15"})
class InstantFilter(filters.Filter):
    field_class = InstantFormField


class StableOrderingFilter(filters.OrderingFilter):
    """`ordering=` with a default, and ties always broken by slug."""

    def __init__(self, *args, default: str, **kwargs):
        self.default = default
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        ordering = [self.get_ordering_value(p) for p in value or () if p] or [self.default]
        if "slug" not in {field.lstrip("-") for field in ordering}:
            ordering.append("slug")
        return qs.order_by(*ordering)


def _ordering(*fields: str, default: str) -> StableOrderingFilter:
    names = ", ".join(f"`{f}`" for f in fields)
    return StableOrderingFilter(
        fields=fields,
        default=default,
        error_messages=_valid_values(f"{sign}{f}" for f in fields for sign in ("", "-")),
        help_text=f"Sort by {names}; prefix `-` to reverse; several fields may be given "
        f"comma-separated. Default `{default}`. Ties are always broken by slug. "
        "An unknown field is 400.",
    )


def _search() -> filters.CharFilter:
    return filters.CharFilter(
        method="filter_search",
        max_length=SEARCH_MAX_LENGTH,
        help_text="Words to look for, matched by the same engine as /api/v1/search/ "
        f"(at most {SEARCH_MAX_LENGTH} characters). Blank is ignored.",
    )


def _article() -> SlugFilter:
    return SlugFilter(
        method="filter_article",
        help_text="Slug of a published article: only items it links to. "
        "A slug that names no published article gives an empty list.",
    )


def _condition(items: str) -> SlugsFilter:
    """`?condition=`: the `items` that name any of these published conditions
    (`filter_condition`)."""
    help_text = (f"Slug of a published condition: only {items} that name it; repeat the "
                 "parameter for several (any of them). A slug that names no published "
                 "condition matches nothing.")
    schema = {"type": "array", "items": {"type": "string"}, "description": help_text}
    return extend_schema_field(schema)(SlugsFilter(method="filter_condition",
                                                   help_text=help_text))


def _valid_values(values) -> dict[str, str]:
    """A choice's error that lists the valid values."""
    listed = ", ".join(values)
    return {"invalid_choice": f"“%(value)s” is not one of: {listed}."}


def _choice(choices, what: str) -> filters.ChoiceFilter:
    return filters.ChoiceFilter(choices=choices, help_text=f"Only items of this {what}.",
                                error_messages=_valid_values(value for value, _ in choices))


class PublicFilterSet(filters.FilterSet):
    """Filters shared by every public list; `filterset_for` adds the declared ones."""

    def filter_search(self, queryset, name, value):
        return search_filter(queryset, value)

    def filter_article(self, queryset, name, value):
        return queryset.in_article(value)

    def filter_condition(self, queryset, name, value):
        return queryset.of_conditions(value) if value else queryset


# --- the relation filters a declaration names (content/types.py `filterset`) ---------------


class ArticleFilterSet(PublicFilterSet):
    updated_since = InstantFilter(
        field_name="updated_at", lookup_expr="gte", help_text=INSTANT_HELP
    )
    max_reading_grade = filters.NumberFilter(
        field_name="reading_grade", lookup_expr="lte",
        help_text="Only articles whose reading_grade (Flesch–Kincaid grade) is at most this, "
        "e.g. 8.",
    )


class InArticleFilterSet(PublicFilterSet):
    """Entities that articles link to: `?article=`."""

    article = _article()



# --- clinical codes: `?code=` and `?system=` on every type that declares a CODES field -------


class CodedFilterForm(forms.Form):
    """Checks `code` against the form of its `system` (content/codes.py), naming the code."""

    def clean(self):
        data = super().clean()
        if data.get("code"):
            try:
                data["code"] = code_form(data.get("system") or CodeSystem.ICD10CM, data["code"])
            except CodeInvalid as error:
                self.add_error("code", error.message)
        return data


class CodedFilterSet(filters.FilterSet):
    code = filters.CharFilter(
        method="filter_code", max_length=40,
        help_text="Only items carrying exactly this clinical code, e.g. M16 (with or without "
        "its dot, any case). A code of the wrong form for `system` is 400; one no item carries "
        "gives an empty list. To find content for a more specific code (M16.11 → M16), use "
        "/api/v1/lookup/.",
    )
    system = filters.ChoiceFilter(
        choices=CodeSystem.choices, method="filter_system",
        help_text="The system of `code`. Default `icd10cm`.",
    )

    def filter_code(self, queryset, name, value):
        system = self.form.cleaned_data.get("system") or CodeSystem.ICD10CM
        return queryset.filter(code_keys__contains=code_key(system, value))

    def filter_system(self, queryset, name, value):
        return queryset  # read by filter_code


def filterset_for(spec: ContentTypeSpec) -> type[filters.FilterSet]:
    """The FilterSet of one type's public list: `search` (unless the type opts out), a filter
    per declared choice field with a `filter_label`, `condition` when it declares conditions,
    the codes filters when it declares codes, the relation filters its declaration names, and
    `ordering` by the declared fields."""
    declared = {}
    if spec.list_search:
        declared["search"] = _search()
    for field in spec.fields:
        if field.kind is FieldKind.CHOICE and field.filter_label:
            declared[field.name] = _choice(field.choices.choices, field.filter_label)
    if spec.refs(ContentType.CONDITION):
        declared["condition"] = _condition(spec.plural.lower())
    ordering = _ordering(*spec.ordering_fields, default=spec.ordering_default)
    meta = type("Meta", (), {"model": spec.live_model(), "fields": []})
    base = spec.hook("filterset") or PublicFilterSet
    coded = any(field.kind is FieldKind.CODES for field in spec.fields)
    if coded:
        declared.update(CodedFilterSet.declared_filters)
        meta.form = CodedFilterForm
    filterset = type(f"{spec.camel}FilterSet", (base, *([CodedFilterSet] if coded else [])),
                     {"__module__": __name__, "Meta": meta, "ordering": ordering, **declared})
    # Parameters in a stable order (the schema's, and that of the errors of a 400): search
    # and the choices, the relation filters, then ordering.
    order = [*declared, *base.declared_filters, "ordering"]
    filterset.base_filters = {name: filterset.base_filters[name] for name in order}
    return filterset


#: The FilterSet of each type's public list.
FILTERSETS = {spec.name: filterset_for(spec) for spec in registry}
