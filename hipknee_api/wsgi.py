"""WSGI entry point (gunicorn hipknee_api.wsgi)."""

import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hipknee_api.settings.local")

application = get_wsgi_application()

# Read the bundled ICD-10-CM release (about 2 s) as each worker starts, not on the first
# request that shows a clinical code (content/codes.py).
from content.codes import icd10cm_load  # noqa: E402

icd10cm_load()

# What the worker has built by now (Django's registries, the URL conf, the code set's table)
# lives as long as the worker: moved out of the collector's reach, a full collection no
# longer walks it (about 75 ms each time, during which the worker answers no one).
gc.collect()
gc.freeze()
