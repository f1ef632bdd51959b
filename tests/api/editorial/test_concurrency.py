"""Optimistic concurrency under real concurrency: of N simultaneous PATCHes based on the
same revision, exactly one succeeds and the others get 412 with nothing saved."""

import threading

import pytest
from django.db import connection

from content.models import EditorialEvent, Revision
from content.services.versioning import document_create
from tests.api.editorial.conftest import PAYLOADS, token_client

WRITERS = 10


@pytest.mark.django_db(transaction=True)
def test_ten_simultaneous_writers_one_wins(editor):
    create, _ = PAYLOADS["conditions"]
    document_create(type_="condition", data=create, author=editor)
    barrier = threading.Barrier(WRITERS)
    statuses: list[int] = []
    lock = threading.Lock()

    def write(index: int) -> None:
        client = token_client(editor)
        try:
            barrier.wait(timeout=10)
            response = client.patch(
                "/api/v1/editorial/conditions/hip-bursitis/",
                {"description": f"Writer {index} was here."},
                format="json",
                HTTP_IF_MATCH='"rev-1"',
            )
            with lock:
                statuses.append(response.status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=write, args=(i,)) for i in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(statuses) == [200] + [412] * (WRITERS - 1)
    revisions = list(Revision.objects.filter(document__slug="hip-bursitis")
                     .order_by("number").values_list("number", flat=True))
    assert revisions == [1, 2]
    assert EditorialEvent.objects.filter(action="edited").count() == 1
