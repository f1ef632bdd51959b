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
                 "--name", "Dr Rita Shah", "--credentials", "MD", stdout=out)

    user = get_user_model().objects.get(username="rita")
    key = Token.objects.get(user=user).key
    assert out.getvalue() == f"{key}\n"
    assert sorted(user.groups.values_list("name", flat=True)) == ["editors", "medical_reviewers"]
    assert user.is_staff is True
    assert EditorProfile.objects.get(user=user).credentials == "MD"

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
