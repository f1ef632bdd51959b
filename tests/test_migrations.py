"""content/migrations: self-contained (no live code), and their frozen index fills still write
what publishing writes."""

import ast
import importlib
from pathlib import Path

import pytest
from django.db import connection
from django.db.migrations.loader import MigrationLoader

from content.choices import SectionKind
from content.models import LIVE_MODELS, SearchEntry
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

MIGRATIONS = Path(__file__).resolve().parent.parent / "content" / "migrations"


#: Keyword arguments of a field in which Django's migration writer names a live callable
#: (a validator, a default): makemigrations compares them with the model's, so they cannot
#: be frozen copies. A migration may refer to such a callable there, never call it.
FIELD_REFERENCES = frozenset({"validators", "default", "db_default", "upload_to",
                              "limit_choices_to"})


def _is_live(module: str) -> bool:
    """Is `module` part of the content app's live code (not its migrations)?"""
    return (module == "content" or module.startswith("content.")) and not (
        module == "content.migrations" or module.startswith("content.migrations.")
    )


def _dotted(node: ast.expr) -> str | None:
    """`a.b.c` for an attribute chain on a name, else None."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        base = _dotted(node.value)
        return f"{base}.{node.attr}" if base else None
    return None


def _referenced(tree: ast.Module) -> set[str]:
    """The dotted names of live code that `tree` only refers to where Django's migration
    writer puts such references (a field's FIELD_REFERENCES arguments), when every use of the
    name `content` is such a reference and none is called; else nothing."""
    allowed, called, references = set(), set(), set()
    for node in ast.walk(tree):
        if isinstance(node, ast.keyword) and node.arg in FIELD_REFERENCES:
            for inner in ast.walk(node.value):
                allowed.add(id(inner))
                if isinstance(inner, ast.Attribute) and (_dotted(inner) or "").startswith(
                    "content."
                ):
                    references.add(_dotted(inner))
        if isinstance(node, ast.Call):
            called.update(id(inner) for inner in ast.walk(node.func))
    uses = [n for n in ast.walk(tree) if isinstance(n, ast.Name) and n.id == "content"]
    if all(id(use) in allowed and id(use) not in called for use in uses):
        return references
    return set()


def live_imports(source: str, package: str = "content.migrations") -> list[str]:
    """The modules of the content app outside content.migrations that `source` (a module of
    `package`) imports, anywhere in it: import statements, relative ones, import_module().
    Allowed only: a top-level `import content.…` used only as a reference where Django's
    migration writer puts one (FIELD_REFERENCES)."""
    tree = ast.parse(source)
    references = _referenced(tree)
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            modules = [
                alias.name for alias in node.names
                if not (node in tree.body and alias.asname is None
                        and any(r.startswith(f"{alias.name}.") for r in references))
            ]
        elif isinstance(node, ast.ImportFrom):
            base = package.split(".")[: len(package.split(".")) - node.level + 1]
            prefix = ".".join(base) if node.level else ""
            module = ".".join(p for p in (prefix, node.module or "") if p)
            modules = [module] + [f"{module}.{alias.name}" for alias in node.names]
        elif (isinstance(node, ast.Call) and node.args
              and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)
              and getattr(node.func, "attr", getattr(node.func, "id", None))
              in ("import_module", "__import__")):
            modules = [node.args[0].value]
        else:
            continue
        live = [module for module in modules if _is_live(module)]
        if live:
            found.append(live[0])
    return found


def test_no_migration_imports_live_code():
    sources = sorted(MIGRATIONS.glob("*.py"))
    assert len(sources) > 10

    imports = {path.name: live_imports(path.read_text(encoding="utf-8")) for path in sources}

    assert {name: found for name, found in imports.items() if found} == {}


def test_the_import_check_finds_every_form_of_import():
    source = """
import content.search
from content import search
from content.models import Article
from .. import choices
from ..search import search_document
from . import helpers
from content.migrations import helpers
import django.db


def fill(apps, schema_editor):
    from content.search import search_index_rebuild
    importlib.import_module("content.roles")
"""

    assert live_imports(source) == [
        "content.search", "content", "content.models", "content", "content.search",
        "content.search", "content.roles",
    ]


VALIDATOR_MIGRATION = """
import content.plaintext
from django.db import migrations, models

OPERATIONS = [
    migrations.AlterField(
        model_name="editorprofile", name="credentials",
        field=models.CharField(max_length=200, validators=[content.plaintext.{use}]),
    ),
]
"""


def test_a_validator_may_be_named_as_makemigrations_writes_it_but_not_called():
    assert live_imports(VALIDATOR_MIGRATION.format(use="validate_plain_text")) == []
    assert live_imports(VALIDATOR_MIGRATION.format(use="validator_for('name')")) == [
        "content.plaintext"
    ]
    assert live_imports(
        VALIDATOR_MIGRATION.format(use="validate_plain_text")
        + "\n\ndef fill(apps, schema_editor):\n    content.plaintext.validate_plain_text('x')\n"
    ) == ["content.plaintext"]


@pytest.fixture
def every_type(db):
    """Live rows of every type, indexed as publishing indexes them (one not published)."""
    article = ArticleFactory(slug="a", title="Hip  and knee", summary="An overview\nof both.")
    section = SectionFactory(article=article, kind=SectionKind.CAUSES, heading="Causes", position=2,
                             body="<p>Weak glutes &amp; <em>tight</em> hips.</p>",
                             groups=[{"group": "why_it_matters", "heading": "Why it matters"}])
    SectionItemFactory(section=section, title="Overuse", text="Too much running.")
    SectionItemFactory(section=section, text="Sitting all day.")
    SectionFactory(article=article, heading="Introduction", position=1, body="<p>Start.</p>")
    ConditionFactory(slug="c", name="Hip bursitis", description="Inflamed bursa.",
                     also_known_as=["Trochanteric bursitis", "", "GTPS"])
    CauseFactory(slug="ca", name="Weak gluteal muscles", description="They stop holding.")
    SymptomFactory(slug="s", name="Stiffness", description="Tight in the morning.", live=False)
    WarningSignFactory(slug="w", text="You cannot put weight on your leg.")
    TreatmentFactory(slug="t", name="Medications", examples=["ibuprofen", "acetaminophen"],
                     description="Pain relievers.", caution="Ask a pharmacist first.")


def _historical_apps(migration: str):
    """The models as `migration` of the content app sees them."""
    return MigrationLoader(connection).project_state(("content", migration)).apps


def _index(columns: list[str]) -> dict:
    return {
        type_: sorted(model.objects.values_list("pk", *columns))
        for type_, model in LIVE_MODELS.items()
    }


def test_the_migrations_index_rows_as_publishing_does(every_type):
    """Migrations 0005, 0009 and 0012 fill the index of the rows live when they run with
    frozen copies of the indexing rules: they must still write what publishing writes (else
    a database migrated with rows would search differently). When the rules change, add a
    migration that re-indexes with a frozen copy of the new ones, and check that one here."""
    postgres = connection.vendor == "postgresql"
    texts = ["search_names", "search_body"]
    every = [*texts, "search_vector", "search_names_vector", "search_size", "search_name_size"]
    published = _index(every if postgres else texts)
    entry_columns = [f.column for f in SearchEntry._meta.concrete_fields if f.column != "id"]
    entries = sorted(SearchEntry.objects.values_list(*entry_columns))
    assert all(published.values()) and all(names for rows in published.values()
                                            for _, names, *_ in rows)
    assert len(entries) == (6 if postgres else 0)
    for model in LIVE_MODELS.values():
        model.objects.update(search_names="", search_body="", search_vector=None,
                             search_names_vector=None, search_size=0, search_name_size=0)
    SearchEntry.objects.all().delete()
    search = importlib.import_module("content.migrations.0005_search")
    candidates = importlib.import_module("content.migrations.0009_search_candidates")
    search_entries = importlib.import_module("content.migrations.0012_search_entries")

    search.texts_fill(_historical_apps("0005_search"))

    assert _index(texts) == {type_: [row[:3] for row in rows]
                             for type_, rows in published.items()}
    if not postgres:
        return
    with connection.schema_editor() as schema_editor:
        search.pg_vectors_fill(_historical_apps("0005_search"), schema_editor)
    assert _index([*texts, "search_vector"]) == {
        type_: [row[:4] for row in rows] for type_, rows in published.items()
    }

    with connection.schema_editor() as schema_editor:
        candidates.pg_vectors_fill(_historical_apps("0009_search_candidates"), schema_editor)
        search_entries.pg_fill(schema_editor)

    assert _index(every) == published
    assert sorted(SearchEntry.objects.values_list(*entry_columns)) == entries
