"""Who may do what: one check per editorial action, which the services call themselves.

Wagtail-style: each action is an object (`PUBLISH.check(user)`, or
`action_check(user=..., action="publish")`) that refuses with `ActionForbidden` (403
problem+json in the API, a refused button in the admin). The services call it, so the API,
the admin and any other face get the same answer; the faces ask the same objects
(`allows`, `allowed_actions`) what to offer (their routes, buttons and forms), and may refuse
earlier, never later.

The one table (a role is membership of the Django group of that name, `content.roles`; a
superuser holds every role; anyone with a role may read):

| action            | service                                   | role              |
|-------------------|-------------------------------------------|-------------------|
| `view`            | (reads)                                   | any editorial role|
| `create`          | `versioning.document_create`              | editors           |
| `edit`            | `versioning.revision_create`              | editors           |
| `revert`          | `versioning.revision_revert`              | editors           |
| `submit`          | `reviews.review_request`                  | editors           |
| `review`          | `reviews.review_submit`                   | medical_reviewers |
| `publish`         | `publishing.revision_publish` (now)       | publishers        |
| `schedule`        | `publishing.revision_publish` (go_live_at)| publishers        |
| `unpublish`       | `publishing.document_unpublish`           | publishers        |
| `cancel_schedule` | `publishing.schedule_cancel`              | publishers        |
| `manage_webhooks` | (the webhooks API: `webhooks.webhook_*`)  | publishers        |

`user=None` is the system itself (the seed import `content_import`, the scheduler
`publish_due`), which no role check stops, as in Wagtail's actions; a face always passes
the request's user (an anonymous user holds no role).
"""

from dataclasses import dataclass

from content.choices import Role
from content.exceptions import ActionForbidden
from content.roles import user_roles

ANY_ROLE_MESSAGE = "This needs an editorial role (editors, medical_reviewers or publishers)."


@dataclass(frozen=True)
class EditorialPermission:
    """One editorial action and the role it needs (None: any editorial role)."""

    name: str
    role: str | None

    @property
    def message(self) -> str:
        """Why a user without the role is refused (the API's 403 detail)."""
        if self.role is None:
            return ANY_ROLE_MESSAGE
        return f"This action needs the '{self.role}' role."

    def allows(self, user) -> bool:
        """Whether `user` may do this (`None`, the system, may do everything)."""
        if user is None:
            return True
        roles = user_roles(user)
        return bool(roles) if self.role is None else self.role in roles

    def check(self, user) -> None:
        """Refuse with `ActionForbidden` unless `user` may do this."""
        if not self.allows(user):
            raise ActionForbidden(self.message)


VIEW = EditorialPermission("view", None)
CREATE = EditorialPermission("create", Role.EDITORS)
EDIT = EditorialPermission("edit", Role.EDITORS)
REVERT = EditorialPermission("revert", Role.EDITORS)
SUBMIT = EditorialPermission("submit", Role.EDITORS)
REVIEW = EditorialPermission("review", Role.MEDICAL_REVIEWERS)
PUBLISH = EditorialPermission("publish", Role.PUBLISHERS)
SCHEDULE = EditorialPermission("schedule", Role.PUBLISHERS)
UNPUBLISH = EditorialPermission("unpublish", Role.PUBLISHERS)
CANCEL_SCHEDULE = EditorialPermission("cancel_schedule", Role.PUBLISHERS)
MANAGE_WEBHOOKS = EditorialPermission("manage_webhooks", Role.PUBLISHERS)

#: Every editorial action by name: the one role→action table.
ACTIONS: dict[str, EditorialPermission] = {
    action.name: action
    for action in (VIEW, CREATE, EDIT, REVERT, SUBMIT, REVIEW, PUBLISH, SCHEDULE, UNPUBLISH,
                   CANCEL_SCHEDULE, MANAGE_WEBHOOKS)
}


def action_check(*, user, action: str) -> None:
    """`ACTIONS[action].check(user)`."""
    ACTIONS[action].check(user)


def allowed_actions(user) -> frozenset[str]:
    """The names of the actions `user` may do (what a face offers them)."""
    return frozenset(name for name, action in ACTIONS.items() if action.allows(user))
