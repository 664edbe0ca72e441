"""WSGI entry point: `gunicorn arusha.wsgi`."""

import gc
import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "arusha.settings")
application = get_wsgi_application()

# Import every view now rather than on the first request, then set aside all that
# start-up made (≈ 200,000 modules, classes and functions that live as long as the
# process): a full garbage collection walks every tracked object, and walking these
# took about 100 ms on a 2-core server, paid by one request in 3 to 10 (issue 9's p95
# spikes). Objects made by requests are still collected as before.
get_resolver().url_patterns  # noqa: B018  (the attribute imports the URLconf and its views)
gc.freeze()
# A page of 300 rows makes a few hundred thousand short-lived objects: with the default
# threshold (700 allocations) the collector ran hundreds of times per request and
# promoted enough survivors to trigger full collections on every few requests. A
# larger first threshold lets a request's objects die young, freed by reference
# counting, and keeps full collections rare; cycles are still collected.
gc.set_threshold(50_000, 10, 10)
