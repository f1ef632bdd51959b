"""WSGI entry point (gunicorn hipknee_api.wsgi)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hipknee_api.settings.local")

application = get_wsgi_application()

# Parse the bundled ICD-10-CM release (about 3 s) as each worker starts, not on the first
# request that shows a clinical code (content/codes.py).
from content.codes import icd10cm_load  # noqa: E402

icd10cm_load()
