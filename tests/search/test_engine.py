"""content/search.py: reading queries, the index, matching and ranking rules, on either backend."""

import datetime as dt
import importlib
import io

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection

from content.choices import ContentType, ReviewDecision, Role, TreatmentCategory
from content.models import (
    Article,
    Condition,
    SearchEntry,
    SearchWord,
    Symptom,
    Synonym,
    Treatment,
    WarningSign,
)
from content.search import (
    Term,
    query_parse,
    search,
    search_document,
    search_entries_sync,
    search_filter,
    search_index_rebuild,
    search_index_update,
    search_vocabulary_rebuild,
    similarity,
    tsquery_text,
    word_similarity,
)
from content.search.indexing import body_index_text
from content.search.ranking import typo_corrections
from content.services.publishing import document_unpublish, publish_due, revision_publish
from content.services.reviews import review_submit
from content.services.versioning import document_create, revision_create
from tests.factories import (
    ArticleFactory,
    ConditionFactory,
    EditorProfileFactory,
    SectionFactory,
    SectionItemFactory,
    SymptomFactory,
    TreatmentFactory,
    UserFactory,
    WarningSignFactory,
)

T0 = dt.datetime(2026, 5, 4, 8, 0, tzinfo=dt.UTC)


def _found(query: str, **kwargs) -> list[tuple[str, str]]:
    return [(hit.type, hit.slug) for hit in search(query, **kwargs)[0:100]]


# --- Reading a query ---------------------------------------------------------------------


def test_query_words_are_lowercased_stemmed_and_stop_words_dropped():
    parsed = query_parse("Can’t BEND my Knees!!")

    assert [c.text for c in parsed.concepts] == ["bend", "knees"]
    assert [c.terms for c in parsed.concepts] == [
        (Term("bend", ("bend",), (0,)),),
        (Term("knees", ("knee",), (0,)),),
    ]


def test_only_user_words_of_five_letters_or_more_may_match_by_similarity():
    parsed = query_parse("hip osteoarthritus 2024")

    assert [c.fuzzy for c in parsed.concepts] == [None, "osteoarthritus", None]


def test_repeated_words_are_one_concept_and_long_queries_are_cut_at_eight():
    assert [c.text for c in query_parse("knee knee kneeing").concepts] == ["knee"]
    words = "alpha bravo charlie delta echo foxtrot golf hotel india juliet"
    assert len(query_parse(words).concepts) == 8


def test_synonyms_match_on_stems_longest_phrase_first():
    synonyms = [
        ["runner's knee", "patellofemoral pain syndrome"],
        ["knee", "genu"],
        ["physio", "physical therapy"],
    ]

    parsed = query_parse("runners knee physios", synonyms)

    runners, physio = parsed.concepts
    assert runners.text == "runners knee"
    assert [t.text for t in runners.terms] == [
        "runners knee", "runner s knee", "patellofemoral pain syndrome",
    ]
    assert runners.terms[1] == Term("runner s knee", ("runner", "knee"), (0, 2))
    assert [t.text for t in physio.terms] == ["physios", "physio", "physical therapy"]
    assert runners.fuzzy is None and physio.fuzzy is None


def test_a_phrase_in_two_synonym_sets_takes_the_alternatives_of_both():
    parsed = query_parse("ibuprofen", [["ibuprofen", "nsaid"], ["painkiller", "ibuprofen"]])

    assert [t.text for t in parsed.concepts[0].terms] == ["ibuprofen", "nsaid", "painkiller"]


def test_tsquery_text_keeps_phrase_distances_across_stop_words():
    terms = [Term.parse("pins and needles"), Term.parse("numbness"), Term.parse("runner's knee")]

    assert tsquery_text(terms) == "('pin' <2> 'needl') | 'numb' | ('runner' <2> 'knee')"


# --- Trigram similarity, as pg_trgm computes it --------------------------------------------

#: Values PostgreSQL 15's pg_trgm returns (float4), which the Python engine must reproduce.
PG_WORD_SIMILARITY = [
    ("osteoarthritus", "Hip osteoarthritis", 0.8),
    ("acupunture", "Acupuncture", 0.64285713),
    ("bursitus", "Hip bursitis", 0.6666667),
    ("chiropracter", "Chiropractic Care", 0.7692308),
    ("ibuprofin", "Medications\nibuprofen\nacetaminophen", 0.7),
]


@pytest.mark.parametrize(("word", "text", "expected"), PG_WORD_SIMILARITY)
def test_word_similarity_is_pg_trgms(word, text, expected):
    assert word_similarity(word, text) == pytest.approx(expected, rel=1e-6)


@pytest.mark.django_db
@pytest.mark.parametrize(("word", "text", "expected"), PG_WORD_SIMILARITY)
def test_word_similarity_matches_the_database_on_postgresql(word, text, expected):
    if connection.vendor != "postgresql":
        assert word_similarity(word, text) == pytest.approx(expected, rel=1e-6)
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT word_similarity(%s, %s), similarity(%s, %s)",
                       [word, text, text, word])
        pg_word, pg_plain = cursor.fetchone()
    assert word_similarity(word, text) == pytest.approx(pg_word, rel=1e-6)
    assert similarity(text, word) == pytest.approx(pg_plain, rel=1e-6)


def test_similarity_is_the_jaccard_of_trigram_sets():
    assert similarity("Hip Pain", "hip pain") == 1.0
    assert similarity("", "") == 0.0
    assert similarity("Gentle exercise", "exercises") == pytest.approx(4 / 9)


# --- The index ----------------------------------------------------------------------------


def test_body_index_text_drops_tags_and_decodes_entities():
    assert body_index_text("<p>Rest &amp; <em>ice</em>.</p><ul><li>Walk</li></ul>") == (
        "Rest & ice . Walk"
    )


def test_search_document_weights_each_types_fields(db):
    condition = ConditionFactory(name="Patellofemoral pain syndrome",
                                 also_known_as=["runner's knee", "PFPS"], description="Pain.")
    treatment = TreatmentFactory(name="Medications", examples=["ibuprofen"],
                                 description="Pain relievers.", caution="Ask a pharmacist.")
    sign = WarningSignFactory(text="Numbness in the leg.")
    symptom = SymptomFactory(name="Stiffness", description="Tight knee.")

    assert search_document(condition).search_names == (
        "Patellofemoral pain syndrome\nrunner's knee\nPFPS"
    )
    assert search_document(treatment).search_names == "Medications\nibuprofen"
    assert search_document(treatment).search_body == "Pain relievers. Ask a pharmacist."
    assert (search_document(sign).search_names, search_document(sign).search_body) == (
        "Numbness in the leg.", ""
    )
    assert (search_document(symptom).search_names, search_document(symptom).search_body) == (
        "Stiffness", "Tight knee."
    )


def test_an_articles_index_has_title_summary_headings_and_section_text(db):
    article = ArticleFactory(title="Hip and knee", summary="An overview.")
    section = SectionFactory(article=article, heading="Causes", body="<p>Weak glutes.</p>",
                             groups=[{"group": "why_it_matters", "heading": "Why"}])
    SectionItemFactory(section=section, title="Overuse", text="Too much running.")

    article.refresh_from_db()
    assert article.search_names == "Hip and knee\nAn overview.\nCauses"
    assert article.search_body == "Weak glutes. Why Overuse Too much running."


def test_rebuild_recomputes_every_rows_index(db):
    ConditionFactory(slug="c", name="Hip bursitis")
    Condition.objects.update(search_names="", search_body="", search_vector=None,
                             search_names_vector=None)
    search_entries_sync(Condition)  # PostgreSQL searches a copy of the live rows' index
    assert _found("bursitis") == []

    assert search_index_rebuild([Condition]) == 1

    assert _found("bursitis") == [("condition", "c")]


@pytest.fixture
def staff(db):
    return {
        "editor": UserFactory(username="editor", roles=[Role.EDITORS]),
        "reviewer": EditorProfileFactory(
            user=UserFactory(username="reviewer", roles=[Role.MEDICAL_REVIEWERS])
        ).user,
        "publisher": UserFactory(username="publisher", roles=[Role.PUBLISHERS]),
    }


def _approve_and_publish(revision, staff):
    review_submit(revision=revision, reviewer=staff["reviewer"],
                  decision=ReviewDecision.APPROVED)
    return revision_publish(revision=revision, user=staff["publisher"])


def test_publishing_keeps_the_index_current_and_drafts_are_never_found(staff):
    body = {"body_region": "hip", "description": "Inflamed bursa."}
    first = document_create(type_=ContentType.CONDITION, author=staff["editor"],
                            data={"slug": "bursitis", "name": "Trochanteric bursitis", **body})
    assert _found("trochanteric") == []  # a draft

    document = _approve_and_publish(first, staff)
    assert _found("trochanteric") == [("condition", "bursitis")]

    draft = revision_create(document=document, author=staff["editor"], expected_revision=1,
                            data={"name": "Greater trochanteric pain syndrome", **body})
    assert _found("greater") == []  # the new draft is not live yet

    _approve_and_publish(draft, staff)
    assert _found("greater") == [("condition", "bursitis")]

    document_unpublish(document=document, user=staff["publisher"])
    assert _found("greater") == []
    assert search_filter(Condition.objects.published(), "greater").count() == 0


@pytest.mark.skipif(connection.vendor != "postgresql",
                    reason="SearchEntry is PostgreSQL's index; SQLite reads the live rows")
def test_the_search_entries_follow_the_live_rows_through_publish_expiry_and_unpublish(staff):
    def entry() -> dict:
        return SearchEntry.objects.values(
            "type", "row_id", "slug", "title", "live", "expire_at", "search_names",
            "search_size", "search_name_size",
        ).get()

    def vectors_match(row) -> bool:
        vectors = ("search_vector", "search_names_vector")
        row_vectors = type(row).objects.values_list(*vectors).get(pk=row.pk)
        return SearchEntry.objects.values_list(*vectors).get() == row_vectors

    body = {"body_region": "hip", "description": "Inflamed bursa."}
    expiry = T0 + dt.timedelta(days=1)
    first = document_create(type_=ContentType.CONDITION, author=staff["editor"],
                            data={"slug": "bursitis", "name": "Trochanteric bursitis", **body})
    assert not SearchEntry.objects.exists()  # a draft has no live row
    review_submit(revision=first, reviewer=staff["reviewer"], decision=ReviewDecision.APPROVED)
    with time_machine.travel(T0, tick=False):
        document = revision_publish(revision=first, user=staff["publisher"], expire_at=expiry)
    row = Condition.objects.get()
    assert entry() == {
        "type": "condition", "row_id": row.pk, "slug": "bursitis",
        "title": "Trochanteric bursitis", "live": True, "expire_at": expiry,
        "search_names": "Trochanteric bursitis", "search_size": 4, "search_name_size": 2,
    }
    assert vectors_match(row)

    with time_machine.travel(expiry + dt.timedelta(hours=1), tick=False):
        assert [d.slug for d in publish_due().expired] == ["bursitis"]
    assert entry()["live"] is False

    second = revision_create(document=document, author=staff["editor"], expected_revision=1,
                             data={"name": "Greater trochanteric pain syndrome", **body})
    _approve_and_publish(second, staff)
    row.refresh_from_db()
    assert {k: v for k, v in entry().items() if k in ("title", "live", "expire_at")} == {
        "title": "Greater trochanteric pain syndrome", "live": True, "expire_at": None,
    }
    assert vectors_match(row)

    document_unpublish(document=document, user=staff["publisher"])
    assert entry()["live"] is False

    Condition.objects.all().delete()
    search_entries_sync(Condition)  # a full sync also drops the entries of rows that are gone
    assert not SearchEntry.objects.exists()


@pytest.mark.skipif(connection.vendor != "postgresql",
                    reason="SearchEntry is PostgreSQL's index; SQLite reads the live rows")
def test_the_migration_fills_the_same_entries_as_publishing(db):
    fill = importlib.import_module("content.migrations.0012_search_entries").pg_fill
    ConditionFactory(slug="c", name="Hip bursitis", also_known_as=["Trochanteric bursitis"])
    WarningSignFactory(slug="w", text="You cannot put weight on your leg", live=False)
    article = ArticleFactory(slug="a", title="Hip and knee")
    SectionFactory(article=article, heading="Causes", body="<p>Weak glutes.</p>")
    columns = [f.column for f in SearchEntry._meta.concrete_fields if f.column != "id"]
    published = sorted(SearchEntry.objects.values_list(*columns))
    assert [(row[0], row[2]) for row in published] == [
        ("article", "a"), ("condition", "c"), ("warning_sign", "w"),
    ]

    SearchEntry.objects.all().delete()
    with connection.schema_editor() as schema_editor:
        fill(schema_editor)

    assert sorted(SearchEntry.objects.values_list(*columns)) == published


# --- Matching and ranking -----------------------------------------------------------------


def test_words_match_in_any_form(db):
    TreatmentFactory(slug="t", name="Gentle exercise")

    assert _found("exercises") == [("treatment", "t")]
    assert _found("exercising") == [("treatment", "t")]


def test_typos_in_names_are_forgiven_but_not_in_short_words(db):
    ConditionFactory(slug="hip-oa", name="Hip osteoarthritis")
    ConditionFactory(slug="knee", name="Knee pain")

    assert _found("osteoarthritus") == [("condition", "hip-oa")]
    assert _found("kne") == []


def test_a_typo_is_read_as_the_known_words_close_to_it_and_scored_by_the_closest(db):
    """ranking.typo_corrections: the words of the names within word similarity 0.6 of the
    typo, found by their stems, each match scoring 0.9 x its word's similarity (a typo's
    only concept here, so that is the score); the same in a list's `search=` filter."""
    ConditionFactory(slug="hip-oa", name="Hip osteoarthritis")  # 0.8: 12 of 15 trigrams
    SymptomFactory(slug="oa-knee", name="Osteoarthritic knee", description="Stiff.")  # 0.8
    TreatmentFactory(slug="osteotomy", name="Osteotomy", description="Surgery.")  # not close
    SymptomFactory(slug="prose", name="Ache", description="Hip osteoarthritis.")  # not a name

    hits = search("osteoarthritus")[0:10]
    assert [(h.type, h.slug) for h in hits] == [("condition", "hip-oa"), ("symptom", "oa-knee")]
    assert [h.score for h in hits] == pytest.approx([0.9 * 0.8, 0.9 * 0.8], rel=1e-6)
    assert word_similarity("osteoarthritus", "osteoarthritis") == pytest.approx(0.8)
    assert [c.corrections for c in query_parse("osteoarthritus").concepts] == [()]  # unread
    assert list(search_filter(Condition.objects.published(), "osteoarthritus")
                .values_list("slug", flat=True)) == ["hip-oa"]
    assert list(search_filter(Treatment.objects.published(), "osteoarthritus")) == []
    # A typo close to no known word matches nothing (and is not an error).
    assert _found("zzzyzzx") == []


def test_typo_corrections_keep_each_stem_once_at_its_best_and_drop_stop_words():
    assert typo_corrections([
        ("exercises", 0.7), ("exercise", 0.65), ("exercised", 0.62), ("about", 0.9),
        ("surgery", 0.59), ("hip", 0.6),
    ]) == (("exercis", 0.7), ("hip", 0.6))


@pytest.mark.skipif(connection.vendor != "postgresql",
                    reason="SearchWord is PostgreSQL's vocabulary; SQLite reads the names")
def test_the_vocabulary_holds_the_words_the_names_have_held_until_rebuilt(db):
    def words() -> set[str]:
        return set(SearchWord.objects.values_list("word", flat=True))

    condition = ConditionFactory(slug="c", name="Hip bursitis",
                                 also_known_as=["Trochanteric-bursitis (GTPS)"])
    assert words() == {"hip", "bursitis", "trochanteric", "gtps"}

    condition.name = "Greater trochanteric pain syndrome"
    condition.also_known_as = []
    condition.save()
    search_index_update(condition)
    assert words() == {"hip", "bursitis", "trochanteric", "gtps", "greater", "pain", "syndrome"}
    assert _found("bursitus") == []  # "bursitis" is known, but no names hold it now

    search_vocabulary_rebuild()
    assert words() == {"greater", "trochanteric", "pain", "syndrome"}

    condition.name = "Trochanteric pain"
    condition.save()
    search_index_update(condition)
    call_command("search_reindex", stdout=io.StringIO())  # rebuilds the vocabulary too
    assert words() == {"trochanteric", "pain"}

    fill = importlib.import_module("content.migrations.0019_search_words").pg_fill_words
    SearchWord.objects.all().delete()
    with connection.schema_editor() as schema_editor:
        fill(schema_editor)
    assert words() == {"trochanteric", "pain"}


def test_a_name_outranks_the_prose_and_more_words_outrank_fewer(db):
    SymptomFactory(slug="in-prose", name="Ache", description="A stiff feeling.")
    SymptomFactory(slug="in-name", name="Stiffness", description="Worse at night.")
    SymptomFactory(slug="both-words", name="Morning stiffness", description="Worse at dawn.")

    assert [s for _, s in _found("stiff")] == ["in-name", "both-words", "in-prose"]
    assert [s for _, s in _found("morning stiffness")] == ["both-words", "in-name", "in-prose"]


def test_the_title_closest_to_the_query_breaks_ties(db):
    WarningSignFactory(slug="sign", text="Hip pain that wakes you at night.")
    SymptomFactory(slug="hip-pain", name="Hip pain", description="Aching.")

    assert _found("hip pain") == [("symptom", "hip-pain"), ("warning_sign", "sign")]


def test_long_texts_count_a_matched_word_for_less(db):
    filler = " ".join(f"word{n}" for n in range(300))
    SectionFactory(article=ArticleFactory(slug="long", title="Everything", summary="All."),
                   body=f"<p>Swimming helps. {filler}</p>")
    TreatmentFactory(slug="short", name="Exercise", description="Swimming helps.")

    assert [s for _, s in _found("swimming")] == ["short", "long"]


def test_search_filter_narrows_any_live_queryset(db):
    Synonym.objects.create(name="physio", terms=["physio", "physical therapy"])
    TreatmentFactory(slug="pt", name="Physical therapy", category=TreatmentCategory.CONVENTIONAL)
    TreatmentFactory(slug="massage", name="Massage", category=TreatmentCategory.ALTERNATIVE)
    SymptomFactory(slug="s", name="Physical weakness")

    found = search_filter(Treatment.objects.published(), "physio")
    alternative = search_filter(
        Treatment.objects.published().filter(category=TreatmentCategory.ALTERNATIVE), "physio"
    )

    assert list(found.values_list("slug", flat=True)) == ["pt"]
    assert list(alternative) == []
    assert list(search_filter(Symptom.objects.published(), "can't")) == []


@pytest.mark.parametrize("model", [Article, Condition, Symptom, Treatment, WarningSign])
def test_search_filter_keeps_unpublished_rows_out(db, model):
    factory = {Article: ArticleFactory, Condition: ConditionFactory, Symptom: SymptomFactory,
               Treatment: TreatmentFactory, WarningSign: WarningSignFactory}[model]
    field = {Article: "title", WarningSign: "text"}.get(model, "name")
    factory(slug="hidden", live=False, **{field: "Hidden knee"})
    factory(slug="shown", **{field: "Shown knee"})

    found = search_filter(model.objects.published(), "knee")

    assert list(found.values_list("slug", flat=True)) == ["shown"]


def test_the_query_word_itself_outranks_a_match_only_through_a_synonym(db):
    Synonym.objects.create(name="physio", terms=["physio", "physical therapy"])
    # The synonym-only match is shorter and first by type and slug: only the word decides.
    TreatmentFactory(slug="a-synonym", name="Physical therapy", description="Exercises.")
    TreatmentFactory(slug="z-own-word", name="Physio",
                     description="Guided exercises for stiff knees and sore hips.")

    assert [s for _, s in _found("physio")] == ["z-own-word", "a-synonym"]
