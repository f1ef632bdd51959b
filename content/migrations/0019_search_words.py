"""Search: a vocabulary for typos (`SearchWord`), and the trigram indexes it replaces.

A typo used to be matched by pg_trgm's word similarity to every entry's names, through a
trigram index on them: at 100,000 items about 1,700 entries close to "osteoarthritus" each had
their similarity computed twice (the index's recheck and the score), 35 ms. Now the typo is
read as the known words close to it, looked up in this table of the names' distinct words
(trigram-indexed), and those words' stems are found through the names' GIN index
(content/search/ranking.py `typo_corrections`). On PostgreSQL this adds the table's trigram
index, fills it with the words of the names the entries hold, and drops the names' trigram
indexes (the search entries' and each live table's, which lists' `search=` filter used), which
nothing reads any more. The SQL is frozen here; content/search/indexing.py's
`_vocabulary_insert_sql` writes the same words (tests/search/test_engine.py checks it).
"""

from django.db import migrations, models

LIVE_TABLES = ["article", "condition", "cause", "symptom", "warningsign", "treatment"]
ENTRY, WORD = "content_searchentry", "content_searchword"


def pg_fill_words(schema_editor):
    """The words of the names the entries hold (as pg_trgm splits them)."""
    schema_editor.execute(
        f"INSERT INTO {WORD} (word) SELECT DISTINCT words.word FROM {ENTRY}"
        f" CROSS JOIN LATERAL regexp_split_to_table(lower({ENTRY}.search_names),"
        " '[^[:alnum:]]+') AS words(word) WHERE words.word <> '' ORDER BY words.word"
        " ON CONFLICT (word) DO NOTHING"
    )


def pg_forward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    execute = schema_editor.execute
    execute(f"CREATE INDEX {WORD}_trgm ON {WORD} USING gin (word gin_trgm_ops)"
            " WITH (fastupdate = off)")
    pg_fill_words(schema_editor)
    execute(f"DROP INDEX IF EXISTS {ENTRY}_names_trgm")
    for name in LIVE_TABLES:
        execute(f"DROP INDEX IF EXISTS content_{name}_search_names_trgm")


def pg_backward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    execute = schema_editor.execute
    execute(f"CREATE INDEX IF NOT EXISTS {ENTRY}_names_trgm ON {ENTRY} USING gin"
            " (search_names gin_trgm_ops) WITH (fastupdate = off)")
    for name in LIVE_TABLES:
        execute(f"CREATE INDEX IF NOT EXISTS content_{name}_search_names_trgm"
                f" ON content_{name} USING gin (search_names gin_trgm_ops)"
                " WITH (fastupdate = off)")


class Migration(migrations.Migration):
    dependencies = [("content", "0018_section_blocks")]

    operations = [
        migrations.CreateModel(
            name="SearchWord",
            fields=[("word", models.TextField(primary_key=True, serialize=False))],
        ),
        migrations.RunPython(pg_forward, pg_backward),
    ]
