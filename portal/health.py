"""`/sante`: liveness probe for operations and the benchmark's ceiling (no database, no template).

`/sante?base=1` also checks that the database answers (readiness).
"""

from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache


@never_cache
def sante(request):
    if request.GET.get("base") == "1":
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1")
        except Exception:  # the probe reports the failure instead of raising it
            return JsonResponse({"statut": "base de données indisponible"}, status=503)
    return JsonResponse({"statut": "ok"})
