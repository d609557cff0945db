"""The petition's category, regions and handling department without database foreign keys (checking
one locked the referenced row, FOR KEY SHARE: every intake of the district locked its one row), and
in their place a trigger on each referenced table refusing to delete a row petitions still refer to,
for SQL as for the ORM (which refuses first: PROTECT). PostgreSQL only: on the embedded SQLite (one
process, no row locks to spare) a trigger naming the petitions table would break SQLite's rebuild of
that table in later migrations, and Django's PROTECT is the guard there."""

import django.db.models.deletion
from django.db import migrations, models


# What refers to each referenced table: (table, the petition columns that point at it).
REFERRED = [
    ("communities_region", ("community_id", "street_id", "district_id", "grid_id")),
    ("petitions_category", ("category_id",)),
    ("communities_department", ("handler_department_id",)),
]


def _referenced(columns) -> str:
    return f"EXISTS (SELECT 1 FROM petitions_petition p WHERE {' OR '.join(f'p.{c} = OLD.id' for c in columns)})"


def add_guards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table, columns in REFERRED:
        message = f"petitions still refer to this row of {table}"
        schema_editor.execute(f"""
            CREATE FUNCTION {table}_kept_for_petitions() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
              IF {_referenced(columns)} THEN
                RAISE EXCEPTION '{message} (id %%)', OLD.id USING ERRCODE = 'foreign_key_violation';
              END IF;
              RETURN OLD;
            END $$""")
        schema_editor.execute(f"CREATE TRIGGER {table}_kept_for_petitions BEFORE DELETE ON {table} "
                              f"FOR EACH ROW EXECUTE FUNCTION {table}_kept_for_petitions()")


def drop_guards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table, _columns in REFERRED:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_kept_for_petitions ON {table}")
        schema_editor.execute(f"DROP FUNCTION IF EXISTS {table}_kept_for_petitions()")


class Migration(migrations.Migration):

    dependencies = [
        ('communities', '0017_checkin_tallies'),
        ('petitions', '0021_red_alert_scope_columns'),
    ]

    operations = [
        migrations.AlterField(
            model_name='petition',
            name='category',
            field=models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.PROTECT, related_name='petitions', to='petitions.category', verbose_name='category'),
        ),
        migrations.AlterField(
            model_name='petition',
            name='community',
            field=models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.PROTECT, related_name='petitions', to='communities.region', verbose_name='community'),
        ),
        migrations.AlterField(
            model_name='petition',
            name='district',
            field=models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='communities.region', verbose_name='district'),
        ),
        migrations.AlterField(
            model_name='petition',
            name='grid',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='grid_petitions', to='communities.region', verbose_name='grid'),
        ),
        migrations.AlterField(
            model_name='petition',
            name='handler_department',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='petitions', to='communities.department', verbose_name='handling department'),
        ),
        migrations.AlterField(
            model_name='petition',
            name='street',
            field=models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='communities.region', verbose_name='street'),
        ),
        migrations.RunPython(add_guards, drop_guards),
    ]
