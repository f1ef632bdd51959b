"""The editor-profile admin (content/admin/profiles.py): a medical reviewer sets how they are
credited publicly, for themselves only; whoever manages users manages everyone's."""

import pytest

from content.choices import Role
from content.models import EditorProfile
from tests.factories import EditorProfileFactory, UserFactory

pytestmark = pytest.mark.django_db

LIST = "/admin/content/editorprofile/"
ADD = f"{LIST}add/"


def change(profile: EditorProfile) -> str:
    return f"{LIST}{profile.pk}/change/"


@pytest.fixture
def reviewer(client):
    user = UserFactory(username="rev1", roles=[Role.MEDICAL_REVIEWERS], is_staff=True)
    client.force_login(user)
    return user


@pytest.fixture
def colleague():
    user = UserFactory(username="rev2", roles=[Role.MEDICAL_REVIEWERS], is_staff=True)
    return EditorProfileFactory(user=user, display_name="Dr Omar Other", credentials="FRCS")


def test_a_reviewer_sets_their_own_display_name_and_credentials(client, reviewer, colleague):
    form = client.get(ADD)
    assert form.status_code == 200
    assert 'name="user"' not in form.content.decode()  # always their own profile

    response = client.post(ADD, {"display_name": "Dr Rita Shah", "credentials": "MD, FRCS"})

    assert response.status_code == 302
    assert list(EditorProfile.objects.values_list(
        "user__username", "display_name", "credentials").order_by("user__username")) == [
        ("rev1", "Dr Rita Shah", "MD, FRCS"), ("rev2", "Dr Omar Other", "FRCS")]
    listing = client.get(LIST).content.decode()
    assert "Dr Rita Shah" in listing and "Dr Omar Other" not in listing

    again = client.post(ADD, {"display_name": "Dr R. Shah", "credentials": ""})
    assert again.status_code == 302  # "add" again updates their one profile
    assert EditorProfile.objects.filter(user=reviewer).values_list(
        "display_name", "credentials").get() == ("Dr R. Shah", "")


def test_a_reviewer_cannot_see_or_change_a_colleagues_profile(client, reviewer, colleague):
    page = client.get(change(colleague))
    posted = client.post(change(colleague), {"display_name": "Hacked", "credentials": ""})

    assert (page.status_code, posted.status_code) == (302, 302)  # "does not exist"
    colleague.refresh_from_db()
    assert (colleague.display_name, colleague.credentials) == ("Dr Omar Other", "FRCS")


def test_the_admin_refuses_bidi_controls_in_a_display_name(client, reviewer):
    response = client.post(ADD, {"display_name": "Dr \u202eahS atiR", "credentials": ""})

    assert response.status_code == 200
    assert "Bidirectional override and isolate characters" in response.content.decode()
    assert not EditorProfile.objects.exists()


def test_staff_without_the_reviewer_role_see_no_profiles(client):
    client.force_login(UserFactory(username="eddie", roles=[Role.EDITORS], is_staff=True))

    assert client.get(LIST).status_code == 403
    assert client.get(ADD).status_code == 403


def test_a_superuser_manages_every_profile(client, colleague):
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))

    listing = client.get(LIST).content.decode()
    page = client.get(change(colleague))
    response = client.post(change(colleague), {"display_name": "", "credentials": "FRCS"})

    assert "Dr Omar Other" in listing
    assert page.status_code == 200 and 'name="user"' not in page.content.decode()  # read-only
    assert response.status_code == 302
    colleague.refresh_from_db()
    assert (colleague.user.username, colleague.display_name, colleague.credentials) == (
        "rev2", "", "FRCS")
    assert "Medical reviewer (no display name)" in client.get(LIST).content.decode()
