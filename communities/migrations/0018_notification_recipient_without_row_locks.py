"""A notification's recipient without a database foreign key (checking one locked the user row,
FOR KEY SHARE: every petition filed in a community locked its secretary's and grid worker's rows),
and in its place a trigger deleting a user's messages when the user row is deleted by SQL (the ORM
deletes them first: CASCADE). PostgreSQL only, as petitions 0022. The inbox index leaves out the
messages to an address alone (a resident's SMS), which no inbox reads."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def add_cascade(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("""
        CREATE FUNCTION communities_user_notifications_go() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          DELETE FROM communities_notification WHERE recipient_id = OLD.id;
          RETURN OLD;
        END $$""")
    schema_editor.execute("CREATE TRIGGER communities_user_notifications_go AFTER DELETE ON communities_user "
                          "FOR EACH ROW EXECUTE FUNCTION communities_user_notifications_go()")


def drop_cascade(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP TRIGGER IF EXISTS communities_user_notifications_go ON communities_user")
    schema_editor.execute("DROP FUNCTION IF EXISTS communities_user_notifications_go()")


class Migration(migrations.Migration):

    dependencies = [
        ('communities', '0017_checkin_tallies'),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name='notification',
            name='notification_inbox',
        ),
        migrations.AlterField(
            model_name='notification',
            name='recipient',
            field=models.ForeignKey(blank=True, db_constraint=False, db_index=False, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='notifications', to=settings.AUTH_USER_MODEL, verbose_name='recipient'),
        ),
        migrations.AddIndex(
            model_name='notification',
            index=models.Index(condition=models.Q(('recipient__isnull', False)), fields=['recipient', 'channel', 'read_at'], name='notification_inbox'),
        ),
        migrations.RunPython(add_cascade, drop_cascade),
    ]
