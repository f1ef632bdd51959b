"""Recompute the search index of every live row (after changing how rows are indexed)."""

from django.core.management.base import BaseCommand

from content.search import search_index_rebuild


class Command(BaseCommand):
    help = (
        "Recompute the search index (search_names, search_body and, on PostgreSQL, "
        "search_vector and the typo vocabulary) of every row of the live tables. Publishing "
        "keeps it current; run this after changing the indexing rules "
        "(content/search/indexing.py), or to drop from the vocabulary the words of rows "
        "since gone."
    )

    def handle(self, *args, **options):
        total = search_index_rebuild()
        self.stdout.write(f"Search index: {total} row(s) indexed.")
