"""Role groups: create the three editorial groups with the model permissions of their role."""

from django.contrib.auth.management import create_permissions
from django.contrib.auth.models import Group, Permission
from django.db import transaction

from content.roles import ROLE_PERMISSIONS


@transaction.atomic
def role_groups_ensure() -> dict[str, Group]:
    """Create any missing role group and give each the model permissions of its role.

    Idempotent. Permissions a group holds beyond its role's are left alone, so a site that
    granted more keeps them.
    """
    from django.apps import apps

    create_permissions(apps.get_app_config("content"), verbosity=0)
    groups = {}
    for role, names in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=role)
        codenames = [name.split(".", 1)[1] for name in names]
        permissions = Permission.objects.filter(
            content_type__app_label="content", codename__in=codenames
        )
        group.permissions.add(*permissions)
        groups[str(role)] = group
    return groups
