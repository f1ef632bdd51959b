"""How a reviewer is credited publicly: their editor profile's display name and credentials.

The public API (and its JSON-LD) credits an approval to what the approving reviewer set here,
copied into the live row when the content is published (content/services/publishing.py);
without a display name it says `REVIEWER_LABEL`. Set from `manage.py issue_token
--display-name/--credentials` and in the admin, by the reviewer for themselves or by whoever
manages users. A change is credited from the next publish of each item.
"""

from django.core.exceptions import ValidationError
from django.db import transaction

from content.exceptions import ContentInvalid
from content.models import EditorProfile
from content.services.audit import attribute_to


@transaction.atomic
def editor_profile_save(
    *, user, display_name: str | None = None, credentials: str | None = None, actor=None
) -> EditorProfile:
    """Set how `user` is credited publicly; a value left None keeps what is stored.

    Each value is plain text (no markup, control or bidi characters; at most 200
    characters), checked by the model's validators; refused with `ContentInvalid`.
    """
    profile = (
        EditorProfile.objects.select_for_update().filter(user=user).first()
        or EditorProfile(user=user)
    )
    if display_name is not None:
        profile.display_name = display_name.strip()
    if credentials is not None:
        profile.credentials = credentials.strip()
    try:
        profile.full_clean(exclude=["user"])
    except ValidationError as error:
        raise ContentInvalid(
            [
                {"field": field, "message": message, "code": item.code or "invalid"}
                for field, items in error.error_dict.items()
                for item in items
                for message in item.messages
            ]
        ) from error
    attribute_to(profile, actor if actor is not None else user).save()
    return profile


def reviewer_credit(reviewer) -> dict[str, str]:
    """What a live row records of the reviewer who approved it: the display name and
    credentials they set, or blanks (read as `REVIEWER_LABEL`). Never their login name."""
    profile = EditorProfile.objects.filter(user=reviewer).first() if reviewer else None
    if profile is None:
        return {"reviewed_by_name": "", "reviewed_by_credentials": ""}
    return {
        "reviewed_by_name": profile.display_name,
        "reviewed_by_credentials": profile.credentials,
    }
