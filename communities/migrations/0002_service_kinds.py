from django.db import migrations

SERVICES = ["complaint", "mediation", "legal", "psychological", "aid"]


def create_service_kinds(apps, schema_editor):
    ServiceKind = apps.get_model("communities", "ServiceKind")
    for code in SERVICES:
        ServiceKind.objects.get_or_create(code=code)


class Migration(migrations.Migration):
    dependencies = [("communities", "0001_initial")]
    operations = [migrations.RunPython(create_service_kinds, migrations.RunPython.noop)]
