"""Publish every scheduled revision that is due and record expiries (run it every minute)."""

from django.core.management.base import BaseCommand

from content.services.publishing import publish_due


class Command(BaseCommand):
    help = (
        "Publish scheduled revisions whose go_live_at has come, record expiries, and report "
        "schedules that were overdue (the scheduler was not running)."
    )

    def handle(self, *args, **options):
        report = publish_due()
        for document in report.published:
            self.stdout.write(f"published {document.type}:{document.slug} "
                              f"revision {document.live_revision.number}")
        for document in report.expired:
            self.stdout.write(f"expired {document.type}:{document.slug}")
        for document, lateness in report.overdue:
            minutes = int(lateness.total_seconds() // 60)
            self.stdout.write(self.style.WARNING(
                f"OVERDUE {document.type}:{document.slug} went live {minutes} min late: "
                "is publish_scheduled running every minute?"
            ))
        self.stdout.write(
            f"{len(report.published)} published, {len(report.expired)} expired, "
            f"{len(report.overdue)} overdue."
        )
