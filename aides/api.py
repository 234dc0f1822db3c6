"""`GET /api/v1/aides`: the finder's search as JSON. Bad parameters give a 400 in French."""

from django.http import JsonResponse
from django.views.decorators.http import require_GET

from aides.search import as_json, run

MAX_RESULTS = 200


@require_GET
def aides(request):
    result = run(request.GET)
    errors = result.search.errors
    if errors:
        return JsonResponse(
            {
                "erreur": "Paramètres invalides : corrigez-les ou retirez-les.",
                "details": errors,
            },
            status=400,
            json_dumps_params={"ensure_ascii": False},
        )
    body = {
        "count": result.count,
        "date": result.search.date.isoformat(),
        "lieu": _lieu(result.lieu),
        "avertissements": result.notices,
        "results": [as_json(r, request) for r in result.results[:MAX_RESULTS]],
    }
    return JsonResponse(body, json_dumps_params={"ensure_ascii": False})


def _lieu(lieu):
    if not lieu.connu:
        return None
    commune = lieu.commune
    return {
        "commune": {"code": commune.code, "nom": commune.nom} if commune else None,
        "lat": lieu.lat,
        "lon": lieu.lon,
    }
