"""#17: on PostgreSQL, a GIN index on the text site search matches.

Wagtail's database backend matches ``title || body`` (the two weighted tsvectors of an
index entry); its own GIN indexes are on each column alone, which that expression cannot
use, so every search read every index entry (a sequential scan growing with the site).
SQLite (FTS5) and other databases need nothing: this does nothing there.
"""

from django.db import migrations

INDEX = "pages_search_title_body_gin"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {INDEX} ON wagtailsearch_indexentry "
            "USING gin ((title || body))"
        )
        # (statistics for the new expression, or the planner guesses one row)
        schema_editor.execute("ANALYZE wagtailsearch_indexentry")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [
        ("pages", "0006_pictures_alt_text"),
        ("wagtailsearch", "0010_add_text_fields"),
    ]

    operations = [migrations.RunPython(create, drop, elidable=False)]
