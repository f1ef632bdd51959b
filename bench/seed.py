"""Generated content for `make bench`: articles and entities shaped like the seed article.

Run by bench/run.py after `migrate` and `load_seed_content`, with the bench's environment
(DJANGO_SETTINGS_MODULE, DATABASE_URL). Writes live rows in bulk, as if each had been published
(the publishing services would take minutes for thousands of items), then builds the search
index. Deterministic: the same arguments give the same content.

    python bench/seed.py --articles 200 --entities 3000
"""

import argparse
import datetime as dt
import hashlib
import os
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hipknee_api.settings.local")

import django  # noqa: E402

django.setup()

from django.db import transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from content.choices import (  # noqa: E402
    HEALTH_ASPECT_OF_KIND,
    BodyRegion,
    ContentType,
    EditorialStatus,
    SectionKind,
    SymptomFrequency,
    TreatmentCategory,
    Urgency,
)
from content.models import (  # noqa: E402
    Article,
    Cause,
    Condition,
    Document,
    Section,
    SectionItem,
    Symptom,
    Treatment,
    WarningSign,
)
from content.search import search_index_rebuild  # noqa: E402

WORDS = [
    "hip", "knee", "joint", "pain", "stiffness", "swelling", "cartilage", "tendon", "ligament",
    "muscle", "gait", "posture", "alignment", "inflammation", "bursa", "labrum", "femur",
    "pelvis", "patella", "quadriceps", "gluteal", "hamstring", "flexor", "rotation", "load",
    "stress", "walking", "running", "stairs", "recovery", "rest", "exercise", "therapy",
    "strength", "balance", "mobility", "range", "motion", "ache", "sharp", "dull", "morning",
    "evening", "activity", "weight", "support", "brace", "ice", "heat", "physiotherapy",
    "assessment", "imaging", "diagnosis", "treatment", "symptom", "cause",
]

#: Item groups of each section kind, with the sentence introducing each group.
GROUPS = {
    SectionKind.INTRODUCTION: ["why_it_matters"],
    SectionKind.CAUSES: ["causes"],
    SectionKind.SYMPTOMS: ["common", "less_common"],
    SectionKind.WHEN_TO_SEE_A_DOCTOR: ["see_a_doctor", "immediate"],
    SectionKind.TREATMENT: ["conventional", "alternative", "home_remedy"],
    SectionKind.RECOVERY: ["rehabilitation", "tips"],
    SectionKind.CONCLUSION: ["next_steps"],
}
#: The entity type a section's items link to, if any.
LINKS = {
    SectionKind.CAUSES: "cause",
    SectionKind.SYMPTOMS: "symptom",
    SectionKind.WHEN_TO_SEE_A_DOCTOR: "warning_sign",
    SectionKind.TREATMENT: "treatment",
}
TIMELINE = [
    {"phase": "initial", "min": 4, "max": 6, "unit": "week"},
    {"phase": "full", "min": 3, "max": 6, "unit": "month"},
]


class Writer:
    def __init__(self, seed: int) -> None:
        self.random = random.Random(seed)
        self.now = timezone.now()

    def words(self, low: int, high: int) -> str:
        return " ".join(self.random.choice(WORDS) for _ in range(self.random.randint(low, high)))

    def sentence(self, low: int = 8, high: int = 22) -> str:
        return self.words(low, high).capitalize() + "."

    def paragraph(self, sentences: int) -> str:
        return " ".join(self.sentence() for _ in range(sentences))

    def common(self, slug: str, type_: str) -> dict:
        reviewed = self.random.random() < 0.8
        return {
            "slug": slug,
            "document": Document(
                type=type_, slug=slug, status=EditorialStatus.PUBLISHED,
                first_published_at=self.now, last_published_at=self.now,
            ),
            "live": True,
            "version": self.random.randint(1, 6),
            "content_hash": hashlib.sha256(slug.encode()).hexdigest(),
            "updated_at": self.now - dt.timedelta(days=self.random.randint(0, 400)),
            "first_published_at": self.now - dt.timedelta(days=500),
            "last_reviewed": (self.now - dt.timedelta(days=30)).date() if reviewed else None,
            "next_review_due": (self.now + dt.timedelta(days=400)).date() if reviewed else None,
            "reviewed_by_name": "Dr Jane Example" if reviewed else "",
            "reviewed_by_credentials": "MBBS, FRCP" if reviewed else "",
        }


def _save(model, rows: list[dict]) -> list:
    """Bulk-create the documents, then the live rows pointing at them."""
    documents = Document.objects.bulk_create([row.pop("document") for row in rows])
    return model.objects.bulk_create(
        [model(document=document, **row) for document, row in zip(documents, rows, strict=True)]
    )


@transaction.atomic
def seed(articles: int, entities: int) -> dict:
    w = Writer(seed=20260301)
    share = {"condition": 0.15, "cause": 0.15, "symptom": 0.35, "warning_sign": 0.15,
             "treatment": 0.20}
    counts = {type_: int(entities * part) for type_, part in share.items()}

    conditions = _save(Condition, [
        {**w.common(f"bench-condition-{n}", ContentType.CONDITION),
         "name": f"Bench condition {n}", "also_known_as": [w.words(2, 3)],
         "body_region": w.random.choice(BodyRegion.values), "description": w.paragraph(3)}
        for n in range(counts["condition"])
    ])
    causes = _save(Cause, [
        {**w.common(f"bench-cause-{n}", ContentType.CAUSE),
         "name": f"Bench cause {n}", "description": w.paragraph(3)}
        for n in range(counts["cause"])
    ])
    Cause.conditions.through.objects.bulk_create([
        Cause.conditions.through(cause=cause, condition=condition)
        for cause in causes
        for condition in w.random.sample(conditions, w.random.randint(1, 3))
    ])
    symptoms = _save(Symptom, [
        {**w.common(f"bench-symptom-{n}", ContentType.SYMPTOM),
         "name": f"Bench symptom {n}", "description": w.paragraph(2),
         "frequency": w.random.choice(SymptomFrequency.values)}
        for n in range(counts["symptom"])
    ])
    warning_signs = _save(WarningSign, [
        {**w.common(f"bench-warning-sign-{n}", ContentType.WARNING_SIGN),
         "text": w.sentence(10, 20), "urgency": w.random.choice(Urgency.values)}
        for n in range(counts["warning_sign"])
    ])
    treatments = _save(Treatment, [
        {**w.common(f"bench-treatment-{n}", ContentType.TREATMENT),
         "name": f"Bench treatment {n}", "description": w.paragraph(3),
         "category": w.random.choice(TreatmentCategory.values),
         "examples": [w.words(1, 2) for _ in range(w.random.randint(0, 3))],
         "caution": w.sentence() if w.random.random() < 0.3 else None}
        for n in range(counts["treatment"])
    ])
    targets = {"cause": causes, "symptom": symptoms, "warning_sign": warning_signs,
               "treatment": treatments}

    rows = _save(Article, [
        {**w.common(f"bench-article-{n:03d}", ContentType.ARTICLE),
         "title": f"Bench article {n:03d}: {w.words(3, 6)}", "summary": w.paragraph(2),
         "language": "en"}
        for n in range(articles)
    ])
    Article.conditions.through.objects.bulk_create([
        Article.conditions.through(article=article, condition=condition)
        for article in rows
        for condition in w.random.sample(conditions, w.random.randint(2, 5))
    ])
    sections = Section.objects.bulk_create([
        Section(
            article=article, kind=kind, heading=kind.label, position=position,
            health_aspect=HEALTH_ASPECT_OF_KIND[kind],
            body="".join(f"<p>{w.paragraph(4)}</p>" for _ in range(w.random.randint(1, 3))),
            groups=[{"group": g, "heading": w.sentence(5, 10)} for g in GROUPS[kind]],
            timeline=TIMELINE if kind == SectionKind.RECOVERY else None,
        )
        for article in rows
        for position, kind in enumerate(SectionKind, start=1)
    ])
    items = []
    for section in sections:
        link = LINKS.get(section.kind)
        for position in range(1, w.random.randint(3, 8) + 1):
            entity = {}
            if link and w.random.random() < 0.8:
                entity[link] = w.random.choice(targets[link])
            items.append(SectionItem(
                section=section, position=position,
                group=w.random.choice(GROUPS[section.kind]),
                title=w.words(2, 4).title() if w.random.random() < 0.6 else None,
                text=w.paragraph(2), **entity,
            ))
    SectionItem.objects.bulk_create(items, batch_size=2000)
    indexed = search_index_rebuild()
    return {"articles": len(rows), "entities": sum(counts.values()), "sections": len(sections),
            "items": len(items), "indexed": indexed}


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=200)
    parser.add_argument("--entities", type=int, default=3000)
    arguments = parser.parse_args()
    print(seed(arguments.articles, arguments.entities))
