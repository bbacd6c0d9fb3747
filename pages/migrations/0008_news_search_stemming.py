"""On SQLite, site search matches word forms: the full-text table gets a stemming tokenizer.

Wagtail's database backend keeps its SQLite index in an FTS5 table created with FTS5's
default tokenizer (``unicode61``), which matches whole words only: "volunteer" did not
find "volunteers", nor "maternal" the Maternity Hospital. ``porter unicode61`` stems each
word as it is indexed and as it is searched (both become "volunt", "matern"). An FTS5
table's tokenizer is fixed when it is created, so the table is created again, with the
same columns, and filled from the index entries it mirrors (Wagtail's triggers on the
entries refer to it by name and keep working).

On PostgreSQL the same comes from the search configuration ('english',
``WAGTAILSEARCH_BACKENDS`` in settings.py); other databases: nothing to do here.
"""

from django.db import migrations

STEMMING = "porter unicode61"


def _fts_table(apps, schema_editor):
    """The FTS5 table's name and its CREATE statement, or None when there is none."""
    if schema_editor.connection.vendor != "sqlite":
        return None
    entries = apps.get_model("wagtailsearch", "IndexEntry")._meta.db_table
    table = f"{entries}_fts"
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = %s", [table])
        row = cursor.fetchone()
    return (entries, table, row[0]) if row else None


def _recreate(apps, schema_editor, tokenize: str | None):
    found = _fts_table(apps, schema_editor)
    if found is None:  # not SQLite, or an SQLite without FTS5 (Wagtail then uses no table)
        return
    entries, table, _ = found
    options = f", tokenize='{tokenize}'" if tokenize else ""
    schema_editor.execute(f"DROP TABLE {table}")
    schema_editor.execute(
        f"CREATE VIRTUAL TABLE {table} USING fts5(autocomplete, body, title{options})"
    )
    schema_editor.execute(
        f"INSERT INTO {table}(rowid, title, body, autocomplete) "  # noqa: S608 - names only
        f"SELECT id, title, body, autocomplete FROM {entries}"
    )


def stem(apps, schema_editor):
    _recreate(apps, schema_editor, STEMMING)


def unstem(apps, schema_editor):
    _recreate(apps, schema_editor, None)


class Migration(migrations.Migration):
    dependencies = [
        ("pages", "0007_search_text_index"),
        ("wagtailsearch", "0010_add_text_fields"),
    ]

    operations = [migrations.RunPython(stem, unstem, elidable=False)]
