"""Query counts: the digests of alerts following the same search share one answer; the
« Me prévenir » page stays within the list pages' budget."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from aides.alertes import digest
from aides.alertes.abonnements import send_digests
from aides.alertes.models import Alerte

pytestmark = pytest.mark.django_db
RECHERCHE = "commune=93066&profession=medecin-generaliste"


def _alerts(count):
    Alerte.objects.all().delete()
    for n in range(count):
        Alerte.objects.create(
            email=f"p{n}@example.test", recherche=RECHERCHE, libelle="Médecin à Saint-Denis",
            etat=Alerte.Etat.CONFIRMEE, confirmee_le=timezone.now(),
            instantane={"aides": [], "zones": [], "fermetures": []},
        )  # fmt: skip


def test_alerts_of_one_search_share_its_answer(aide_zip, smtp):
    today = digest.snapshot(digest.answer(RECHERCHE))
    _alerts(1)
    Alerte.objects.update(instantane=today)
    send_digests()  # every cache and in-process index of the answer warm
    with CaptureQueriesContext(connection) as one:
        assert send_digests() == 0
    _alerts(6)
    Alerte.objects.update(instantane=today)
    with CaptureQueriesContext(connection) as six:
        assert send_digests() == 0
    assert len(six) == len(one)


def test_the_form_page_query_count(client, aide_zip, django_assert_max_num_queries):
    client.get(reverse("alertes:creer") + "?" + RECHERCHE)  # the answer's caches
    with django_assert_max_num_queries(12):
        response = client.get(reverse("alertes:creer") + "?" + RECHERCHE)
    assert response.status_code == 200


def test_alerts_are_not_public_data(aide_zip, smtp):
    """A subscription or a digest sent leaves the public pages' caches alone."""
    from portal.lib import dataversion

    before = dataversion.current()
    _alerts(3)
    Alerte.objects.update(instantane={"aides": [], "zones": [], "fermetures": []})
    send_digests()
    assert dataversion.current() == before
