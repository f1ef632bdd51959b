"""Create the editorial role groups with the model permissions of each role.

The mapping is frozen here (a migration must not change when the code does); it equals
content.roles.ROLE_PERMISSIONS at the time of writing, which tests/test_admin.py checks.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

ROLE_PERMISSIONS = {
    "editors": (
        "view_document", "add_document", "change_document", "view_revision", "add_revision",
        "view_review", "view_editorialevent",
    ),
    "medical_reviewers": (
        "view_document", "view_revision", "view_review", "add_review", "view_editorialevent",
    ),
    "publishers": ("view_document", "view_revision", "view_review", "view_editorialevent"),
}


def create_groups(apps, schema_editor):
    # Permissions are normally created after all migrations (post_migrate); make sure the
    # content app's exist now so the groups can be given them.
    app_config = apps.get_app_config("content")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.add(
            *Permission.objects.filter(content_type__app_label="content", codename__in=codenames)
        )


class Migration(migrations.Migration):

    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("content", "0003_review_requested"),
    ]

    operations = [
        migrations.RunPython(create_groups, migrations.RunPython.noop),
    ]
