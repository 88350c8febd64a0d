"""`/healthz` for load balancers and monitors: is the database reachable, is a worker alive?

200 when the database answers a trivial query, 503 when it does not. The age of the freshest
task worker heartbeat (workbench.worker) is reported; when HEALTHZ_WORKER_MAX_AGE_SECONDS is set,
a heartbeat older than that, or none at all, is a 503 too. No login, session or CSRF: the view
reads two rows at most, and says nothing a stranger could use.
"""

from django.conf import settings
from django.db import DatabaseError, connection
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from workbench.worker import last_heartbeat


@never_cache
@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        heartbeat = last_heartbeat()
    except DatabaseError:
        return JsonResponse(
            {
                "status": "fail",
                "database": "unreachable",
                "worker_heartbeat_age_seconds": None,
                "worker_max_age_seconds": settings.HEALTHZ_WORKER_MAX_AGE_SECONDS,
            },
            status=503,
        )
    age = None if heartbeat is None else round((timezone.now() - heartbeat).total_seconds(), 1)
    max_age = settings.HEALTHZ_WORKER_MAX_AGE_SECONDS  # None: the worker is reported, not checked
    healthy = max_age is None or (age is not None and age <= max_age)
    return JsonResponse(
        {
            "status": "ok" if healthy else "fail",
            "database": "ok",
            "worker_heartbeat_age_seconds": age,  # None: no worker is running
            "worker_max_age_seconds": max_age,
        },
        status=200 if healthy else 503,
    )
