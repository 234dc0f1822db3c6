"""The commune page and the zonages page state what each zone answer cannot tell: the act's
reference, its data source and export date, a newer act not yet imported, the doctors' zone
that may differ at the address; and the zonages page the acts in force on a date, with the
rural act FRR replaced."""

import datetime as dt
from html import unescape

import pytest
from django.urls import reverse

from tests.factories import ActeFactory, QpvZoneFactory, ZonageFactory

pytestmark = pytest.mark.django_db
URL = reverse("zonages:index")
EXPORT = dt.date(2025, 5, 9)
REFERENCE = "zonage ARS Île-de-France en vigueur à la date de l'export du 9 mai 2025"
REVISION = (
    "<strong>Attention :</strong> un zonage plus récent a été publié le 9 décembre 2025 ; il "
    "n'est pas encore intégré."
)
ADDRESS = "À noter : le zonage peut différer à l'adresse (quartiers prioritaires, ZIP+)."


def export_act(communes, region_code="11", **kwargs):
    """A doctors' zoning known only by its CartoSanté export, with a newer act published."""
    editeur = "ARS Île-de-France" if region_code == "11" else "ARS Grand Est"
    return ActeFactory(
        zones={"zip": communes},
        region_code=region_code,
        editeur=editeur,
        titre=f"Zonage des médecins généralistes — {editeur} (CartoSanté)",
        url="",
        date_acte=None,
        valide_du=EXPORT,
        date_export=EXPORT,
        source="ARS — CartoSanté (ATLASANTÉ), export « Zonage médecins généralistes »",
        revision_publiee="le 9 décembre 2025",
        **kwargs,
    )


def page(client, url, params=None, anchor='id="titre-zonages-commune"'):
    html = unescape(client.get(url, params).content.decode())
    return html[html.index(anchor) :]


def commune_section(client, code):
    return page(client, reverse("territoires:commune", args=[code]))


def test_commune_page_cites_the_export_its_source_and_the_newer_act(client):
    export_act(["75116"])
    section = commune_section(client, "75116")
    assert "<strong>ZIP</strong>" in section
    assert f"Zonage des médecins généralistes — ARS Île-de-France (CartoSanté) — {REFERENCE}" in (
        section
    )
    assert (
        "Données : ARS — CartoSanté (ATLASANTÉ), export « Zonage médecins généralistes », "
        "export du 9 mai 2025." in section
    )
    assert REVISION in section
    assert ADDRESS in section  # a Paris arrondissement
    assert "démonstration" not in section


def test_the_address_note_only_where_a_commune_level_answer_may_be_wrong(client):
    export_act(["93066", "77379"])
    export_act(["67482"], region_code="44")
    QpvZoneFactory(communes=["93066", "67482"])
    assert ADDRESS in commune_section(client, "93066")  # Saint-Denis holds a QPV
    assert ADDRESS not in commune_section(client, "77379")  # Provins does not
    strasbourg = commune_section(client, "67482")  # Grand Est: no ZIP+ in its arrêté
    assert "<strong>ZIP</strong>" in strasbourg and ADDRESS not in strasbourg
    # The same answer in the zonages page's "À cette adresse" box.
    box = page(client, URL, {"lieu": "93066"}, anchor='id="zones-au-point"')
    assert ADDRESS in box and REVISION in box and "export du 9 mai 2025" in box


def test_a_real_act_with_its_date_shows_neither_export_nor_demonstration(client):
    ActeFactory(zones={"zac": ["77379"]}, titre="Arrêté ARS 2022")
    section = commune_section(client, "77379")
    assert "Arrêté ARS 2022</a> — arrêté ARS Île-de-France du 31 mars 2022." in section
    assert "Données :" not in section and "Attention :" not in section
    assert "démonstration" not in section and "À noter" not in section


def test_the_landing_lists_the_acts_in_force_and_the_zrr_frr_replaced(client):
    ZonageFactory(
        rural=True, titre="Zones de revitalisation rurale (test)", editeur="ANCT",
        date_acte=dt.date(2017, 3, 16), valide_du=dt.date(2017, 7, 1),
        valide_au=dt.date(2024, 6, 30),
    )  # fmt: skip
    ZonageFactory(
        rural=True, titre="France Ruralités Revitalisation (test)", editeur="DGCL / ANCT",
        date_acte=dt.date(2025, 7, 10), valide_du=dt.date(2024, 7, 1),
    )  # fmt: skip
    export_act(["75116"])
    html = unescape(client.get(URL).content.decode())
    in_force = html[html.index('id="actes-en-vigueur"') : html.index("</table>")]
    assert "France Ruralités Revitalisation (test) — classement DGCL / ANCT du 10 juillet 2025" in (
        in_force
    )
    assert "Depuis le 1er juillet 2024" in in_force
    assert REFERENCE in in_force and REVISION in in_force and "export du 9 mai 2025" in in_force
    assert "Zones de revitalisation rurale (test)" not in in_force
    replaced = html[html.index('id="actes-remplaces"') :]
    replaced = replaced[: replaced.index("</table>")]
    assert "Zones de revitalisation rurale (test) — classement ANCT du 16 mars 2017" in replaced
    assert (
        "Du 1er juillet 2017 au 30 juin 2024 ; remplacé par « France Ruralités Revitalisation "
        "(test) » le 1er juillet 2024" in replaced
    )
    assert "démonstration" not in html


def test_the_landing_on_a_past_date_shows_the_zrr_in_force(client):
    ZonageFactory(
        rural=True, titre="Zones de revitalisation rurale (test)",
        date_acte=dt.date(2017, 3, 16), valide_du=dt.date(2017, 7, 1),
        valide_au=dt.date(2024, 6, 30),
    )  # fmt: skip
    ZonageFactory(rural=True, titre="FRR (test)", valide_du=dt.date(2024, 7, 1))
    response = client.get(URL, {"date": "2024-01-01"})
    assert response.status_code == 200
    html = unescape(response.content.decode())
    assert "Actes en vigueur le 1er janvier 2024" in html
    in_force = html[html.index('id="actes-en-vigueur"') : html.index("</table>")]
    assert "Zones de revitalisation rurale (test)" in in_force and "FRR (test)" not in in_force
    assert 'id="actes-remplaces"' not in html
    assert "Choisissez un département." not in html  # only the date is asked for


def test_the_landing_refuses_a_bad_date_in_french(client):
    response = client.get(URL, {"date": "hier"})
    assert response.status_code == 400
    assert "Date invalide : utilisez le format AAAA-MM-JJ." in response.content.decode()


def test_the_map_page_cites_its_acts_by_reference(client):
    export_act(["75116", "75118"])
    params = {"profession": "medecin-generaliste", "departement": "75"}
    html = unescape(client.get(URL, params).content.decode())
    result = html[html.index('id="resultat"') :]
    assert f"(CartoSanté) — {REFERENCE}" in result and REVISION in result
    table = result[result.index('id="tableau-zones"') :]
    assert f"<td>{REFERENCE}</td>" in table
