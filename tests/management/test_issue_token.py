"""issue_token: creates the user if needed, adds roles, prints only the token."""

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from rest_framework.authtoken.models import Token

from content.models import EditorProfile


@pytest.mark.django_db
def test_issue_token_creates_user_with_roles_and_prints_only_the_key(api_client):
    out = io.StringIO()
    call_command("issue_token", "rita", "--role", "medical_reviewers", "--role", "editors",
                 "--display-name", "Dr Rita Shah", "--credentials", "MD", stdout=out)

    user = get_user_model().objects.get(username="rita")
    key = Token.objects.get(user=user).key
    assert out.getvalue() == f"{key}\n"
    assert sorted(user.groups.values_list("name", flat=True)) == ["editors", "medical_reviewers"]
    assert user.is_staff is True
    assert EditorProfile.objects.filter(user=user).values_list(
        "display_name", "credentials").get() == ("Dr Rita Shah", "MD")

    api_client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert api_client.get("/api/v1/editorial/articles/").status_code == 200

    again = io.StringIO()
    call_command("issue_token", "rita", "--role", "publishers", stdout=again)
    assert again.getvalue() == f"{key}\n"
    assert user.groups.count() == 3


@pytest.mark.django_db
def test_issue_token_refuses_an_unknown_role():
    with pytest.raises(CommandError, match="invalid choice: 'admins'"):
        call_command("issue_token", "x", "--role", "admins")
    assert not get_user_model().objects.exists()


@pytest.mark.django_db
def test_issue_token_never_makes_the_login_name_a_public_name():
    call_command("issue_token", "rev1", "--role", "medical_reviewers", "--credentials", "MD",
                 stdout=io.StringIO())

    assert EditorProfile.objects.values_list("display_name", "credentials").get() == ("", "MD")

    call_command("issue_token", "rev1", "--role", "medical_reviewers", "--name", "Dr R. Shah",
                 stdout=io.StringIO())  # --name: the option's former spelling
    assert EditorProfile.objects.values_list("display_name", "credentials").get() == (
        "Dr R. Shah", "MD")


@pytest.mark.django_db
def test_issue_token_refuses_a_display_name_that_is_not_plain_text():
    with pytest.raises(CommandError, match="--display-name: Bidirectional override"):
        call_command("issue_token", "rev1", "--role", "medical_reviewers",
                     "--display-name", "Dr \u202eahS", stdout=io.StringIO())

    assert not get_user_model().objects.exists()
    assert not EditorProfile.objects.exists()
