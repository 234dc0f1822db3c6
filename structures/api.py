"""`/api/v1/statistiques` and `/api/v1/structures`: the bilan and the published structures.

The answers are those of the bilan page (structures.stats) and of the downloads
(structures.opendata); the filters those of the maps (structures.filters), with their French
messages. Last-Modified comes from the `condition` decorators, ETag and the licence link from
portal.opendata's middleware.
"""

import datetime as dt
from typing import Annotated, Literal

from django.views.decorators.http import condition
from ninja import Path, Query, Router
from ninja.decorators import decorate_view
from pydantic import WithJsonSchema

from aides.choices import TypeStructure
from portal.lib import secret
from portal.lib.opendata import LICENCE
from portal.lib.responses import (
    bad_request,
    first_errors,
    json_response,
    known_params,
    not_found,
)
from portal.lib.schemas import (
    GEOJSON,
    INTEGER,
    Erreur,
    Licence,
    Reference,
    Strict,
    accepts,
    accepts_many,
    enum,
    example,
    param,
)
from structures import stats
from structures.choices import Statut
from structures.filters import PAGE_SIZE, PAGE_SIZE_MAX, OpenDataStructureFilter, PageForm
from structures.models import Structure
from structures.opendata import (
    as_feature,
    bilan_modified,
    feature_collection,
    structure_records,
    structures_modified,
)
from territoires.api import RegionQuery
from territoires.forms import RegionForm

router = Router(tags=["Structures soutenues"])

OUI_NON = {"type": "string", "enum": ["oui", "non"]}
LINK = {"anyOf": [{"type": "string", "format": "uri"}, {"type": "null"}]}
# null: statistical secret (portal.lib.secret), said in "secret_statistique".
Secret = int | None


class StructureQuery(Strict):
    """The FilterSet's parameters, in its order (the 400 for an unknown one lists them)."""

    type: accepts_many(enum(TypeStructure)) = param(
        "Type de structure (répétable).", example="msp", default=[]
    )
    statut: accepts_many(enum(Statut)) = param(
        "Statut du projet (répétable).", example="ouvert", default=[]
    )
    annee_min: accepts(INTEGER) = param("Année de décision minimale.", example=2020)
    annee_max: accepts(INTEGER) = param("Année de décision maximale (incluse).", example=2024)
    region: accepts() = param(
        "Code INSEE de la région (11 Île-de-France, 44 Grand Est).", example="11"
    )
    departement: accepts() = param("Code INSEE du département.", example="93")
    commune: accepts() = param("Code INSEE de la commune.", example="93066")
    qpv: accepts(OUI_NON) = param("En quartier prioritaire : oui ou non.")
    rurale: accepts(OUI_NON) = param("En zone rurale : oui ou non.")


class StructurePageQuery(StructureQuery):
    """The filters, then the page (structures.filters.PageForm)."""

    page: accepts(INTEGER) = param(
        "Numéro de page, à partir de 1 (défaut 1). Une page au-delà de la dernière est une "
        "erreur 400 ; la page 1 d'une sélection vide est une collection vide.",
        example=2,
    )
    par_page: accepts(INTEGER) = param(
        f"Structures par page, de 1 à {PAGE_SIZE_MAX} (défaut {PAGE_SIZE}).", example=PAGE_SIZE
    )


class StructureStats(Strict):
    total: int
    par_type: dict[str, int]
    par_statut: dict[str, int]
    montant: float


class ProfessionnelStats(Strict):
    total: Secret
    par_profession: dict[str, Secret]
    montant: float | None


class AnneeStats(Strict):
    annee: int | None
    structures: int
    professionnels: Secret
    montant: float | None


class SecretStatistique(Strict):
    seuil: int
    cellules_masquees: int
    regle: str


class Statistiques(Strict):
    region: Reference | None
    structures: StructureStats
    professionnels: ProfessionnelStats
    par_departement: dict[str, Secret]
    en_qpv: Secret
    en_zone_rurale: Secret
    montant_total: float | None
    par_annee: list[AnneeStats]
    secret_statistique: SecretStatistique
    demonstration: bool
    mise_a_jour: dt.datetime | None
    licence: Licence


class StructureProperties(Strict):
    id: int
    nom: str
    type: Literal[tuple(TypeStructure.values)]
    type_libelle: str
    statut: Literal[tuple(Statut.values)]
    statut_libelle: str
    commune_code: str | None
    commune_nom: str | None
    departement: str | None
    region: str
    aides: list[str]
    aides_noms: list[str]
    montant_accorde: float | None
    date_decision: dt.date | None
    annee: int | None
    en_qpv: bool
    qpv_code: str | None
    qpv_nom: str | None
    en_zone_rurale: bool
    professionnels: dict[str, int]
    demonstration: bool


class Point(Strict):
    type: Literal["Point"]
    coordinates: list[float]


class StructureFeature(Strict):
    type: Literal["Feature"]
    id: int
    geometry: Point | None
    properties: StructureProperties
    licence: Licence | None = None  # on the detail, not in a collection


class StructureCollection(Strict):
    type: Literal["FeatureCollection"]
    licence: Licence
    mise_a_jour: dt.datetime | None
    nombre: int  # every structure of the selection, on all pages
    page: int
    pages: int
    par_page: int
    suivant: Annotated[str | None, WithJsonSchema(LINK)]
    precedent: Annotated[str | None, WithJsonSchema(LINK)]
    features: list[StructureFeature]


@router.get(
    "/statistiques",
    url_name="api_statistiques",
    response={200: Statistiques, 400: Erreur},
    summary="Bilan chiffré",
    description=(
        "Les chiffres du bilan calculés à partir des structures et professionnels publiés : "
        "structures par type, professionnels par profession, par département (structures + "
        "professionnels), en QPV, en zone rurale, montants, par année. "
        + secret.rule_text()
        + " Les cases masquées valent null ; « secret_statistique » donne le seuil et le "
        "nombre de cases masquées."
    ),
    openapi_extra=example("/api/v1/statistiques?region=11"),
)
@decorate_view(known_params(*RegionQuery.model_fields))
@decorate_view(condition(last_modified_func=bilan_modified))
def statistiques(request, query: Query[RegionQuery]):
    form = RegionForm(request.GET)
    if not form.is_valid():
        return bad_request(first_errors(form))
    bilan = stats.compute(form.cleaned_data["region"])
    return json_response({**bilan.as_json(), "licence": LICENCE})


@router.get(
    "/structures",
    url_name="api_structures",
    response={200: StructureCollection, 400: Erreur},
    summary="Structures soutenues (GeoJSON)",
    description=(
        "Les structures soutenues publiées, en FeatureCollection GeoJSON (WGS84, coordonnées "
        "arrondies à 4 décimales), par ordre d'identifiant. Sans adresse ni donnée "
        f"personnelle. Réponse paginée : {PAGE_SIZE} structures par page (jusqu'à "
        f"{PAGE_SIZE_MAX} avec « par_page ») ; « nombre » compte toute la sélection, "
        "« pages » les pages, « suivant » et « precedent » donnent l'adresse complète des "
        "pages voisines (null au bout), filtres conservés. Toutes les structures d'un coup : "
        "le téléchargement GeoJSON ou CSV de la page Données."
    ),
    openapi_extra=example("/api/v1/structures?departement=93&type=msp", media=GEOJSON),
)
@decorate_view(known_params(*StructurePageQuery.model_fields))
@decorate_view(condition(last_modified_func=structures_modified))
def structures(request, query: Query[StructurePageQuery]):
    filterset = OpenDataStructureFilter(request.GET, queryset=Structure.objects.published())
    pages = PageForm(request.GET)
    if not (filterset.is_valid() and pages.is_valid()):
        return bad_request(first_errors(filterset, pages))
    number, size = pages.cleaned_page()
    selection = filterset.qs.order_by("pk")
    total = selection.count()
    last = max(1, -(-total // size))
    if number > last:
        return bad_request({"page": [f"Page inexistante : la dernière page est la page {last}."]})
    ids = list(selection.values_list("pk", flat=True)[(number - 1) * size : number * size])
    # The page's bounds on the filtered selection: no list of identifiers in the query.
    page = selection.filter(pk__gte=ids[0], pk__lte=ids[-1]) if ids else selection.none()
    body = feature_collection(structure_records(page), structures_modified(request))
    features = body.pop("features")  # after the paging keys, as the description lists them
    body.update(
        nombre=total,
        page=number,
        pages=last,
        par_page=size,
        suivant=_page_link(request, number + 1) if number < last else None,
        precedent=_page_link(request, number - 1) if number > 1 else None,
        features=features,
    )
    return json_response(body, content_type=GEOJSON)


def _page_link(request, number: int) -> str:
    """The absolute address of another page, with the same filters."""
    params = request.GET.copy()
    params["page"] = str(number)
    return request.build_absolute_uri(f"{request.path}?{params.urlencode()}")


@router.get(
    "/structures/{int:id}",
    url_name="api_structure",
    response={200: StructureFeature, 400: Erreur, 404: Erreur},
    summary="Une structure soutenue",
    description="Une structure publiée, en Feature GeoJSON.",
    openapi_extra=example(media=GEOJSON),
)
@decorate_view(known_params())
@decorate_view(condition(last_modified_func=structures_modified))
def structure(request, id: int = Path(..., description="Identifiant de la structure.")):
    records = structure_records(Structure.objects.published().filter(pk=id))
    if not records:
        return not_found("Aucune structure publiée ne porte cet identifiant.")
    return json_response({**as_feature(records[0]), "licence": LICENCE}, content_type=GEOJSON)
