"""The finder's verdicts cached by data version and signature of the place (aides.search):
communes with the same zones share one computation, each still named in its reasons; any
write to aids or zonings gives the next answer fresh; query counts stay constant."""

import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

import aides.search
from aides.models import Aide, ConditionZonage
from portal.lib.dataversion import bump
from territoires.models import CategorieZone, Commune, Profession, Zone, ZoneCommune
from tests.factories import AideFactory, CategorieZoneFactory, ZonageFactory, ZoneFactory

pytestmark = pytest.mark.django_db
FINDER = reverse("aides:finder")
API = "/api/v1/aides"
MEDECIN = Profession.MEDECIN_GENERALISTE


@pytest.fixture
def zip_93(db, commit):
    """Saint-Denis (93066) and Aubervilliers (93001) in one ZIP zone; Provins (77379) in ZAC.
    An aid for the ZIP, one for the ZAC (refused in Seine-Saint-Denis, saying where)."""
    zonage = ZonageFactory(profession=MEDECIN, titre="Arrêté ARS Île-de-France médecins")
    ZoneFactory(categorie=CategorieZoneFactory(zonage=zonage), communes=["93066", "93001"])
    zac = CategorieZoneFactory(
        zonage=zonage, code="zac", libelle="Zone d'action complémentaire (ZAC)", ordre=1
    )
    ZoneFactory(categorie=zac, communes=["77379"])
    AideFactory(slug="aide-zip", nom="Aide en ZIP", professions=[MEDECIN],
                conditions=[(MEDECIN, "zip")])  # fmt: skip
    AideFactory(slug="aide-zac", nom="Aide en ZAC", professions=[MEDECIN],
                conditions=[(MEDECIN, "zac")])  # fmt: skip
    commit()
    return zonage


@pytest.fixture
def computations(monkeypatch):
    """How many times the catalogue was judged."""
    calls = []
    real = aides.search.judge_place

    def counted(search, lieu, *args):
        calls.append(lieu)
        return real(search, lieu, *args)

    monkeypatch.setattr(aides.search, "judge_place", counted)
    return calls


def api(client, commune):
    params = {"commune": commune, "profession": MEDECIN, "non_applicables": "1"}
    response = client.get(API, params)
    assert response.status_code == 200
    return response.json()


def test_communes_with_the_same_zones_share_one_computation(client, zip_93, computations):
    saint_denis = api(client, "93066")
    aubervilliers = api(client, "93001")
    assert len(computations) == 1
    assert [r["slug"] for r in aubervilliers["results"]] == ["aide-zip"]
    assert aubervilliers["results"] == saint_denis["results"]
    provins = api(client, "77379")  # other zones: judged apart
    assert len(computations) == 2
    assert [r["slug"] for r in provins["results"]] == ["aide-zac"]


def test_reasons_name_the_commune_asked_for_when_the_answer_is_shared(client, zip_93, computations):
    (saint_denis,) = api(client, "93066")["non_applicables"]
    (aubervilliers,) = api(client, "93001")["non_applicables"]
    assert len(computations) == 1
    assert saint_denis["pourquoi_pas"] == [
        "Saint-Denis est en zone d'intervention prioritaire (ZIP) pour les médecins "
        "généralistes ; cette aide demande une zone ZAC (arrêté ARS Île-de-France du 31 mars 2022)"
    ]
    assert aubervilliers["pourquoi_pas"] == [
        "Aubervilliers est en zone d'intervention prioritaire (ZIP) pour les médecins "
        "généralistes ; cette aide demande une zone ZAC (arrêté ARS Île-de-France du 31 mars 2022)"
    ]
    html = client.get(FINDER, {"commune": "93001", "profession": MEDECIN}).content.decode()
    assert "Aubervilliers est en zone d&#x27;intervention" in html
    assert "Saint-Denis est en" not in html


def test_an_edit_of_an_aid_changes_the_next_answer(client, zip_93, commit):
    assert api(client, "93066")["results"][0]["nom"] == "Aide en ZIP"
    aide = Aide.objects.get(slug="aide-zip")
    aide.nom = "Aide renommée"
    aide.save()
    commit()
    assert api(client, "93066")["results"][0]["nom"] == "Aide renommée"
    ConditionZonage.objects.filter(aide=aide).update(categories="zac")
    bump()  # a bulk write bumps itself
    commit()
    assert api(client, "93066")["results"] == []


def test_an_edit_of_a_zoning_changes_the_next_answer(client, zip_93, commit):
    (result,) = api(client, "93066")["results"]
    assert result["pourquoi"] == ["ZIP — arrêté ARS Île-de-France du 31 mars 2022"]
    categorie = CategorieZone.objects.get(zonage=zip_93, code="zip")
    categorie.libelle = "Zone d'intervention renforcée (ZIR)"  # same zone ids, new wording
    categorie.save()
    commit()
    (result,) = api(client, "93066")["results"]
    assert result["pourquoi"] == ["ZIR — arrêté ARS Île-de-France du 31 mars 2022"]


def test_a_commune_named_by_an_aid_is_not_answered_for_its_neighbours(client, zip_93, commit):
    AideFactory(slug="aide-commune", nom="Aide de Saint-Denis", communes=["93066"])
    commit()
    assert "aide-commune" in [r["slug"] for r in api(client, "93066")["results"]]
    assert "aide-commune" not in [r["slug"] for r in api(client, "93001")["results"]]


def test_a_departement_no_aid_names_does_not_split_an_answer(client, zip_93, commit, computations):
    """Créteil (94) in Saint-Denis's (93) zone: one answer for both, until an aid of the
    Val-de-Marne makes the département part of what is judged."""
    zone = Zone.objects.get(categorie__zonage=zip_93, categorie__code="zip")
    ZoneCommune.objects.create(zone=zone, commune=Commune.objects.get(code="94028"))
    commit()
    assert api(client, "94028")["results"] == api(client, "93066")["results"]
    assert len(computations) == 1
    AideFactory(slug="aide-94", nom="Aide du Val-de-Marne", departements=["94"])
    commit()
    assert "aide-94" in [r["slug"] for r in api(client, "94028")["results"]]
    saint_denis = api(client, "93066")
    assert len(computations) == 3
    assert "aide-94" not in [r["slug"] for r in saint_denis["results"]]
    (refus,) = [r for r in saint_denis["non_applicables"] if r["slug"] == "aide-94"]
    assert refus["pourquoi_pas"] == [
        "aide du département Val-de-Marne (94) : Saint-Denis n'en fait pas partie"
    ]


@pytest.mark.parametrize("url", [FINDER, API])
def test_query_count_is_constant_warm_and_cold(
    client, zip_93, commit, django_assert_num_queries, url
):
    params = {"commune": "93066", "profession": MEDECIN}
    same_zones = {"commune": "93001", "profession": MEDECIN}  # another address, one signature
    client.get(url, params)  # the zone index and the locator built
    _bulk_aides(8)
    commit()
    cold = _count(client, url, params)  # a new data version: the catalogue is judged
    warm = _count(client, url, same_zones)  # the same signature: the aids read back by id
    assert cold <= 12 and warm < cold
    _bulk_aides(200, start=8)
    commit()
    for expected, query in ((cold, params), (warm, same_zones)):
        with django_assert_num_queries(expected):
            response = client.get(url, query)
        if url == API:
            assert response.json()["count"] == 209
        else:
            assert "209 aides" in response.content.decode()


def _count(client, url, params) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url, params).status_code == 200
    return len(ctx.captured_queries)


def _bulk_aides(n, start=0):
    found = Aide.objects.bulk_create(
        [
            Aide(slug=f"masse-{i}", nom=f"Aide en masse {i}", resume="R", forme="subvention",
                 nature_montant="forfait", montant_max=i, statut="publiee",
                 professions=[MEDECIN], publics=["professionnel"], etapes=["installation"])
            for i in range(start, start + n)
        ]
    )  # fmt: skip
    ConditionZonage.objects.bulk_create(
        [ConditionZonage(aide=a, profession=MEDECIN, categories="zip") for a in found]
    )
    bump()  # bulk writes send no signal


def test_zones_of_another_profession_do_not_split_a_search_for_one(
    client, zip_93, computations, commit
):
    # Aubervilliers alone is in a nurses' zone: doctors' verdicts there read nothing of it.
    nurses = ZonageFactory(profession=Profession.INFIRMIER, titre="Arrêté ARS infirmiers")
    ZoneFactory(
        categorie=CategorieZoneFactory(
            zonage=nurses, code="tres-sous-dotee", libelle="Très sous-dotée"
        ),
        communes=["93001"],
    )
    commit()
    first, second = api(client, "93066"), api(client, "93001")
    assert len(computations) == 1
    assert (
        [r["slug"] for r in first["results"]]
        == [r["slug"] for r in second["results"]]
        == ["aide-zip"]
    )
    # Without a profession, the nurses' zone may matter: Aubervilliers is judged apart.
    for commune in ("93066", "93001"):
        assert client.get(API, {"commune": commune}).status_code == 200
    assert len(computations) == 3


# --- What the page and the API make of the answers, kept per signature (aides.listing) ----

NONCE = re.compile(r'nonce="[^"]+"|nonce-[A-Za-z0-9+/=_-]+')


def _page(client, commune):
    response = client.get(FINDER, {"commune": commune, "profession": MEDECIN})
    assert response.status_code == 200
    return NONCE.sub("nonce", response.content.decode())


@pytest.mark.parametrize("url", [FINDER, API])
def test_an_answer_kept_for_the_signature_is_the_answer_computed_for_the_commune(
    client, zip_93, url
):
    """Aubervilliers after Saint-Denis (same zones) reads Saint-Denis's kept cards or JSON,
    its own name and code put in: byte for byte what it gets computed alone."""
    params = {"commune": "93001", "profession": MEDECIN, "non_applicables": "1"}
    if url == FINDER:
        params.pop("non_applicables")
    alone = client.get(url, params)
    cache.clear()
    client.get(url, {**params, "commune": "93066"})
    with CaptureQueriesContext(connection) as queries:
        shared = client.get(url, params)
    assert shared.status_code == alone.status_code == 200
    assert NONCE.sub("n", shared.content.decode()) == NONCE.sub("n", alone.content.decode())
    assert not any('"aides_aide"' in q["sql"] for q in queries.captured_queries)  # no aid read
    text = shared.content.decode()
    assert "Aubervilliers est en zone" in text and "Saint-Denis est en" not in text


def test_the_commune_put_in_a_kept_listing_is_escaped(client, zip_93, commit):
    commune = Commune.objects.get(code="93001")
    commune.nom = 'Auber<script>"x"</script>'
    commune.save()
    _page(client, "93066")  # the signature's parts kept, under the version the save moved
    html = _page(client, "93001")
    assert "<script>&quot;x&quot;" not in html and '<script>"x"' not in html
    assert "Auber&lt;script&gt;&quot;x&quot;&lt;/script&gt; est en zone" in html
    assert "?commune=93001&amp;profession=medecin-generaliste" in html  # its own links
    assert "?commune=93066" not in html
    # The zones block, kept for the zones they share, names each commune (escaped) too.
    assert "Zones à Auber&lt;script&gt;&quot;x&quot;&lt;/script&gt; au " in html
    assert "Zones en vigueur à Auber&lt;script&gt;&quot;x&quot;&lt;/script&gt; (93001)" in html
    assert "Zones à Saint-Denis" not in html and "(93066)" not in html


# --- The whole finder page kept per signature (aides.frame) ---------------------------------


@pytest.mark.parametrize(
    "extra",
    [
        {},
        {"etape": "installation", "tri": "montant", "fermees": "on"},
        {"page": "2"},  # the pagination's links carry the commune
        {"public": "etudiant", "lat": "", "lon": ""},  # nothing found: the suggestions' links
        {"date": "2026-01-15"},
    ],
)
def test_a_page_kept_for_the_signature_is_the_page_rendered_for_the_commune(
    client, zip_93, commit, extra
):
    """Aubervilliers after Saint-Denis (same zones): the page Saint-Denis left, filled with
    Aubervilliers's name and code, renders no template and is byte for byte what it gets
    alone (nonce aside)."""
    _bulk_aides(25)
    commit()
    params = {"commune": "93001", "profession": MEDECIN, **extra}
    alone = client.get(FINDER, params)
    cache.clear()
    first = client.get(FINDER, {**params, "commune": "93066"})
    shared = client.get(FINDER, params)
    assert first.templates and not shared.templates  # the frame was made, then filled
    assert shared.status_code == alone.status_code == 200
    assert NONCE.sub("n", shared.content.decode()) == NONCE.sub("n", alone.content.decode())
    assert "93066" not in shared.content.decode()
    nonce = shared.wsgi_request.csp_nonce
    assert f'nonce="{nonce}"' in shared.content.decode()  # its own nonce, as in its header
    assert f"'nonce-{nonce}'" in shared["Content-Security-Policy"]


def test_a_signature_first_met_renders_only_its_results(client, zip_93, commit):
    """Provins (other zones) after Saint-Denis, the same query: the page around the results
    is the one Saint-Denis left, only the results are rendered, and the page is byte for
    byte what Provins gets alone (nonce aside)."""
    _bulk_aides(5)
    commit()
    params = {"commune": "77379", "profession": MEDECIN, "etape": "installation"}
    alone = client.get(FINDER, params)
    cache.clear()
    client.get(FINDER, {**params, "commune": "93066"})
    other = client.get(FINDER, params)
    rendered = {template.name for template in other.templates}
    assert "aides/partials/resultats.html" in rendered
    assert not rendered & {"aides/finder.html", "base.html", "aides/partials/finder_form.html"}
    html = other.content.decode()
    assert NONCE.sub("n", html) == NONCE.sub("n", alone.content.decode())
    assert "à Provins" in html and "93066" not in html


@pytest.mark.parametrize(
    "params",
    [
        {"commune": "Aubervilliers"},  # typed, not a code: the field shows what was typed
        {"commune": "93001", "lat": "48.91", "lon": "2.38"},  # a point
        {"commune": "93001", "inconnu": "x"},  # a notice
    ],
)
def test_a_page_that_reads_more_than_the_commune_is_rendered_for_it(client, zip_93, params):
    client.get(FINDER, {**params, "commune": "93066", "profession": MEDECIN})
    response = client.get(FINDER, {**params, "profession": MEDECIN})
    assert response.templates  # rendered, not filled
    assert response.status_code == 200
    assert "Saint-Denis est en" not in response.content.decode()


def test_an_agent_sees_the_page_rendered_for_them(admin_client, client, zip_93):
    client.get(FINDER, {"commune": "93066", "profession": MEDECIN})
    response = admin_client.get(FINDER, {"commune": "93001", "profession": MEDECIN})
    assert response.templates and "Aubervilliers est en zone" in response.content.decode()
