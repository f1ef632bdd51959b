"""publish_scheduled: publishes what is due, records expiries, reports overdue schedules."""

import datetime as dt
import io

import pytest
import time_machine
from django.core.management import call_command

from content.choices import ReviewDecision, Role
from content.services.publishing import revision_publish
from content.services.reviews import review_submit
from content.services.versioning import document_create
from tests.factories import UserFactory

T0 = dt.datetime(2026, 6, 1, 7, 0, tzinfo=dt.UTC)


@pytest.mark.django_db
def test_publish_scheduled_output_names_what_it_did_and_what_was_late():
    editor, reviewer, publisher = (UserFactory(username=n, roles=[r]) for n, r in (
        ("e", Role.EDITORS), ("r", Role.MEDICAL_REVIEWERS), ("p", Role.PUBLISHERS)))
    for slug, hours in (("on-time", 1), ("late", -1)):
        revision = document_create(type_="symptom", author=editor, data={
            "slug": slug, "name": slug, "description": "d", "frequency": "common"})
        review_submit(revision=revision, reviewer=reviewer, decision=ReviewDecision.APPROVED)
        with time_machine.travel(T0 - dt.timedelta(hours=4), tick=False):
            revision_publish(revision=revision, user=publisher,
                             go_live_at=T0 - dt.timedelta(hours=2) + dt.timedelta(hours=hours),
                             expire_at=T0 + dt.timedelta(days=1))

    out = io.StringIO()
    with time_machine.travel(T0 - dt.timedelta(minutes=59, seconds=30), tick=False):
        call_command("publish_scheduled", stdout=out)
    assert out.getvalue().splitlines() == [
        "published symptom:late revision 1",
        "published symptom:on-time revision 1",
        "OVERDUE symptom:late went live 120 min late: is publish_scheduled running every minute?",
        "2 published, 0 expired, 1 overdue.",
    ]

    out = io.StringIO()
    with time_machine.travel(T0 + dt.timedelta(days=1, minutes=1), tick=False):
        call_command("publish_scheduled", stdout=out)
    assert out.getvalue().splitlines() == [
        "expired symptom:late",
        "expired symptom:on-time",
        "0 published, 2 expired, 0 overdue.",
    ]
