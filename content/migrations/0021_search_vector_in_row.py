"""Search: an entry's text vector kept in its row up to a page's size, not in TOAST.

PostgreSQL moves a row's long values out of line (TOAST) once the row passes about 2 KB; a
tsvector barely compresses (lz4 and pglz leave 7 KB at 7 KB), so a long article's vector was
stored as TOAST chunks, and every check of it that its GIN index does not answer (a synonym
phrase's recheck of each candidate, a names tier's text checks) read the chunks through the
TOAST index and put them together again. `toast_tuple_target = 8160` keeps rows up to a page
in the heap, and `STORAGE MAIN` keeps both vectors in the row unless they cannot fit (then the
bigger goes to TOAST, as before: a text vector over about 8 KB, e.g. the seed article's own
9.2 KB); the names' vector must be MAIN too, or a row just over a page has it moved out
first (it is the default, EXTENDED), and every names check of a long article reads TOAST.
Measured at 100,000 items (the same code over a copy of the database stored the old way,
interleaved): the slowest query's median 51 -> 45 ms, four queries 14-22 % faster, two 8-16 %
slower, all queries' p50 and p95 about the same; docs/search.md. This rewrites the entries
whose vector was moved out (the articles); new rows are stored so as they are written.
"""

from django.db import migrations

ENTRY = "content_searchentry"
VECTORS = ("search_vector", "search_names_vector")


def pg_forward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    execute = schema_editor.execute
    execute(f"ALTER TABLE {ENTRY} SET (toast_tuple_target = 8160)")
    for column in VECTORS:
        execute(f"ALTER TABLE {ENTRY} ALTER COLUMN {column} SET STORAGE MAIN")
    # A new value (not the TOAST pointer the row holds) is stored under the new settings.
    execute(f"UPDATE {ENTRY} SET search_vector = search_vector || ''::tsvector,"
            " search_names_vector = search_names_vector || ''::tsvector"
            " WHERE pg_column_size(search_vector) > 2000")


def pg_backward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    execute = schema_editor.execute
    execute(f"ALTER TABLE {ENTRY} RESET (toast_tuple_target)")
    for column in VECTORS:
        execute(f"ALTER TABLE {ENTRY} ALTER COLUMN {column} SET STORAGE EXTENDED")


class Migration(migrations.Migration):
    dependencies = [("content", "0020_search_names_partial_gin")]

    operations = [migrations.RunPython(pg_forward, pg_backward)]
