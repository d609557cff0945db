"""Red-notice lists, step 2 of 3: copy each notice's street and district from its community."""

from django.db import migrations


def backfill(apps, schema_editor):
    RedNotice = apps.get_model("communities", "RedNotice")
    table = RedNotice._meta.db_table
    region = apps.get_model("communities", "Region")._meta.db_table
    with schema_editor.connection.cursor() as cursor:
        # One statement per column, whatever the number of notices (no rows through Python).
        cursor.execute(f"UPDATE {table} SET street_id = (SELECT r.parent_id FROM {region} r "
                       f"WHERE r.id = {table}.community_id) WHERE street_id IS NULL")
        cursor.execute(f"UPDATE {table} SET district_id = (SELECT r.parent_id FROM {region} r "
                       f"WHERE r.id = {table}.street_id) WHERE district_id IS NULL")


class Migration(migrations.Migration):

    dependencies = [("communities", "0013_red_notice_scope_columns")]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
