"""Search: an entry's text vector kept in its row up to a page's size, not in TOAST.

PostgreSQL moves a row's long values out of line (TOAST) once the row passes about 2 KB; a
tsvector barely compresses (lz4 and pglz leave 7 KB at 7 KB), so a long article's vector was
stored as TOAST chunks, and every check of it that its GIN index does not answer (a synonym
phrase's recheck of each candidate, a names tier's text checks) read the chunks through the
TOAST index and put them together again: at 100,000 generated items the four slowest queries,
all with a synonym phrase, spent about a third of their time there. `toast_tuple_target =
8160` keeps rows up to a page in the heap, and `STORAGE MAIN` keeps the vector in the row
unless it cannot fit (then TOAST, as before: a vector over about 8 KB, e.g. the seed
article's own 9.2 KB). This rewrites the entries whose vector was moved out (the articles);
new rows are stored so as they are written.
"""

from django.db import migrations

ENTRY = "content_searchentry"


def pg_forward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    execute = schema_editor.execute
    execute(f"ALTER TABLE {ENTRY} SET (toast_tuple_target = 8160)")
    execute(f"ALTER TABLE {ENTRY} ALTER COLUMN search_vector SET STORAGE MAIN")
    # A new value (not the TOAST pointer the row holds) is stored under the new settings.
    execute(f"UPDATE {ENTRY} SET search_vector = search_vector || ''::tsvector"
            " WHERE pg_column_size(search_vector) > 2000")


def pg_backward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    execute = schema_editor.execute
    execute(f"ALTER TABLE {ENTRY} RESET (toast_tuple_target)")
    execute(f"ALTER TABLE {ENTRY} ALTER COLUMN search_vector SET STORAGE EXTENDED")


class Migration(migrations.Migration):
    dependencies = [("content", "0020_search_names_partial_gin")]

    operations = [migrations.RunPython(pg_forward, pg_backward)]
