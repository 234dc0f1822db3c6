"""Aid schemes against medical deserts, their financers, zoning conditions and amount scales.

Eligibility to an aid at a place is decided in Python (`aides.eligibility`) against
the zones returned by `territoires.zonages.lookup`: the aids are fetched once with their
relations, so a search costs the same number of queries whatever the catalogue size.
"""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from simple_history.models import HistoricalRecords

from aides.choices import EtapeProjet, FormeAide, NatureMontant, Public, StatutAide, TypeStructure
from aides.fields import MultiChoiceField
from aides.querysets import AideQuerySet, LienVerifieQuerySet
from territoires.models import Commune, Departement, Profession, Region


class Financeur(models.Model):
    """Who pays: a Région, an ARS, the Assurance Maladie, a city… Agents can add one."""

    class Type(models.TextChoices):
        REGION = "region", "Région"
        ARS = "ars", "Agence régionale de santé"
        ASSURANCE_MALADIE = "assurance-maladie", "Assurance Maladie"
        ETAT = "etat", "État"
        DEPARTEMENT = "departement", "Département"
        COMMUNE = "commune", "Commune ou intercommunalité"
        AUTRE = "autre", "Autre"

    slug = models.SlugField("identifiant", max_length=80, unique=True)
    nom = models.CharField("nom", max_length=200)
    type = models.CharField("type", max_length=20, choices=Type.choices, default=Type.AUTRE)
    site = models.URLField("site internet", max_length=500, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "financeur"
        verbose_name_plural = "financeurs"
        ordering = ["nom"]

    def __str__(self):
        return self.nom


class Bareme(models.Model):
    """An amount scale: steps of a measured quantity (a distance in km) → an amount in euros.

    `origines` are the reference places the distance is measured from (the faculties
    for the Grand Est interns' aid); the applicant chooses theirs.
    """

    class Variable(models.TextChoices):
        DISTANCE_KM = "distance-km", "Distance à vol d'oiseau depuis le point de référence (km)"

    nom = models.CharField("nom", max_length=200)
    variable = models.CharField(
        "grandeur mesurée", max_length=20, choices=Variable.choices, default=Variable.DISTANCE_KM
    )
    origines = models.ManyToManyField(
        Commune,
        blank=True,
        related_name="+",
        verbose_name="points de référence",
        help_text="Communes depuis lesquelles la distance est mesurée (ex. villes de faculté).",
    )
    description = models.TextField("explication", blank=True)
    verifie = models.BooleanField(
        "paliers vérifiés",
        default=False,
        help_text="Décochez tant que les paliers n'ont pas été confirmés par la source officielle.",
    )
    source = models.URLField("source", max_length=500, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "barème"
        verbose_name_plural = "barèmes"
        ordering = ["nom"]

    def __str__(self):
        return self.nom


class PalierBareme(models.Model):
    """One step: from `de` (included) to `a` (excluded; empty = no upper bound)."""

    bareme = models.ForeignKey(
        Bareme, on_delete=models.CASCADE, related_name="paliers", verbose_name="barème"
    )
    de = models.PositiveIntegerField("à partir de (km)")
    a = models.PositiveIntegerField("jusqu'à (km, exclu)", null=True, blank=True)
    montant = models.PositiveIntegerField("montant (€)")
    history = HistoricalRecords()

    class Meta:
        verbose_name = "palier"
        verbose_name_plural = "paliers"
        ordering = ["bareme", "de"]
        constraints = [
            # One step per starting point of a scale; the simulator picks steps by `de`.
            models.UniqueConstraint(fields=["bareme", "de"], name="palier_bareme_de_unique"),
            models.CheckConstraint(
                condition=Q(a__isnull=True) | Q(a__gt=models.F("de")),
                name="palier_bornes_ordonnees",
            ),
        ]

    def __str__(self):
        fin = f"{self.a} km" if self.a is not None else "∞"
        return f"{self.de} km – {fin} : {self.montant} €"


class Aide(models.Model):
    """One aid scheme, as published by its financer(s)."""

    slug = models.SlugField("identifiant (adresse)", max_length=120, unique=True)
    nom = models.CharField("nom", max_length=250)
    sigle = models.CharField("sigle", max_length=30, blank=True, help_text="CAIM, CESP…")
    resume = models.CharField("description courte", max_length=400)
    description = models.TextField("description", blank=True)
    financeurs = models.ManyToManyField(Financeur, related_name="aides", verbose_name="financeurs")
    forme = models.CharField("forme de l'aide", max_length=30, choices=FormeAide.choices)

    publics = MultiChoiceField(
        "publics",
        choices_class=Public,
        help_text="Professionnels, étudiants et internes, structures.",
    )
    professions = MultiChoiceField(
        "professions",
        choices_class=Profession,
        help_text="Aucune case cochée : toutes les professions de santé.",
    )
    types_structure = MultiChoiceField(
        "types de structure",
        choices_class=TypeStructure,
        help_text="Pour les aides aux structures.",
    )
    etapes = MultiChoiceField("étapes du projet", choices_class=EtapeProjet)

    regions = models.ManyToManyField(
        Region, blank=True, related_name="aides", verbose_name="régions"
    )
    departements = models.ManyToManyField(
        Departement, blank=True, related_name="aides", verbose_name="départements"
    )
    communes = models.ManyToManyField(
        Commune, blank=True, related_name="aides", verbose_name="communes"
    )

    nature_montant = models.CharField(
        "nature du montant", max_length=20, choices=NatureMontant.choices
    )
    montant_min = models.PositiveIntegerField("montant minimal (€)", null=True, blank=True)
    montant_max = models.PositiveIntegerField("montant maximal (€)", null=True, blank=True)
    taux = models.PositiveSmallIntegerField("taux de prise en charge (%)", null=True, blank=True)
    duree_mois = models.PositiveSmallIntegerField("durée (mois)", null=True, blank=True)
    montant_texte = models.CharField(
        "montant en clair",
        max_length=300,
        blank=True,
        help_text="Remplace le montant calculé à l'affichage, ex. « 37 500 € sur 5 ans ».",
    )
    bareme = models.ForeignKey(
        Bareme,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="aides",
        verbose_name="barème",
    )
    montant_confirme = models.BooleanField(
        "montant confirmé",
        default=True,
        help_text="Décochez si le montant n'a pas pu être confirmé par une source officielle.",
    )

    conditions = models.TextField("conditions", blank=True)
    contreparties = models.TextField("contreparties", blank=True)
    demarches = models.TextField("comment la demander", blank=True)
    contact = models.TextField("contact", blank=True)

    date_ouverture = models.DateField("ouverte à partir du", null=True, blank=True)
    date_cloture = models.DateField("close après le", null=True, blank=True)
    statut = models.CharField(
        "statut", max_length=10, choices=StatutAide.choices, default=StatutAide.BROUILLON
    )

    source_juridique = models.CharField("base juridique", max_length=500, blank=True)
    url_officielle = models.URLField("page officielle", max_length=500, blank=True)
    verifie_le = models.DateField("informations vérifiées le", null=True, blank=True)
    informations_verifiees = models.BooleanField(
        "informations confirmées",
        default=True,
        help_text="Décochez si une partie de la fiche n'a pas pu être confirmée.",
    )
    note_verification = models.TextField(
        "reste à vérifier",
        blank=True,
        help_text="Ce qui n'a pas pu être confirmé, affiché tel quel sur la fiche publique.",
    )
    demonstration = models.BooleanField(
        "données de démonstration",
        default=False,
        help_text="Fiche inventée pour la démonstration : jamais présentée comme officielle.",
    )
    cree_le = models.DateTimeField("créée le", auto_now_add=True)
    modifie_le = models.DateTimeField("modifiée le", auto_now=True)

    objects = AideQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = "aide"
        verbose_name_plural = "aides"
        ordering = ["nom"]
        # Putting an aid on or off the public site; given to no agent group (README).
        permissions = [("publish_aide", "Peut publier, archiver ou retirer des aides")]
        indexes = [
            # published().open_on(date): the finder's first filter.
            models.Index(
                fields=["statut", "date_ouverture", "date_cloture"], name="aide_statut_dates_idx"
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(date_cloture__isnull=True)
                | Q(date_ouverture__isnull=True)
                | Q(date_cloture__gte=models.F("date_ouverture")),
                name="aide_dates_ordonnees",
            ),
            models.CheckConstraint(
                condition=Q(montant_min__isnull=True)
                | Q(montant_max__isnull=True)
                | Q(montant_max__gte=models.F("montant_min")),
                name="aide_montants_ordonnes",
            ),
            models.CheckConstraint(
                condition=~Q(nature_montant=NatureMontant.BAREME) | Q(bareme__isnull=False),
                name="aide_bareme_si_formule",
            ),
        ]

    def __str__(self):
        return self.nom

    def get_absolute_url(self):
        return reverse("aides:detail", args=[self.slug])

    def clean(self):
        if self.nature_montant == NatureMontant.BAREME and not self.bareme_id:
            raise ValidationError(
                {"bareme": "Choisissez le barème qui calcule le montant."}, code="bareme_requis"
            )
        if self.date_ouverture and self.date_cloture and self.date_cloture < self.date_ouverture:
            raise ValidationError(
                {"date_cloture": "La date de clôture précède la date d'ouverture."},
                code="dates_inversees",
            )

    def is_open_on(self, date) -> bool:
        """Same rule as `AideQuerySet.open_on`."""
        if self.statut == StatutAide.ARCHIVEE and self.date_cloture is None:
            return False
        return (self.date_ouverture is None or self.date_ouverture <= date) and (
            self.date_cloture is None or self.date_cloture >= date
        )


class ConditionZonage(models.Model):
    """ "The place must be in one of these zone categories (for this profession)", or
    "anywhere in this département". The conditions of an aid are alternatives (OR).

    Category codes are the stable `CategorieZone.code` slugs ("zip", "zac", "qpv", "frr"…),
    so a new arrêté with the same categories keeps the aid working.
    """

    aide = models.ForeignKey(
        Aide, on_delete=models.CASCADE, related_name="conditions_zonage", verbose_name="aide"
    )
    profession = models.CharField(
        "profession",
        max_length=30,
        choices=Profession.choices,
        blank=True,
        help_text="Vide : le zonage de la profession recherchée, ou un zonage sans profession.",
    )
    categories = models.CharField(
        "catégories de zone",
        max_length=200,
        blank=True,
        help_text="Codes séparés par des virgules, ex. « zip, zac » ou « qpv, frr ».",
    )
    departement = models.ForeignKey(
        Departement,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="ou tout le département",
    )
    libelle = models.CharField(
        "explication",
        max_length=200,
        blank=True,
        help_text="Remplace le nom de la zone, ex. « commune rurale de grande couronne ».",
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = "condition de zonage"
        verbose_name_plural = "conditions de zonage"
        constraints = [
            models.CheckConstraint(
                condition=~Q(categories="") | Q(departement__isnull=False),
                name="condition_zonage_non_vide",
            ),
        ]

    def __str__(self):
        parts = []
        if self.categories:
            parts.append(" ou ".join(self.codes))
        if self.departement_id:
            parts.append(f"tout le département {self.departement}")
        who = self.get_profession_display() if self.profession else "toute profession"
        return f"{' ou '.join(parts)} ({who})"

    @property
    def codes(self) -> list[str]:
        return [c.strip() for c in self.categories.split(",") if c.strip()]


# Alerts live in their subpackage; imported here so that the app registers them.
from aides.alertes.models import Alerte  # noqa: E402, F401


class LienVerifie(models.Model):
    """The last check of one link of an aid (its official page or a link in "comment la demander").

    Written by the daily task `aides.tasks.verifier_liens`; agents read it on the aids' follow-up
    page. A broken link never unpublishes an aid by itself: an agent decides.
    """

    class Statut(models.TextChoices):
        OK = "ok", "Accessible"
        REDIRIGE = "redirige", "Accessible après redirection"
        INTROUVABLE = "4xx", "Page introuvable ou refusée (4xx)"
        ERREUR_SERVEUR = "5xx", "Erreur du serveur (5xx)"
        INJOIGNABLE = "injoignable", "Site injoignable ou trop lent"

    aide = models.ForeignKey(
        Aide, on_delete=models.CASCADE, related_name="liens_verifies", verbose_name="aide"
    )
    url = models.URLField("adresse vérifiée", max_length=500)
    statut = models.CharField("résultat", max_length=12, choices=Statut.choices)
    code_http = models.PositiveSmallIntegerField("code HTTP", null=True, blank=True)
    url_finale = models.URLField("adresse finale", max_length=500, blank=True)
    message = models.CharField("message", max_length=300)
    verifie_le = models.DateTimeField("vérifié le")
    dernier_succes_le = models.DateTimeField("dernier succès le", null=True, blank=True)

    objects = LienVerifieQuerySet.as_manager()

    class Meta:
        verbose_name = "lien vérifié"
        verbose_name_plural = "liens vérifiés"
        ordering = ["aide__nom", "url"]
        constraints = [
            # One row per link of an aid: the daily check updates it (a second run adds nothing).
            models.UniqueConstraint(fields=["aide", "url"], name="lien_verifie_aide_url_unique"),
        ]
        indexes = [
            # LienVerifie.objects.en_erreur(): the follow-up page's broken links.
            models.Index(fields=["statut"], name="lien_verifie_statut_idx"),
        ]

    def __str__(self):
        return f"{self.aide} : {self.url}"
