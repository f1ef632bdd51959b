"""Role checks: editorial roles are Django groups (content.choices.Role)."""

from rest_framework.permissions import BasePermission

from content.roles import user_roles


class HasEditorialRole(BasePermission):
    """Any editorial role may read; an action listed in `view.required_roles` needs that role.

    Anonymous requests fail authentication (401); authenticated users without the
    role get 403.
    """

    message = "This needs an editorial role (editors, medical_reviewers or publishers)."

    def has_permission(self, request, view) -> bool:
        roles = user_roles(request.user)
        if not roles:
            return False
        needed = getattr(view, "required_roles", {}).get(getattr(view, "action", None))
        if needed is not None and needed not in roles:
            self.message = f"This action needs the '{needed}' role."
            return False
        return True
