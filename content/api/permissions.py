"""Role checks: the editorial API asks the services' permission objects
(content/services/permissions.py) before it calls them, so a refusal comes before any body is
read; the services check again, so no route can do what they refuse."""

from rest_framework.permissions import BasePermission

from content.services.permissions import VIEW


class HasEditorialRole(BasePermission):
    """Any editorial role may read (`permissions.VIEW`); a view action listed in
    `view.required_actions` needs that editorial permission too.

    Anonymous requests fail authentication (401); authenticated users without the
    role get 403.
    """

    message = VIEW.message

    def has_permission(self, request, view) -> bool:
        if not VIEW.allows(request.user):
            return False
        needed = getattr(view, "required_actions", {}).get(getattr(view, "action", None))
        if needed is not None and not needed.allows(request.user):
            self.message = needed.message
            return False
        return True
