"""Site-wide template context, built without any database query."""

from types import SimpleNamespace

from django.conf import settings
from django.urls import reverse

SITE_TITLE = "Portail de l'accès aux soins"
SITE_TAGLINE = (
    "Aides à l'installation et à l'exercice des professionnels de santé dans les territoires"
)

# (label, url name, path prefix that marks the item as current)
MAIN_MENU = [
    ("Accueil", "portal:home", None),
    ("Trouver une aide", "aides:finder", "/aides/"),
    ("Où m'installer ?", "aides:ou_minstaller", "/aides/ou-minstaller/"),
    ("Zonages", "zonages:index", "/zonages/"),
    ("Carte des structures", "structures:carte", "/carte/"),
    ("Bilan", "structures:bilan", "/bilan/"),
    ("Données ouvertes", "portal:donnees", "/donnees/"),
]


def _menu(path: str) -> list[dict]:
    items = []
    for label, url_name, prefix in MAIN_MENU:
        url = reverse(url_name)
        current = path == url if prefix is None else path.startswith(prefix)
        items.append({"label": label, "url": url, "current": current, "prefix": prefix or ""})
    # One current item: the longest prefix (/aides/ou-minstaller/ is not "Trouver une aide").
    longest = max((item["prefix"] for item in items if item["current"]), key=len, default="")
    for item in items:
        item["current"] = item["current"] and item["prefix"] == longest
    return items


def site(request):
    """DSFR site configuration as constants: django-dsfr's own processor costs a query a page."""
    config = SimpleNamespace(
        site_title=SITE_TITLE,
        site_tagline=SITE_TAGLINE,
        header_brand_html="Région<br>Île-de-France<br>Grand Est",
        footer_brand_html="République<br>française",
        footer_description=(
            "Un service des Régions Île-de-France et Grand Est et de leurs partenaires "
            "(ARS, Assurance Maladie, État, collectivités) pour l'accès aux soins."
        ),
        beta_tag=True,
        mourning=False,
        notice_title="",
        notice_description="",
        accessibility_status="PART",
    )
    return {
        "SITE_CONFIG": config,
        "main_menu": _menu(request.path),
        "skiplinks": [
            {"link": "#content", "label": "Contenu"},
            {"link": "#fr-navigation", "label": "Menu"},
            {"link": "#footer", "label": "Pied de page"},
        ],
        "debug_banner": settings.DEBUG,
    }
