"""Actor labels of CaseEvent rows written before names were shown family name first (平 陈)
become 陈平, the way every new row is written (communities.core.names). Reversing changes nothing:
the old order was a mistake, not data."""

from django.db import migrations

from communities.core.names import relabel_given_first


def forward(apps, schema_editor):
    relabel_given_first(apps, "mediation", "CaseEvent")


class Migration(migrations.Migration):

    dependencies = [
        ("mediation", "0002_sweep_state"),
        ("communities", "0009_role_audit"),
    ]

    operations = [
        migrations.RunPython(forward, migrations.RunPython.noop, elidable=True),
    ]
