"""Editorial roles: the Django groups that carry them, their model permissions, who holds what.

A role is membership of one of the groups named by `content.choices.Role`. Each group also
carries the model permissions listed in `ROLE_PERMISSIONS`, which is what the Django admin
checks; migration `0004_editorial_groups` creates the groups with these permissions,
`0011_editors_edit_synonyms` adds the synonym sets to the editors', and
`content.services.roles.role_groups_ensure()` restores them on any database.
"""

from content.choices import Role

#: Model permissions ("app_label.codename") each role's group carries.
ROLE_PERMISSIONS: dict[str, tuple[str, ...]] = {
    Role.EDITORS: (
        "content.view_document",
        "content.add_document",
        "content.change_document",
        "content.view_revision",
        "content.add_revision",
        "content.view_review",
        "content.view_editorialevent",
        # Search synonym sets ("runner's knee" = patellofemoral pain syndrome) are editorial
        # knowledge; they are configuration, not versioned content (content/services/synonyms.py).
        "content.view_synonym",
        "content.add_synonym",
        "content.change_synonym",
        "content.delete_synonym",
    ),
    Role.MEDICAL_REVIEWERS: (
        "content.view_document",
        "content.view_revision",
        "content.view_review",
        "content.add_review",
        "content.view_editorialevent",
    ),
    Role.PUBLISHERS: (
        "content.view_document",
        "content.view_revision",
        "content.view_review",
        "content.view_editorialevent",
    ),
}


def user_roles(user) -> frozenset[str]:
    """The editorial roles a user holds (a superuser holds them all), cached on the user."""
    if user is None or not user.is_authenticated or not user.is_active:
        return frozenset()
    if user.is_superuser:
        return frozenset(Role.values)
    cached = getattr(user, "_content_roles", None)
    if cached is None:
        cached = frozenset(
            user.groups.filter(name__in=Role.values).values_list("name", flat=True)
        )
        user._content_roles = cached
    return cached
