"""Results to keep: a finder result by e-mail (rate-limited, address kept nowhere), printed."""

import pytest
from django.core import mail
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from aides.models import Aide
from aides.resultats.views import PER_ADDRESS, PER_CLIENT
from territoires.models import Commune

pytestmark = pytest.mark.django_db
FINDER = reverse("aides:finder")
SEND = reverse("aides:resultats_courriel") + "?commune=93066&profession=medecin-generaliste"


def send(client, address, **extra):
    return client.post(SEND, {"courriel": address}, **extra)


def test_the_result_page_offers_to_print_and_to_send_the_list(client, aides):
    content = client.get(
        FINDER, {"commune": "93066", "profession": "medecin-generaliste"}
    ).content.decode()
    assert "data-imprimer" in content and ">Imprimer</button>" in content
    link = 'href="/aides/resultats/courriel/?commune=93066&amp;profession=medecin-generaliste"'
    assert link in content and "Recevoir cette liste par courriel</a>" in content
    # The form is on its own page: the result page sets no cookie (the page cache keeps it).
    assert 'name="csrfmiddlewaretoken"' not in content
    form = client.get(SEND).content.decode()
    assert 'name="csrfmiddlewaretoken"' in form and 'name="courriel"' in form


def test_the_list_arrives_by_email_with_its_place_date_and_reasons(client, aides):
    response = send(client, "Interne@Example.org")
    assert response.status_code == 200
    assert "Liste envoyée" in response.content.decode()
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["Interne@Example.org"]
    assert message.subject.startswith("2 aides à l'installation à Saint-Denis, au ")
    text = message.body
    assert "Aide aux médecins en ZIP" in text and "Aide de la région" in text
    assert "Pourquoi elle s'applique :" in text
    assert "ZIP — arrêté ARS Île-de-France du 31 mars 2022" in text
    assert "http://testserver/aides/aide-zip/?commune=93066&profession=medecin-generaliste" in (
        text
    )
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    assert "<li>" in html and "Aide aux médecins en ZIP" in html


def test_hostile_names_are_text_in_the_message_and_the_subject_has_one_line(client, aides):
    Aide.objects.filter(slug="aide-zip").update(nom='<img src=x onerror="alert(1)">')
    Commune.objects.filter(code="93066").update(nom="Saint-Denis\r\nBcc: victime@example.org")
    send(client, "interne@example.org")
    message = mail.outbox[0]
    assert "\n" not in message.subject and "\r" not in message.subject
    assert message.bcc == [] and "Bcc" not in str(message.message()["Bcc"] or "")
    html = message.alternatives[0][0]
    assert "<img src=x" not in html
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in html


def test_a_bad_address_is_refused_in_french_and_nothing_is_sent(client, aides):
    response = send(client, "pas-une-adresse")
    assert response.status_code == 400
    assert "Saisissez une adresse électronique valide" in response.content.decode()
    assert mail.outbox == []


def test_the_address_is_kept_nowhere(client, aides):
    send(client, "interne@example.org")
    stored = " ".join(f"{key} {value!r}" for key, value in cache._cache.items())
    assert "interne@example.org" not in stored and "interne" not in stored


def test_sending_is_limited_per_address_with_a_french_429(client, aides):
    for _ in range(PER_ADDRESS):
        assert send(client, "interne@example.org").status_code == 200
    refused = send(client, "INTERNE@example.org")  # the same address, other capitals
    assert refused.status_code == 429
    assert "Trop de listes ont été demandées" in refused.content.decode()
    assert len(mail.outbox) == PER_ADDRESS
    other = send(client, "autre@example.org")
    assert other.status_code == 200  # another address from the same client still may


def test_sending_is_limited_per_client_address(client, aides):
    for index in range(PER_CLIENT):
        assert send(client, f"personne{index}@example.org").status_code == 200
    assert send(client, "encore@example.org").status_code == 429
    elsewhere = send(client, "encore@example.org", REMOTE_ADDR="192.0.2.7")
    assert elsewhere.status_code == 200
    assert len(mail.outbox) == PER_CLIENT + 1


def test_a_post_without_csrf_token_is_refused(aides):
    response = Client(enforce_csrf_checks=True).post(SEND, {"courriel": "interne@example.org"})
    assert response.status_code == 403
    assert mail.outbox == []


def test_the_form_page_answers_a_get(client, aides):
    response = client.get(SEND)
    assert response.status_code == 200
    assert "2 aides à Saint-Denis" in response.content.decode()
