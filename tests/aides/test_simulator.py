"""Amount of a scale-based aid from the distance between the internship commune and the faculty."""

import pytest

from aides.models import Bareme, PalierBareme
from aides.montants import SimulationError, haversine_km, points_of, simulate
from territoires.models import Commune, Contour
from tests.factories import AideFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def bareme(db):
    scale = Bareme.objects.create(nom="Barème de test", verifie=False)
    scale.origines.set(Commune.objects.filter(code__in=["67482", "54395", "51454"]))
    for de, a, montant in ((0, 50, 600), (50, 100, 1500), (100, None, 3000)):
        PalierBareme.objects.create(bareme=scale, de=de, a=a, montant=montant)
    return scale


def test_distance_between_known_towns_is_plausible():
    # Strasbourg – Nancy: about 115 km as the crow flies.
    assert 105 < haversine_km(48.5835, 7.7479, 48.6936, 6.1846) < 125


def test_simulation_picks_the_step_of_the_distance(bareme):
    strasbourg = Commune.objects.get(code="67482")
    nancy = Commune.objects.get(code="54395")
    result = simulate(bareme, strasbourg, nancy)
    assert 100 < result.distance_km < 130
    assert result.montant == 3000
    near = Commune.objects.get(code="67218")  # Illkirch-Graffenstaden, next to Strasbourg
    assert simulate(bareme, strasbourg, near).montant == 600


def test_faculty_towns_fall_back_to_their_town_hall_without_contours(bareme):
    Contour.objects.filter(code__in=["67482", "54395"]).delete()
    points = points_of({"67482", "54395"})
    assert set(points) == {"67482", "54395"}
    with pytest.raises(SimulationError, match="n'est pas connue"):
        Contour.objects.filter(code="57463").delete()
        simulate(bareme, Commune.objects.get(code="67482"), Commune.objects.get(code="57463"))


def test_simulator_form_on_the_aid_page(client, bareme):
    AideFactory(
        slug="bourse-internes", nature_montant="bareme", bareme=bareme, montant_min=600,
        montant_max=3000, regions=["44"],
    )  # fmt: skip
    html = client.get(
        "/aides/bourse-internes/", {"faculte": "67482", "stage": "Nancy"}
    ).content.decode()
    assert "3\u202f000\u00a0€" in html
    assert "la faculté de Strasbourg" in html
    assert "Paliers non vérifiés" in html
    assert "100 km et plus" in html  # the scale as a table

    html = client.get(
        "/aides/bourse-internes/", {"faculte": "99999", "stage": "Nulle-Part-sur-Mer"}
    ).content.decode()
    assert "Sélectionnez un choix valide" in html
    assert (
        "Aucune commune ne s&#x27;appelle exactement « Nulle-Part-sur-Mer »" in html
        or "ne correspond à « Nulle-Part-sur-Mer »" in html
    )
