"""Public isolation: drafts, unapproved revisions, scheduled, expired and unpublished content
never appear in any public endpoint, list, filter, count, relation, search or feed."""

import datetime as dt

import pytest
import time_machine

from content.choices import ReviewDecision, Role
from content.services.publishing import document_unpublish, revision_publish
from content.services.reviews import review_submit
from content.services.versioning import document_create, revision_create
from tests.factories import UserFactory

T0 = dt.datetime(2026, 4, 1, 10, 0, tzinfo=dt.UTC)
NOW = T0 + dt.timedelta(days=2)


def symptom(slug: str, name: str) -> dict:
    return {"slug": slug, "name": name, "description": f"{name} description.",
            "frequency": "common"}


PUBLIC_URLS = [
    "/api/v1/",
    "/api/v1/articles/",
    "/api/v1/articles/visible-article/",
    "/api/v1/articles/visible-article/sections/symptoms/",
    "/api/v1/articles/?condition=visible-condition",
    "/api/v1/conditions/",
    "/api/v1/conditions/visible-condition/",
    "/api/v1/conditions/?article=visible-article",
    "/api/v1/conditions/?body_region=hip",
    "/api/v1/causes/",
    "/api/v1/causes/visible-cause/",
    "/api/v1/causes/?condition=visible-condition",
    "/api/v1/symptoms/",
    "/api/v1/symptoms/?frequency=common",
    "/api/v1/symptoms/?article=visible-article",
    "/api/v1/symptoms/?search=symptom",
    "/api/v1/symptoms/?search=zzunapproved",
    "/api/v1/search/?q=zzdraft",
    "/api/v1/search/?q=symptom",
    "/api/v1/search/?q=zzexpired",
    "/api/v1/search/?q=zzunapproved+words",
]
HIDDEN_SLUGS = [
    "zzdraft-condition", "zzexpired-condition", "zzdraft-symptom", "zzscheduled-symptom",
    "zzexpired-symptom", "zzunpublished-symptom",
]
NOT_FOUND = [
    "/api/v1/conditions/zzdraft-condition/",
    "/api/v1/conditions/zzexpired-condition/",
    "/api/v1/symptoms/zzdraft-symptom/",
    "/api/v1/symptoms/zzscheduled-symptom/",
    "/api/v1/symptoms/zzexpired-symptom/",
    "/api/v1/symptoms/zzunpublished-symptom/",
]


@pytest.mark.django_db
def test_hidden_content_appears_nowhere_public(api_client):
    _publish_world()
    with time_machine.travel(NOW, tick=False):
        for url in PUBLIC_URLS:
            response = api_client.get(url)
            assert response.status_code == 200, url
            text = response.content.decode()
            for needle in HIDDEN_SLUGS + ["Zzunapproved", "zzunapproved words"]:
                assert needle.lower() not in text.lower(), (url, needle)
        for url in NOT_FOUND:
            response = api_client.get(url)
            assert response.status_code == 404, url
            assert response["Content-Type"] == "application/problem+json"

        symptoms = api_client.get("/api/v1/symptoms/").json()
        assert symptoms["count"] == 2
        assert [r["slug"] for r in symptoms["results"]] == ["visible-symptom", "edited-symptom"]
        edited = api_client.get("/api/v1/symptoms/edited-symptom/").json()
        assert (edited["name"], edited["version"]) == ("Swelling", 1)

        article = api_client.get("/api/v1/articles/visible-article/").json()
        assert [c["slug"] for c in article["conditions"]] == ["visible-condition"]
        items = article["sections"][0]["items"]
        assert [i["entity"] and i["entity"]["slug"] for i in items] == [
            "visible-symptom", None, None]
        cause = api_client.get("/api/v1/causes/visible-cause/").json()
        assert [c["slug"] for c in cause["conditions"]] == ["visible-condition"]
        assert api_client.get("/api/v1/conditions/?body_region=hip").json()["count"] == 0
        assert api_client.get("/api/v1/symptoms/?article=visible-article").json()["count"] == 1

        # The change feed names withdrawn items only as tombstones, never drafts or schedules,
        # and replaying it gives exactly what is public.
        feed = api_client.get("/api/v1/changes/?page_size=100").json()
        state = set()
        for change in feed["results"]:
            key = (change["type"], change["slug"])
            if change["action"] == "unpublished":
                state.discard(key)
            else:
                state.add(key)
        assert state == {
            ("condition", "visible-condition"), ("cause", "visible-cause"),
            ("symptom", "visible-symptom"), ("symptom", "edited-symptom"),
            ("article", "visible-article"),
        }
        named = {change["slug"] for change in feed["results"]}
        assert named.isdisjoint({"zzdraft-condition", "zzdraft-symptom", "zzscheduled-symptom"})


def _publish_world():
    """Build the world of the module docstring through the services."""
    editor, reviewer, publisher = (UserFactory(username=n, roles=[r]) for n, r in (
        ("ed", Role.EDITORS), ("rev", Role.MEDICAL_REVIEWERS), ("pub", Role.PUBLISHERS)))

    def publish(revision, **kwargs):
        review_submit(revision=revision, reviewer=reviewer, decision=ReviewDecision.APPROVED)
        return revision_publish(revision=revision, user=publisher, **kwargs)

    def create(type_, data):
        return document_create(type_=type_, author=editor, data=data)

    with time_machine.travel(T0, tick=False):
        publish(create("condition", {"slug": "visible-condition", "name": "Kneecap ache",
                                     "body_region": "knee"}))
        create("condition", {"slug": "zzdraft-condition", "name": "Zzdraft condition",
                             "body_region": "hip"})
        publish(create("condition", {"slug": "zzexpired-condition",
                                     "name": "Zzexpired condition", "body_region": "hip"}),
                expire_at=T0 + dt.timedelta(days=1))
        publish(create("cause", {
            "slug": "visible-cause", "name": "Overuse", "description": "Too much running.",
            "conditions": [{"type": "condition", "slug": "visible-condition"},
                           {"type": "condition", "slug": "zzexpired-condition"}]}))
        publish(create("symptom", symptom("visible-symptom", "Kneecap grinding")))
        edited = create("symptom", symptom("edited-symptom", "Swelling"))
        publish(edited)
        revision_create(document=edited.document, author=editor, expected_revision=1,
                        data={"name": "Zzunapproved words"})
        create("symptom", symptom("zzdraft-symptom", "Zzdraft symptom"))
        publish(create("symptom", symptom("zzscheduled-symptom", "Zzscheduled symptom")),
                go_live_at=T0 + dt.timedelta(days=30))
        publish(create("symptom", symptom("zzexpired-symptom", "Zzexpired symptom")),
                expire_at=T0 + dt.timedelta(days=1))
        gone = create("symptom", symptom("zzunpublished-symptom", "Zzunpublished symptom"))
        publish(gone)
        publish(create("article", {
            "slug": "visible-article", "title": "Knee pain from the hip",
            "summary": "Why the kneecap aches.",
            "conditions": [{"type": "condition", "slug": "visible-condition"},
                           {"type": "condition", "slug": "zzexpired-condition"}],
            "sections": [{"kind": "symptoms", "heading": "Symptoms", "items": [
                {"group": "common", "title": "Grinding", "text": "Kneecap grinding.",
                 "entity": {"type": "symptom", "slug": "visible-symptom"}},
                {"group": "common", "title": "Expired", "text": "Gone later.",
                 "entity": {"type": "symptom", "slug": "zzexpired-symptom"}},
                {"group": "common", "title": "Unpublished", "text": "Withdrawn.",
                 "entity": {"type": "symptom", "slug": "zzunpublished-symptom"}},
            ]}],
        }))
        # Withdrawn after the article that links to it went live.
        document_unpublish(document=gone.document, user=publisher)
