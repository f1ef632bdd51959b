"""Synonym sets: the service, the seed import, the loader and the admin."""

import io
from pathlib import Path

import pytest
import yaml
from django.core.management import call_command

from content.exceptions import ContentInvalid
from content.models import Synonym
from content.services.synonyms import synonym_save, synonyms_import
from tests.factories import UserFactory

SEED_SYNONYMS = Path(__file__).resolve().parents[2] / "fixtures" / "seed" / "synonyms.yaml"


def test_saving_normalises_case_quotes_spaces_and_duplicates(db):
    synonym = synonym_save(
        synonym=Synonym(
            name="  runner’s   knee ",
            terms=["  Runner’s knee ", "PATELLOFEMORAL  pain", "runner's knee", ""],
        )
    )

    synonym.refresh_from_db()
    assert synonym.name == "runner’s knee"
    assert synonym.terms == ["runner's knee", "patellofemoral pain"]


@pytest.mark.parametrize(
    ("terms", "message"),
    [
        (["physio"], "Enter at least two different words or phrases."),
        (["physio", "PHYSIO "], "Enter at least two different words or phrases."),
        (["physio", "?!"], "“?!” has no letters or digits."),
        ("physio, physical therapy", "Enter a list of words or phrases."),
    ],
)
def test_saving_refuses_sets_that_cannot_work(db, terms, message):
    with pytest.raises(ContentInvalid) as refused:
        synonym_save(synonym=Synonym(name="physio", terms=terms))

    assert refused.value.errors == [{"field": "terms", "message": message, "code": "invalid"}]
    assert not Synonym.objects.exists()


def test_import_adds_new_sets_and_leaves_existing_ones_as_editors_made_them(db):
    synonym_save(synonym=Synonym(name="physio", terms=["physio", "physiotherapy"]))

    added = synonyms_import(entries=[
        {"name": "physio", "terms": ["physio", "physical therapy"]},
        {"name": "oa", "terms": ["OA", "osteoarthritis"]},
    ])

    assert added == (1, 1)
    assert dict(Synonym.objects.values_list("name", "terms")) == {
        "physio": ["physio", "physiotherapy"],
        "oa": ["oa", "osteoarthritis"],
    }


def test_import_refuses_a_malformed_entry_and_adds_nothing(db):
    with pytest.raises(ContentInvalid) as refused:
        synonyms_import(entries=[
            {"name": "oa", "terms": ["oa", "osteoarthritis"]},
            {"name": "physio", "terms": ["physio"]},
        ])

    assert refused.value.errors == [{
        "field": "synonyms[1].terms",
        "message": "Enter at least two different words or phrases.",
        "code": "invalid",
    }]


def test_seed_loader_loads_synonyms_yaml_once(db, tmp_path):
    (tmp_path / "synonyms.yaml").write_text(
        "- name: physio\n  terms: [physio, physical therapy]\n", encoding="utf-8"
    )
    first, second = io.StringIO(), io.StringIO()

    call_command("load_seed_content", directory=str(tmp_path), stdout=first)
    call_command("load_seed_content", directory=str(tmp_path), stdout=second)

    assert first.getvalue().splitlines()[-1] == (
        "Search synonyms: 1 set(s) added, 0 already present."
    )
    assert second.getvalue().splitlines()[-1] == (
        "Search synonyms: 0 set(s) added, 1 already present."
    )
    assert list(Synonym.objects.values_list("terms", flat=True)) == [
        ["physio", "physical therapy"]
    ]


def test_every_seed_synonym_set_is_valid_and_named_once(db):
    entries = yaml.safe_load(SEED_SYNONYMS.read_text(encoding="utf-8"))

    assert synonyms_import(entries=entries) == (len(entries), 0)
    assert len({entry["name"] for entry in entries}) == len(entries)


def test_admin_edits_terms_one_per_line_through_the_service(client, db):
    client.force_login(UserFactory(username="admin", is_staff=True, is_superuser=True))

    added = client.post(
        "/admin/content/synonym/add/",
        {"name": "physio", "terms": "Physio\n\n  physical THERAPY  \nphysio"},
    )
    change_list = client.get("/admin/content/synonym/")
    refused = client.post("/admin/content/synonym/add/", {"name": "oa", "terms": "OA"})

    assert added.status_code == 302
    assert list(Synonym.objects.values_list("name", "terms")) == [
        ("physio", ["physio", "physical therapy"])
    ]
    assert "physio · physical therapy" in change_list.content.decode()
    assert refused.status_code == 200
    assert "Enter at least two different words or phrases." in refused.content.decode()
    assert Synonym.objects.count() == 1


def test_editors_maintain_synonym_sets_and_other_roles_only_see_none(client, db):
    from django.contrib.auth.models import Group

    from content.choices import Role
    from content.services.roles import role_groups_ensure

    role_groups_ensure()
    editor = UserFactory(username="eddie", is_staff=True)
    editor.groups.add(Group.objects.get(name=Role.EDITORS))
    reviewer = UserFactory(username="rita", is_staff=True)
    reviewer.groups.add(Group.objects.get(name=Role.MEDICAL_REVIEWERS))

    client.force_login(editor)
    added = client.post("/admin/content/synonym/add/",
                        {"name": "physio", "terms": "physio\nphysical therapy"})
    synonym = Synonym.objects.get()
    changed = client.post(f"/admin/content/synonym/{synonym.pk}/change/",
                          {"name": "physio", "terms": "physio\nphysiotherapy"})
    client.force_login(reviewer)
    refused = client.get("/admin/content/synonym/")

    assert (added.status_code, changed.status_code) == (302, 302)
    assert Synonym.objects.get().terms == ["physio", "physiotherapy"]
    assert refused.status_code == 403
