"""The workflow forms: submit for review, review, publish or schedule, revert."""

from django import forms

from content.admin.forms.fields import TextField, textarea
from content.choices import ReviewDecision
from content.dates import NEXT_REVIEW_MAX_YEARS


class RevisionActionForm(forms.Form):
    """A workflow action on one revision; `revision` is the number the person was shown."""

    revision = forms.IntegerField(min_value=1, widget=forms.HiddenInput)


class SubmitForReviewForm(RevisionActionForm):
    comment = TextField(
        max_length=5000, required=False, widget=textarea(2, 60),
        help_text="Optional note for the medical reviewer.",
    )


class ReviewForm(RevisionActionForm):
    decision = forms.ChoiceField(choices=ReviewDecision.choices, widget=forms.RadioSelect)
    comment = TextField(max_length=5000, required=False, widget=textarea(3, 60))
    next_review_due = forms.DateField(
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text="When this content must be reviewed again: after today, at most "
        f"{NEXT_REVIEW_MAX_YEARS} years ahead (default: in a year).",
    )


class PublishForm(RevisionActionForm):
    go_live_at = forms.DateTimeField(
        required=False,
        label="Go live at",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text="UTC. Needed to schedule; “Publish now” ignores it.",
    )
    expire_at = forms.DateTimeField(
        required=False,
        label="Expire at",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text="UTC. Optional: from then on the public API no longer shows it.",
    )


class RevertForm(forms.Form):
    revision = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
    expected_revision = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
