import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

TABLE = "communities_notification"


class OnPostgresqlByRenaming(migrations.SeparateDatabaseAndState):
    """The operations' end state; on PostgreSQL reached by renaming and dropping, so a big outbox
    is not locked while a unique index is built again or every row's recipient re-checked."""

    def __init__(self, operations, sql, reverse_sql):
        super().__init__(database_operations=operations, state_operations=operations)
        self.sql, self.reverse_sql = sql, reverse_sql

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor != "postgresql":
            return super().database_forwards(app_label, schema_editor, from_state, to_state)
        for statement in self.sql:
            schema_editor.execute(statement)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor != "postgresql":
            return super().database_backwards(app_label, schema_editor, from_state, to_state)
        for statement in self.reverse_sql:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    """Two of the outbox's seven indexes went: the LIKE index unique=True adds on dedupe_key (nothing
    looks keys up by prefix) and the recipient's own index (notification_inbox starts with it).
    Every row written (a sweep writes tens of thousands at once) and every delivery updated both."""

    dependencies = [
        ('communities', '0011_score_weight_review'),
    ]

    operations = [
        OnPostgresqlByRenaming(
            operations=[
                migrations.AddConstraint(
                    model_name='notification',
                    constraint=models.UniqueConstraint(fields=('dedupe_key',), name='notification_dedupe_key'),
                ),
                migrations.AlterField(
                    model_name='notification',
                    name='dedupe_key',
                    field=models.CharField(blank=True, max_length=200, null=True, verbose_name='dedupe key'),
                ),
                migrations.AlterField(
                    model_name='notification',
                    name='recipient',
                    field=models.ForeignKey(blank=True, db_index=False, null=True,
                                            on_delete=django.db.models.deletion.CASCADE,
                                            related_name='notifications', to=settings.AUTH_USER_MODEL,
                                            verbose_name='recipient'),
                ),
            ],
            sql=[
                f'ALTER TABLE "{TABLE}" RENAME CONSTRAINT "{TABLE}_dedupe_key_key" TO "notification_dedupe_key"',
                f'DROP INDEX IF EXISTS "{TABLE}_dedupe_key_fe3c81c6_like"',
                f'DROP INDEX IF EXISTS "{TABLE}_recipient_id_3bc5d180"',
            ],
            reverse_sql=[
                f'CREATE INDEX "{TABLE}_recipient_id_3bc5d180" ON "{TABLE}" ("recipient_id")',
                f'CREATE INDEX "{TABLE}_dedupe_key_fe3c81c6_like" ON "{TABLE}" ("dedupe_key" varchar_pattern_ops)',
                f'ALTER TABLE "{TABLE}" RENAME CONSTRAINT "notification_dedupe_key" TO "{TABLE}_dedupe_key_key"',
            ],
        ),
    ]
