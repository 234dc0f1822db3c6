"""Last-Modified of the open data only moves forward: a deletion is a change too.

The attack: the newest record is deleted, Last-Modified (the newest remaining row) goes
back, and a client revalidating with If-Modified-Since gets 304 and keeps stale data.
"""

from datetime import timedelta

import pytest
from django.utils import timezone

from portal.models import DataVersion
from structures.models import ProfessionnelSoutenu, Structure

pytestmark = pytest.mark.usefixtures("demo_db")


@pytest.fixture
def newest():
    """Every public record last changed 10 minutes ago, the newest one 1 minute ago."""
    long_ago = timezone.now() - timedelta(minutes=10)
    for model in (Structure, ProfessionnelSoutenu, DataVersion):
        model.objects.update(modifie_le=long_ago)  # no signal: the setting of the scene
    structure = Structure.objects.published().filter(departement__code="93").first()
    professionnel = ProfessionnelSoutenu.objects.published().filter(departement__code="93")[0]
    recent = timezone.now() - timedelta(minutes=1)
    Structure.objects.filter(pk=structure.pk).update(modifie_le=recent)
    ProfessionnelSoutenu.objects.filter(pk=professionnel.pk).update(modifie_le=recent)
    return structure, professionnel


def revalidate(client, url, first):
    return client.get(url, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])


@pytest.mark.parametrize(
    "url",
    [
        "/donnees/structures.csv",
        "/donnees/structures.geojson",
        "/api/v1/structures?departement=93",
        "/api/v1/statistiques?region=11",
        "/bilan/par-departement.csv?region=11",
    ],
)
def test_a_deleted_structure_is_not_kept_by_if_modified_since(client, newest, url):
    structure, _ = newest
    first = client.get(url)
    assert first.status_code == 200 and first["Last-Modified"]
    assert revalidate(client, url, first).status_code == 304  # nothing changed yet
    structure.delete()
    again = revalidate(client, url, first)
    assert again.status_code == 200
    assert again["ETag"] != first["ETag"]
    assert again.content != first.content
    assert timezone.datetime.strptime(
        again["Last-Modified"], "%a, %d %b %Y %H:%M:%S GMT"
    ) > timezone.datetime.strptime(first["Last-Modified"], "%a, %d %b %Y %H:%M:%S GMT")


def test_a_deleted_professional_is_not_kept_by_if_modified_since(client, newest):
    _, professionnel = newest
    url = "/donnees/professionnels-par-commune.csv"
    first = client.get(url)
    professionnel.delete()
    again = revalidate(client, url, first)
    assert again.status_code == 200
    assert again["ETag"] != first["ETag"]


def test_a_rolled_back_change_leaves_the_version_alone(newest):
    from django.db import transaction

    before = DataVersion.objects.get().version
    structure, _ = newest
    with pytest.raises(RuntimeError), transaction.atomic():
        structure.delete()
        raise RuntimeError
    assert DataVersion.objects.get().version == before
    structure = Structure.objects.get(nom=structure.nom, commune=structure.commune)
    structure.nom = "Nouveau nom"
    structure.save()
    assert DataVersion.objects.get().version == before + 1
