"""The content-type registry (content/types.py): each type declared once, every face derived
from the declaration, and a new type needs nothing but a declaration and a model."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import models

from content.admin.forms.types import SNAPSHOT_FORMS
from content.api.editorial.serializers import CONTENT_SERIALIZERS
from content.api.views import VIEWSETS
from content.exceptions import ContentInvalid
from content.filters import FILTERSETS
from content.models.base import PublishedContent
from content.snapshots import snapshot_normalise
from content.types import MAX_SHORT, FieldKind, registry

ROOT = Path(__file__).resolve().parent.parent
THROWAWAY_ENV = {**os.environ, "DJANGO_SETTINGS_MODULE": "tests.throwaway.settings",
                 "DATABASE_URL": "", "REDIS_URL": ""}
LIMITED = [(spec, field) for spec in registry for field in spec.fields
           if field.kind in (FieldKind.TEXT, FieldKind.PROSE)]


def test_a_throwaway_type_gets_every_face_from_its_declaration_and_model():
    """tests/throwaway/: a declaration and a model, nothing else, under their own settings."""
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-n", "0", "-p", "no:randomly", "-p",
         "no:cacheprovider", "-o", "addopts=--strict-markers", "-q",
         "tests/throwaway/checks_throwaway.py"],
        cwd=ROOT, env=THROWAWAY_ENV, capture_output=True, text=True, timeout=300,
    )
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
    assert "3 passed" in run.stdout


def test_the_schema_with_a_throwaway_type_validates_without_warnings(tmp_path):
    run = subprocess.run(
        [sys.executable, "manage.py", "spectacular", "--validate", "--fail-on-warn",
         "--file", str(tmp_path / "schema.yaml")],
        cwd=ROOT, env=THROWAWAY_ENV, capture_output=True, text=True, timeout=300,
    )
    assert (run.returncode, run.stderr) == (0, "")
    assert "/api/v1/glossary-terms/{slug}/:" in (tmp_path / "schema.yaml").read_text()


def test_the_registry_names_six_types_with_distinct_paths_in_api_order():
    assert [(s.name, s.path) for s in registry] == [
        ("article", "articles"), ("condition", "conditions"), ("cause", "causes"),
        ("symptom", "symptoms"), ("warning_sign", "warning-signs"), ("treatment", "treatments"),
    ]


@pytest.mark.parametrize("spec", list(registry), ids=lambda s: s.name)
def test_each_declared_field_is_a_column_of_the_live_model(spec):
    model = spec.live_model()
    assert issubclass(model, PublishedContent)
    for field in spec.fields:
        if field.kind is FieldKind.SECTIONS:
            assert model._meta.get_field("sections").related_model is not None
            continue
        column = model._meta.get_field(field.name)
        if field.kind is FieldKind.CHOICE:
            assert [value for value, _ in column.choices] == field.choices.values
        if field.kind is FieldKind.TEXT and isinstance(column, models.CharField):
            assert column.max_length == field.max_length


@pytest.mark.parametrize("spec", list(registry), ids=lambda s: s.name)
def test_every_face_of_a_type_is_derived_from_its_declaration(spec):
    serializer = CONTENT_SERIALIZERS[spec.name]()
    assert list(serializer.fields) == ["slug", *(f.name for f in spec.fields)]
    form = SNAPSHOT_FORMS[spec.name]
    assert form.snapshot_fields == tuple(
        f.name for f in spec.fields if f.kind is not FieldKind.SECTIONS
    )
    assert VIEWSETS[spec.name].content_type == spec.name
    ordering = FILTERSETS[spec.name].base_filters["ordering"]
    assert [value for value, _ in ordering.extra["choices"]][::2] == list(spec.ordering_fields)


@pytest.mark.parametrize(("spec", "field"), LIMITED, ids=lambda v: getattr(v, "name", ""))
def test_the_advertised_limit_is_the_enforced_limit(spec, field):
    """The editorial schema's maxLength and the admin's maxlength are the validator's."""
    advertised = CONTENT_SERIALIZERS[spec.name]().fields[field.name].max_length
    assert advertised == field.max_length
    assert SNAPSHOT_FORMS[spec.name].base_fields[field.name].max_length == field.max_length
    sample = {"slug": "s", **_valid(spec)}
    assert snapshot_normalise(spec.name, {**sample, field.name: "x" * field.max_length})
    with pytest.raises(ContentInvalid) as refused:
        snapshot_normalise(spec.name, {**sample, field.name: "x" * (field.max_length + 1)})
    assert refused.value.errors == [{
        "field": field.name,
        "message": f"Ensure this field has no more than {field.max_length} characters.",
        "code": "max_length",
    }]


def test_a_list_entry_is_limited_to_a_short_text():
    with pytest.raises(ContentInvalid) as refused:
        snapshot_normalise("condition", {"slug": "s", "name": "N", "body_region": "hip",
                                         "also_known_as": ["x" * (MAX_SHORT + 1)]})
    assert refused.value.errors[0]["field"] == "also_known_as[0]"


def _valid(spec) -> dict:
    """The least a snapshot of `spec` needs: each required field with a valid value."""
    values = {FieldKind.TEXT: "Text", FieldKind.PROSE: "Prose."}
    return {f.name: f.choices.values[0] if f.kind is FieldKind.CHOICE else values[f.kind]
            for f in spec.fields if f.required}
