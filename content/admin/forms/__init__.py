"""The admin's forms, by concern; nothing here writes (the admin passes what they hold to the
services).

- `fields`: the field and widget helpers every form uses (CRLF-free text, a fast <select>).
- `types`: one form per content type for a snapshot's own fields (`SNAPSHOT_FORMS`).
- `sections`: an article's sections, each with a nested formset of items, reorderable by
  position fields and with blank rows to add more.
- `editor`: `SnapshotEditor` turns the latest revision's snapshot into those forms and a valid
  submission back into snapshot data. The forms check only their own shape; the content rules
  (plain text vs sanitised HTML, allowed item groups, references) stay in
  `content.snapshots.snapshot_normalise`, whose errors `SnapshotEditor.errors_apply` puts back
  on the fields they name.
- `workflow`: submit for review, review, publish or schedule, revert.
"""
