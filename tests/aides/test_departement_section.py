"""Aids of the territoires département page: judged commune by commune, as the finder does."""

import datetime as dt

import pytest
from django.urls import reverse

from aides.models import Aide, ConditionZonage
from territoires.models import CategorieZone, Commune, Profession, Region, Zonage, Zone, ZoneCommune

pytestmark = pytest.mark.django_db


@pytest.fixture
def zip_in_77(settings):
    """Doctors' ZIP on one commune of Seine-et-Marne, not on Provins (77379)."""
    settings.MAP_TILES = "none"
    zonage = Zonage.objects.create(
        kind="ars", profession=Profession.MEDECIN_GENERALISTE, region=Region.objects.get(code="11"),
        titre="Arrêté de test", editeur="ARS Île-de-France", date_acte=dt.date(2022, 3, 31),
        valide_du=dt.date(2022, 3, 31), url="https://example.test/arrete",
    )  # fmt: skip
    categorie = CategorieZone.objects.create(
        zonage=zonage, code="zip", libelle="Zone d'intervention prioritaire (ZIP)", ordre=0
    )
    other = Commune.objects.communes().filter(departement__code="77").exclude(code="77379").first()
    zone = Zone.objects.create(zonage=zonage, categorie=categorie)
    ZoneCommune.objects.create(zone=zone, commune=other)
    return other


def zip_aid(slug, commune):
    aide = Aide.objects.create(
        slug=slug, nom=f"Aide {slug}", statut="publiee", resume="Résumé.", forme="subvention",
        nature_montant="plafond", montant_max=1000, publics=["professionnel"],
        etapes=["installation"], professions=["medecin-generaliste"],
        url_officielle="https://example.test/aide",
    )  # fmt: skip
    aide.communes.set([commune])
    ConditionZonage.objects.create(aide=aide, profession="medecin-generaliste", categories="zip")
    return aide


def departement_section(client, code):
    html = client.get(reverse("territoires:departement", args=[code])).content.decode()
    section = html[html.index('id="aides-departement"') :]
    return section[: section.index("</section>")]


def finder(client, commune):
    """The finder's results, without its collapsed list of the aids that do not apply."""
    params = {"commune": commune.code, "profession": "medecin-generaliste"}
    html = client.get(reverse("aides:finder"), params).content.decode()
    return html.split('class="fr-accordion')[0]


def test_an_aid_of_a_commune_outside_the_zone_is_not_listed_for_the_departement(client, zip_in_77):
    provins = Commune.objects.get(code="77379")
    aide = zip_aid("provins-en-zip", provins)
    # The ZIP lies elsewhere in the département: the finder refuses the aid at Provins…
    assert aide.nom not in finder(client, provins)
    # …and the département page agrees.
    assert aide.get_absolute_url() not in departement_section(client, "77")


def test_an_aid_of_a_commune_in_the_zone_is_listed_with_its_zones(client, zip_in_77):
    aide = zip_aid("commune-en-zip", zip_in_77)
    assert aide.nom in finder(client, zip_in_77)
    section = departement_section(client, "77")
    assert aide.get_absolute_url() in section
    assert "dans certaines zones : ZIP" in section
