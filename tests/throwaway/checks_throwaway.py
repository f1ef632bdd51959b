"""Run by tests/test_types.py under tests/throwaway/settings.py (not collected otherwise: the
file name does not match `test_*.py`). A type declared in content/types.py's form, with a
model and nothing else, gets every face: the editorial API, publishing, the public list and
detail with its filters, search, the admin form and the schema."""

import pytest
from django.contrib.auth.models import User
from drf_spectacular.generators import SchemaGenerator
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from content.choices import Role
from content.services.roles import role_groups_ensure

EDITORIAL = "/api/v1/editorial/glossary-terms/"
PUBLIC = "/api/v1/glossary-terms/"
TERM = {"slug": "bursa", "term": "Bursa", "register": "plain",
        "definition": "A small fluid-filled sac that cushions a joint.", "see_also": ["bursitis"]}


def _client(username: str, role: str) -> APIClient:
    user = User.objects.create_user(username)
    user.groups.add(role_groups_ensure()[role])
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return client


@pytest.mark.django_db
def test_the_type_is_written_reviewed_published_listed_filtered_and_searched():
    editor, reviewer = _client("eddie", Role.EDITORS), _client("rita", Role.MEDICAL_REVIEWERS)
    publisher, public = _client("paul", Role.PUBLISHERS), APIClient()

    created = editor.post(EDITORIAL, TERM, format="json")
    assert created.status_code == 201, created.json()
    assert {k: created.json()[k] for k in TERM} == TERM
    too_long = editor.post(EDITORIAL, {**TERM, "slug": "x", "term": "x" * 121}, format="json")
    assert too_long.status_code == 400
    assert too_long.json()["errors"] == [{
        "field": "term", "message": "Ensure this field has no more than 120 characters.",
        "code": "max_length",
    }]
    edited = editor.patch(f"{EDITORIAL}bursa/", {"definition": "A small sac of fluid."},
                          format="json", HTTP_IF_MATCH='"rev-1"')
    assert (edited.status_code, edited.json()["latest_revision"]) == (200, 2)
    assert public.get(f"{PUBLIC}bursa/").status_code == 404  # a draft is never public

    review = reviewer.post(f"{EDITORIAL}bursa/reviews/", {"revision": 2, "decision": "approved"},
                           format="json")
    assert review.status_code == 201, review.json()
    published = publisher.post(f"{EDITORIAL}bursa/publish/", {}, format="json")
    assert (published.status_code, published.json()["status"]) == (200, "published")

    detail = public.get(f"{PUBLIC}bursa/")
    assert detail.status_code == 200
    body = detail.json()
    assert {k: body[k] for k in ("slug", "url", "term", "definition", "register", "see_also",
                                 "version")} == {
        "slug": "bursa", "url": "http://testserver/api/v1/glossary-terms/bursa/",
        "term": "Bursa", "definition": "A small sac of fluid.", "register": "plain",
        "see_also": ["bursitis"], "version": 2,
    }
    assert body["review"]["status"] == "reviewed"
    assert [row["slug"] for row in public.get(PUBLIC).json()["results"]] == ["bursa"]
    assert public.get(PUBLIC, {"register": "clinical"}).json()["results"] == []
    bad = public.get(PUBLIC, {"register": "latin"})
    assert (bad.status_code, bad.json()["errors"][0]["field"]) == (400, "register")
    assert public.get("/api/v1/").json()["glossary-terms"] == "http://testserver" + PUBLIC
    found = public.get("/api/v1/search/", {"q": "fluid sac"}).json()["results"]
    assert [(hit["type"], hit["slug"]) for hit in found] == [("glossary_term", "bursa")]


@pytest.mark.django_db
def test_the_admin_offers_a_form_for_the_type_and_creates_a_draft(client):
    admin = User.objects.create_superuser("admin", "admin@example.org", "x")
    client.force_login(admin)

    form = client.get("/admin/content/document/add/", {"type": "glossary_term"})
    assert form.status_code == 200
    html = form.content.decode()
    assert 'name="term"' in html and 'maxlength="120"' in html
    assert '<option value="clinical">Clinical</option>' in html

    saved = client.post("/admin/content/document/add/?type=glossary_term", {
        "type": "glossary_term", "slug": "tendon", "term": "Tendon", "register": "plain",
        "definition": "Tissue joining muscle to bone.", "see_also": "ligament\nmuscle",
        "change_note": "New term.",
    })
    assert saved.status_code == 302, saved.content.decode()[:2000]
    api = APIClient()
    api.force_authenticate(admin)
    draft = api.get(f"{EDITORIAL}tendon/").json()
    assert (draft["status"], draft["see_also"]) == ("draft", ["ligament", "muscle"])


def test_the_schema_documents_the_type_with_its_limits():
    schema = SchemaGenerator().get_schema(request=None, public=True)

    assert {"/api/v1/glossary-terms/", "/api/v1/glossary-terms/{slug}/",
            "/api/v1/editorial/glossary-terms/",
            "/api/v1/editorial/glossary-terms/{slug}/publish/"} <= set(schema["paths"])
    written = schema["components"]["schemas"]["GlossaryTermWriteRequest"]["properties"]
    assert written["term"]["maxLength"] == 120
    assert written["definition"]["maxLength"] == 5000
    assert written["see_also"]["maxItems"] == 200
    shown = schema["components"]["schemas"]["GlossaryTerm"]["properties"]
    assert shown["register"]["allOf"] == [{"$ref": "#/components/schemas/RegisterEnum"}]
    assert schema["components"]["schemas"]["RegisterEnum"]["enum"] == ["plain", "clinical"]
    assert "glossary_term" in schema["components"]["schemas"]["ContentTypeEnum"]["enum"]
