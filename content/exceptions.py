"""Domain errors raised by services; the API maps each to a problem+json status."""


class ContentError(Exception):
    """Base of every domain error: a stable `code` and a sentence for people."""

    code = "content_error"
    title = "The request could not be carried out."

    def __init__(self, detail: str | None = None) -> None:
        self.detail = detail or self.title
        super().__init__(self.detail)


class ContentInvalid(ContentError):
    """The content failed validation; `errors` lists {field, message, code}."""

    code = "invalid"
    title = "The content is not valid."

    def __init__(self, errors: list[dict[str, str]], detail: str | None = None) -> None:
        self.errors = errors
        super().__init__(detail or f"{len(errors)} field(s) are not valid; see errors.")


class StaleRevision(ContentError):
    """The write was based on a revision that is no longer the latest."""

    code = "stale_revision"
    title = "The content changed since you loaded it."

    def __init__(self, *, expected: int, latest: int) -> None:
        self.expected, self.latest = expected, latest
        super().__init__(
            f"You edited revision {expected} but the latest is revision {latest}; "
            "reload, reapply your change and send the new ETag in If-Match."
        )


class NoChanges(ContentError):
    """An edit or revert whose content equals the latest revision's: nothing is stored.

    A revision with unchanged content would credit its sender with text someone else wrote
    (and let the real author, as a reviewer, approve it), so it is refused."""

    code = "no_changes"
    title = "Nothing changed."

    def __init__(self, *, latest: int, detail: str | None = None) -> None:
        self.latest = latest
        super().__init__(
            detail
            or f"Revision {latest} already has this content, so no revision was saved."
        )


class ReviewRequired(ContentError):
    """Publishing needs an approval of exactly this revision's content."""

    code = "review_required"
    title = "This revision has not been approved by a medical reviewer."

    def __init__(self, *, number: int) -> None:
        self.number = number
        super().__init__(
            f"Revision {number} has no medical approval of its exact content; "
            "a medical reviewer who did not author it must approve it first."
        )


class SelfApproval(ContentError):
    """A reviewer may not approve content they authored: the revision itself, or any
    revision of the item with the same content since someone else last approved it."""

    code = "self_approval"
    title = "You cannot approve your own revision."


class UnpublishedReference(ContentError):
    """The content links to items that have never been published."""

    code = "unpublished_reference"
    title = "The content links to items that have never been published."

    def __init__(self, refs: list[str]) -> None:
        self.refs = refs
        super().__init__("Publish these first: " + ", ".join(refs) + ".")


class InvalidTransition(ContentError):
    """The editorial state does not allow this action now."""

    code = "invalid_transition"
    title = "That action is not possible in the current editorial state."


class ActionForbidden(ContentError):
    """The user's editorial roles do not allow this action (content/services/permissions.py);
    the API answers 403 `permission_denied`, the admin refuses the button."""

    code = "permission_denied"
    title = "You do not have permission to do this."
