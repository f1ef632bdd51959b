"""Search: the names' GIN index split in two partial ones, rows without prose and the others.

A first page reads the entries holding two or more of a broad query's words in their names;
at 100,000 generated items 5,965 of the 6,826 such entries of "can hip problems cause knee
pain" were warning signs, whose names are their sentence, and whose score is their names'
alone (they have no prose). The search now reads the two kinds in separate tiers
(content/search/postgres.py `_pruned_hits`): those without prose by the number of query words
their names hold, which bounds their score tightly, so that a page which the rows with prose
fill never reads them. Each tier reads its own kind's index: the common words' posting
lists of the other kind are not read. The full names index stays (typo probes, close
entries). The type list is frozen here; tests/search/test_postgres_statements.py checks it
against content/search/indexing.py's NAMES_ONLY (a condition must imply an index's
predicate for the planner to read it).
"""

from django.db import migrations

ENTRY = "content_searchentry"
NAMES_ONLY = "type IN ('warning_sign')"


def pg_forward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    execute = schema_editor.execute
    execute(f"CREATE INDEX {ENTRY}_names_only_gin ON {ENTRY} USING gin (search_names_vector)"
            f" WITH (fastupdate = off) WHERE {NAMES_ONLY}")
    execute(f"CREATE INDEX {ENTRY}_names_prose_gin ON {ENTRY} USING gin (search_names_vector)"
            f" WITH (fastupdate = off) WHERE NOT ({NAMES_ONLY})")


def pg_backward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP INDEX IF EXISTS {ENTRY}_names_only_gin")
    schema_editor.execute(f"DROP INDEX IF EXISTS {ENTRY}_names_prose_gin")


class Migration(migrations.Migration):
    dependencies = [("content", "0019_search_words")]

    operations = [migrations.RunPython(pg_forward, pg_backward)]
