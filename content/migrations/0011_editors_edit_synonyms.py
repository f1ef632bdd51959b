"""Editors maintain the search synonym sets in the admin (view, add, change, delete).

Frozen here as migrations must be; equals what content.roles.ROLE_PERMISSIONS adds over
0004_editorial_groups, which tests/test_admin.py checks.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

ADDED = {"editors": ("view_synonym", "add_synonym", "change_synonym", "delete_synonym")}


def grant(apps, schema_editor):
    app_config = apps.get_app_config("content")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in ADDED.items():
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.add(
            *Permission.objects.filter(content_type__app_label="content", codename__in=codenames)
        )


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in ADDED.items():
        for group in Group.objects.filter(name=name):
            group.permissions.remove(*Permission.objects.filter(
                content_type__app_label="content", codename__in=codenames))


class Migration(migrations.Migration):

    dependencies = [
        ("content", "0010_schedule_cancelled"),
    ]

    operations = [
        migrations.RunPython(grant, revoke),
    ]
