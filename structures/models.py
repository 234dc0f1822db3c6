"""Supported structures and professionals, as recorded by regional agents.

Everything public about supported projects (maps, bilan, open data) is computed from
published rows of these models. Location flags (QPV, rural zone, ARS zones) are derived
from the point and the commune by `structures.derivation`, never typed in.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from aides.choices import TypeStructure
from structures import derivation
from structures.choices import Publication, Situation, Statut
from structures.querysets import ProfessionnelSoutenuQuerySet, StructureQuerySet
from structures.validation import check_location
from territoires.models import Commune, Departement, Profession, Region

# Metropolitan France, generously: catches swapped or mistyped coordinates.
LAT_RANGE = (41.0, 51.5)
LON_RANGE = (-5.5, 10.0)


class Lieu(models.Model):
    """Where a supported record is, and what that place is (derived on save)."""

    commune = models.ForeignKey(
        Commune,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="commune",
    )
    departement = models.ForeignKey(
        Departement,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name="département",
    )
    region = models.ForeignKey(
        Region,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="région",
        help_text="Déduite de la commune ; à choisir seulement pour un réseau régional.",
    )
    latitude = models.FloatField(
        "latitude",
        null=True,
        blank=True,
        validators=[MinValueValidator(LAT_RANGE[0]), MaxValueValidator(LAT_RANGE[1])],
    )
    longitude = models.FloatField(
        "longitude",
        null=True,
        blank=True,
        validators=[MinValueValidator(LON_RANGE[0]), MaxValueValidator(LON_RANGE[1])],
    )
    publication = models.CharField(
        "publication", max_length=10, choices=Publication.choices, default=Publication.BROUILLON
    )
    publie_le = models.DateTimeField("publiée le", null=True, blank=True, editable=False)
    demonstration = models.BooleanField(
        "données de démonstration",
        default=False,
        help_text="Enregistrement inventé pour la démonstration.",
    )
    # Derived from the point and the commune (structures.derivation).
    en_qpv = models.BooleanField("en QPV", default=False, editable=False)
    qpv_code = models.CharField("code du QPV", max_length=20, blank=True, editable=False)
    qpv_nom = models.CharField("nom du QPV", max_length=200, blank=True, editable=False)
    en_zone_rurale = models.BooleanField("en zone rurale", default=False, editable=False)
    zones = models.JSONField("zones ARS par profession", default=dict, blank=True, editable=False)
    point_hors_commune = models.BooleanField(
        "point hors de la commune",
        default=False,
        editable=False,
        help_text="Le point ne tombe pas dans la commune indiquée (contours officiels).",
    )
    cree_le = models.DateTimeField("créé le", auto_now_add=True)
    modifie_le = models.DateTimeField("modifié le", auto_now=True)

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        self.sync_territoire()
        derivation.apply(self)
        if self.publication == Publication.PUBLIEE and self.publie_le is None:
            self.publie_le = timezone.now()
        elif self.publication == Publication.BROUILLON:
            self.publie_le = None
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            kwargs["update_fields"] = {
                *update_fields,
                *derivation.DERIVED_FIELDS,
                "departement",
                "region",
                "publie_le",
            }
        super().save(*args, **kwargs)

    def clean(self):
        super().clean()
        check_location(self)

    @property
    def a_un_point(self) -> bool:
        return self.latitude is not None and self.longitude is not None

    def sync_territoire(self):
        if self.commune_id:
            commune = self.commune
            for name in ("departement", "region"):
                field = Commune._meta.get_field(name)
                if field.is_cached(commune):  # keep the loaded instance: no query later
                    setattr(self, name, getattr(commune, name))
                else:
                    setattr(self, f"{name}_id", getattr(commune, f"{name}_id"))
        else:
            self.departement_id = None


def _lieu_constraints(prefix):
    return [
        models.CheckConstraint(
            condition=Q(latitude__isnull=True, longitude__isnull=True)
            | Q(latitude__isnull=False, longitude__isnull=False),
            name=f"{prefix}_point_complet",
        ),
        models.CheckConstraint(
            condition=Q(latitude__isnull=True)
            | Q(
                latitude__gte=LAT_RANGE[0],
                latitude__lte=LAT_RANGE[1],
                longitude__gte=LON_RANGE[0],
                longitude__lte=LON_RANGE[1],
            ),
            name=f"{prefix}_point_en_france",
        ),
        models.CheckConstraint(
            condition=Q(commune__isnull=False) | Q(departement__isnull=True),
            name=f"{prefix}_departement_vient_de_la_commune",
        ),
        models.CheckConstraint(
            condition=Q(en_qpv=False) | ~Q(qpv_code=""), name=f"{prefix}_qpv_a_un_code"
        ),
    ]


class Structure(Lieu):
    """A funded structure: maison de santé, centre de santé, cabinet de groupe, réseau…"""

    reference = models.CharField(
        "numéro de dossier",
        max_length=40,
        blank=True,
        help_text="Identifiant du dossier à la Région ; sert de clé aux imports.",
    )
    type = models.CharField("type de structure", max_length=30, choices=TypeStructure.choices)
    nom = models.CharField("nom", max_length=200)
    adresse = models.CharField("adresse", max_length=300, blank=True)
    aides = models.ManyToManyField(
        "aides.Aide", blank=True, related_name="structures", verbose_name="aides accordées"
    )
    montant_accorde = models.DecimalField(
        "montant accordé (€)",
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    date_decision = models.DateField(
        "date de décision",
        null=True,
        blank=True,
        help_text="Date de la commission permanente qui a accordé l'aide.",
    )
    statut = models.CharField(
        "statut", max_length=10, choices=Statut.choices, default=Statut.FINANCE
    )

    objects = StructureQuerySet.as_manager()
    history = HistoricalRecords(m2m_fields=[aides])

    class Meta:
        verbose_name = "structure soutenue"
        verbose_name_plural = "structures soutenues"
        ordering = ["-modifie_le", "-pk"]
        permissions = [("publish_structure", "Peut publier des structures")]
        indexes = [
            # Public map, bilan and open data: published().in_departements(...).
            models.Index(fields=["publication", "departement"], name="structure_pub_dep_idx"),
            # Admin list of a departmental agent, newest changes first.
            models.Index(fields=["departement", "-modifie_le"], name="structure_dep_modif_idx"),
            # Admin list of a regional agent, newest changes first.
            models.Index(fields=["region", "-modifie_le"], name="structure_reg_modif_idx"),
            # Dashboard "à publier": drafts of a région.
            models.Index(
                fields=["region"],
                condition=Q(publication="brouillon"),
                name="structure_brouillon_idx",
            ),
        ]
        constraints = [
            *_lieu_constraints("structure"),
            # Imports match rows on the dossier number.
            models.UniqueConstraint(
                fields=["reference"], condition=~Q(reference=""), name="structure_reference_unique"
            ),
            models.CheckConstraint(
                condition=Q(montant_accorde__gte=0) | Q(montant_accorde__isnull=True),
                name="structure_montant_positif",
            ),
        ]

    def __str__(self):
        return self.nom


class PresenceProfessionnelle(models.Model):
    """How many professionals of a profession practise in a structure."""

    structure = models.ForeignKey(
        Structure, on_delete=models.CASCADE, related_name="presences", verbose_name="structure"
    )
    profession = models.CharField("profession", max_length=30, choices=Profession.choices)
    nombre = models.PositiveSmallIntegerField("nombre", default=1)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "professionnels présents"
        verbose_name_plural = "professionnels présents"
        ordering = ["structure", "profession"]
        constraints = [
            models.UniqueConstraint(
                fields=["structure", "profession"], name="presence_structure_profession_unique"
            ),
        ]

    def __str__(self):
        return f"{self.nombre} × {self.get_profession_display()}"


class ProfessionnelSoutenu(Lieu):
    """A professional (or intern) who received an aid. Personal data: aggregates only in public."""

    reference = models.CharField("numéro de dossier", max_length=40, blank=True)
    nom = models.CharField(
        "nom et prénom",
        max_length=200,
        blank=True,
        help_text="Donnée personnelle : jamais publiée ni exportée hors du back-office.",
    )
    profession = models.CharField("profession", max_length=30, choices=Profession.choices)
    situation = models.CharField(
        "situation", max_length=10, choices=Situation.choices, default=Situation.INSTALLE
    )
    adresse_exercice = models.CharField(
        "adresse d'exercice", max_length=300, blank=True, help_text="Donnée personnelle."
    )
    aide = models.ForeignKey(
        "aides.Aide",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="beneficiaires",
        verbose_name="aide",
    )
    montant = models.DecimalField(
        "montant (€)",
        max_digits=10,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    annee = models.PositiveSmallIntegerField(
        "année", validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    date_decision = models.DateField("date de décision", null=True, blank=True)

    objects = ProfessionnelSoutenuQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = "professionnel soutenu"
        verbose_name_plural = "professionnels soutenus"
        ordering = ["-modifie_le", "-pk"]
        permissions = [("publish_professionnelsoutenu", "Peut publier des professionnels")]
        indexes = [
            # Public aggregates: published().par_departement() / par_commune().
            models.Index(
                fields=["publication", "departement", "profession"], name="pro_pub_dep_prof_idx"
            ),
            # Admin list of a departmental agent, newest changes first.
            models.Index(fields=["departement", "-modifie_le"], name="pro_dep_modif_idx"),
            # Admin list of a regional agent, newest changes first.
            models.Index(fields=["region", "-modifie_le"], name="pro_reg_modif_idx"),
        ]
        constraints = [
            *_lieu_constraints("pro"),
            # Imports match rows on the dossier number.
            models.UniqueConstraint(
                fields=["reference"], condition=~Q(reference=""), name="pro_reference_unique"
            ),
            # The public aggregates are by commune: a professional always has one.
            models.CheckConstraint(condition=Q(commune__isnull=False), name="pro_a_une_commune"),
            models.CheckConstraint(
                condition=Q(annee__gte=2000, annee__lte=2100), name="pro_annee_plausible"
            ),
        ]

    def __str__(self):
        return self.nom or f"{self.get_profession_display()} n° {self.pk}"


class ProfilAgent(models.Model):
    """The territory an agent works on: a région, or some départements."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="profil_agent",
        verbose_name="utilisateur",
    )
    region = models.ForeignKey(
        Region,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="région",
        help_text="Pour un agent régional.",
    )
    departements = models.ManyToManyField(
        Departement,
        blank=True,
        related_name="+",
        verbose_name="départements",
        help_text="Pour un agent départemental : il ne voit que ces départements.",
    )
    history = HistoricalRecords(m2m_fields=[departements])

    class Meta:
        verbose_name = "profil d'agent"
        verbose_name_plural = "profils d'agents"

    def __str__(self):
        return f"Périmètre de {self.user}"
