"""Territorial reference data (INSEE COG, IGN contours) and ARS/ANCT zonings.

Codes are the official natural keys (INSEE code, SIREN for EPCI, ANCT code for QPV):
they are what imports match on and what URLs and the API expose.
"""

import dataclasses
import functools

from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import get_language
from simple_history.models import HistoricalRecords

from portal.lib import dataversion
from territoires.text import normalize_name


class Profession(models.TextChoices):
    """Professions targeted by zonings and aids; the values are stable slugs (URLs, API)."""

    MEDECIN_GENERALISTE = "medecin-generaliste", "Médecin généraliste"
    INFIRMIER = "infirmier", "Infirmier ou infirmière"
    MASSEUR_KINESITHERAPEUTE = "masseur-kinesitherapeute", "Masseur-kinésithérapeute"
    SAGE_FEMME = "sage-femme", "Sage-femme"
    ORTHOPHONISTE = "orthophoniste", "Orthophoniste"
    CHIRURGIEN_DENTISTE = "chirurgien-dentiste", "Chirurgien-dentiste"


def means_all_regions(codes) -> bool:
    """PORTAL_REGIONS=all (or "all" among command-line codes): the whole of France."""
    return any(str(code).lower() == "all" for code in codes or ())


class Region(models.Model):
    code = models.CharField("code INSEE", max_length=3, unique=True)
    nom = models.CharField("nom", max_length=100)

    class Meta:
        verbose_name = "région"
        verbose_name_plural = "régions"
        ordering = ["nom"]

    def __str__(self):
        return self.nom


class DepartementManager(models.Manager):
    def by_code(self, code: str) -> "Departement | None":
        """The département of an INSEE code, with its région, from this process's copy of
        the territories (`_refs`, per data version): the map pages and their layers ask for
        one at every request. Shared between requests: read it, do not change it."""
        return _refs(dataversion.current()).by_code.get(code.upper())


class Departement(models.Model):
    code = models.CharField("code INSEE", max_length=3, unique=True)
    nom = models.CharField("nom", max_length=100)
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="departements", verbose_name="région"
    )

    objects = DepartementManager()

    class Meta:
        verbose_name = "département"
        verbose_name_plural = "départements"
        ordering = ["code"]

    def __str__(self):
        return f"{self.nom} ({self.code})"

    def get_absolute_url(self):
        return reverse("territoires:departement", args=[self.code])


class Epci(models.Model):
    """EPCI à fiscalité propre, or établissement public territorial (EPT) of the Grand Paris."""

    class Type(models.TextChoices):
        CC = "CC", "Communauté de communes"
        CA = "CA", "Communauté d'agglomération"
        CU = "CU", "Communauté urbaine"
        METRO = "METRO", "Métropole"
        MET69 = "MET69", "Métropole de Lyon"
        EPT = "EPT", "Établissement public territorial"

    code = models.CharField("SIREN", max_length=9, unique=True)
    nom = models.CharField("nom", max_length=200)
    type = models.CharField("type", max_length=5, choices=Type.choices)

    class Meta:
        verbose_name = "EPCI ou EPT"
        verbose_name_plural = "EPCI et EPT"
        ordering = ["nom"]

    def __str__(self):
        return self.nom


class CommuneQuerySet(models.QuerySet):
    def in_regions(self, codes):
        return self.filter(region__code__in=codes)

    def communes(self):
        """Communes in the legal sense (Paris, not its arrondissements)."""
        return self.filter(type=Commune.Type.COMMUNE)

    def with_refs(self):
        return self.select_related("departement", "region", "epci", "ept", "parent")

    def by_codes(self, codes) -> dict[str, "Commune"]:
        """{code: commune with its refs} for current INSEE codes (every answer of the finder,
        the APIs and the locator starts with one), from this process's copy of the communes'
        table (`_commune_rows`, read once per data version: one query, 18 MB) and of the
        territories they refer to (`_refs`). Asked for a commune seldom asked twice (the
        finder walked commune by commune), a cache or the database cost two round trips and
        a millisecond; a six-table join, milliseconds of planning and ORM."""
        version = dataversion.current()
        rows, names = _commune_rows(version), _COMMUNE_FIELDS
        found = {
            code: Commune.from_db(self.db, names, rows[code]) for code in codes if code in rows
        }
        _refs(version).attach(list(found.values()))
        return found


@dataclasses.dataclass(frozen=True)
class _Refs:
    """The territories communes refer to, by id: 109 départements with their régions and
    1,266 EPCI and EPT (two queries), and the few cities with arrondissements, read when one
    of them is first met."""

    departements: dict
    regions: dict
    epcis: dict
    parents: dict
    by_code: dict  # the départements by INSEE code

    @classmethod
    def read(cls) -> "_Refs":
        departements = Departement.objects.select_related("region").in_bulk()
        regions = {d.region_id: d.region for d in departements.values()}
        by_code = {d.code: d for d in departements.values()}
        return cls(departements, regions, Epci.objects.in_bulk(), {}, by_code)

    def attach(self, communes) -> None:
        """Set the communes' refs from these tables (one unknown here, a row written since
        the data version was read, is left to Django's lazy query)."""
        parents = {c.parent_id for c in communes if c.parent_id} - self.parents.keys()
        if parents:
            read = Commune.objects.in_bulk(parents)
            self.attach(read.values())
            self.parents.update(read)
        for commune in communes:
            for name, table in (
                ("region", self.regions), ("departement", self.departements),
                ("epci", self.epcis), ("ept", self.epcis), ("parent", self.parents),
            ):  # fmt: skip
                pk = getattr(commune, f"{name}_id")
                if pk is None or pk in table:
                    setattr(commune, name, table.get(pk))


# The refs of the current data version, per process (a write anywhere retires them at once).
_kept_refs: dict[str, _Refs] = {}


def _refs(version: str) -> _Refs:
    refs = _kept_refs.get(version)
    if refs is None:
        refs = _Refs.read()
        _kept_refs.clear()
        _kept_refs[version] = refs
    return refs


# The communes' rows of the current data version, per process: {code: values of
# _COMMUNE_FIELDS}.
_kept_communes: dict[str, dict[str, tuple]] = {}


def _commune_rows(version: str) -> dict[str, tuple]:
    rows = _kept_communes.get(version)
    if rows is None:
        values = Commune.objects.order_by().values_list(*_COMMUNE_FIELDS)
        code = _COMMUNE_FIELDS.index("code")
        rows = {row[code]: row for row in values}
        _kept_communes.clear()
        _kept_communes[version] = rows
    return rows


def forget_refs() -> None:
    """Tests: a rolled-back transaction can bring an earlier data version back."""
    _kept_refs.clear()
    _kept_communes.clear()


class Commune(models.Model):
    """A current commune, or a municipal arrondissement of Paris, Lyon or Marseille.

    Arrondissements are rows of their own (with `parent`) because ARS zonings and the
    address geocoder work at that level in the three cities.
    """

    class Type(models.TextChoices):
        COMMUNE = "commune", "Commune"
        ARRONDISSEMENT = "arrondissement", "Arrondissement municipal"

    code = models.CharField("code INSEE", max_length=5, unique=True)
    nom = models.CharField("nom", max_length=200)
    nom_normalise = models.CharField(
        "nom normalisé", max_length=200, editable=False, help_text="Pour la recherche."
    )
    type = models.CharField("type", max_length=15, choices=Type.choices, default=Type.COMMUNE)
    parent = models.ForeignKey(
        "self",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="arrondissements",
        verbose_name="commune de rattachement",
    )
    departement = models.ForeignKey(
        Departement, on_delete=models.PROTECT, related_name="communes", verbose_name="département"
    )
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="communes", verbose_name="région"
    )
    population = models.PositiveIntegerField("population municipale", null=True, blank=True)
    # Space-separated list ("77160 77650"): small, searchable with `contains` on every backend.
    codes_postaux = models.CharField("codes postaux", max_length=200, blank=True)
    epci = models.ForeignKey(
        Epci,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="communes",
        verbose_name="EPCI",
    )
    ept = models.ForeignKey(
        Epci,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="communes_ept",
        verbose_name="EPT (Grand Paris)",
    )

    objects = CommuneQuerySet.as_manager()

    class Meta:
        verbose_name = "commune"
        verbose_name_plural = "communes"
        ordering = ["nom", "code"]
        indexes = [
            # Autocomplete: prefix match on the normalised name.
            models.Index(fields=["nom_normalise"], name="commune_nom_norm_idx"),
            # Département pages and per-département statistics.
            models.Index(fields=["departement", "type"], name="commune_dep_type_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(type="commune", parent__isnull=True)
                | Q(type="arrondissement", parent__isnull=False),
                name="commune_arrondissement_has_parent",
            ),
        ]

    def __str__(self):
        return f"{self.nom} ({self.code})"

    def save(self, *args, **kwargs):
        self.nom_normalise = normalize_name(self.nom)
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("territoires:commune", args=[self.code])

    @property
    def liste_codes_postaux(self) -> list[str]:
        return self.codes_postaux.split()


# What `by_codes` keeps of a commune: every column, as `from_db` builds it.
_COMMUNE_FIELDS = tuple(field.attname for field in Commune._meta.concrete_fields)


class CommuneAlias(models.Model):
    """A commune déléguée or associée, or a former code: searchable, resolves to its commune."""

    class Kind(models.TextChoices):
        DELEGUEE = "deleguee", "Commune déléguée"
        ASSOCIEE = "associee", "Commune associée"
        ANCIEN_CODE = "ancien-code", "Ancien code INSEE"

    commune = models.ForeignKey(
        Commune, on_delete=models.CASCADE, related_name="alias", verbose_name="commune"
    )
    kind = models.CharField("nature", max_length=15, choices=Kind.choices)
    code = models.CharField("code INSEE", max_length=5)
    nom = models.CharField("nom", max_length=200, blank=True)
    nom_normalise = models.CharField("nom normalisé", max_length=200, editable=False)

    class Meta:
        verbose_name = "alias de commune"
        verbose_name_plural = "alias de communes"
        constraints = [
            models.UniqueConstraint(
                fields=["commune", "kind", "code"], name="commune_alias_unique"
            ),
        ]
        indexes = [
            # Autocomplete on former names; lookup of a former code.
            models.Index(fields=["nom_normalise"], name="alias_nom_norm_idx"),
            models.Index(fields=["code"], name="alias_code_idx"),
        ]

    def __str__(self):
        return f"{self.nom or self.code} → {self.commune.nom}"

    def save(self, *args, **kwargs):
        self.nom_normalise = normalize_name(self.nom)
        super().save(*args, **kwargs)


class Contour(models.Model):
    """Official outline of a territory, kept apart so lists of communes stay light.

    `code` is the INSEE code of the région, département or commune/arrondissement.
    """

    class Niveau(models.TextChoices):
        REGION = "region", "Région"
        DEPARTEMENT = "departement", "Département"
        COMMUNE = "commune", "Commune ou arrondissement"

    niveau = models.CharField("niveau", max_length=12, choices=Niveau.choices)
    code = models.CharField("code INSEE", max_length=5)
    geometrie = models.JSONField("géométrie (GeoJSON, WGS84)")
    min_lon = models.FloatField()
    min_lat = models.FloatField()
    max_lon = models.FloatField()
    max_lat = models.FloatField()
    point_lon = models.FloatField("longitude d'un point intérieur")
    point_lat = models.FloatField("latitude d'un point intérieur")
    source = models.CharField("source", max_length=500, blank=True)
    # SHA-256 of the imported GeoJSON geometry (or of the former communes merged into it): a
    # re-import compares it without reading the stored geometries, so a no-op run is quick.
    empreinte = models.CharField("empreinte", max_length=64, blank=True, editable=False)
    modifie_le = models.DateTimeField("modifié le", auto_now=True)

    class Meta:
        verbose_name = "contour"
        verbose_name_plural = "contours"
        constraints = [
            models.UniqueConstraint(fields=["niveau", "code"], name="contour_niveau_code_unique"),
        ]

    def __str__(self):
        return f"{self.get_niveau_display()} {self.code}"

    @property
    def bbox(self) -> tuple[float, float, float, float]:
        return (self.min_lon, self.min_lat, self.max_lon, self.max_lat)


class ZonageKind(models.TextChoices):
    ARS = "ars", "Zonage ARS par profession"
    QPV = "qpv", "Quartiers prioritaires de la politique de la ville"
    RURAL = "rural", "Zone rurale (France Ruralités Revitalisation / ZRR)"


class ClasseEligibilite(models.TextChoices):
    """What a zone category opens; aids state which class they require."""

    AIDES_CONVENTIONNELLES = "aides-conventionnelles", "Ouvre les aides conventionnelles"
    AIDES_COLLECTIVITES = "aides-collectivites", "Ouvre les aides des collectivités"
    AUCUNE = "aucune", "N'ouvre aucune aide"


class ZonageQuerySet(models.QuerySet):
    def in_force_on(self, date):
        """Acts valid on `date`. Supersession is resolved by `territoires.zonages.lookup`."""
        return self.filter(valide_du__lte=date).filter(
            Q(valide_au__isnull=True) | Q(valide_au__gte=date)
        )


class Zonage(models.Model):
    """One official act: an ARS arrêté for a profession, the QPV décret, the FRR list…

    A newer act for the same kind, profession and région supersedes an older one from its
    `valide_du` date on; the older one is kept for history and for past dates.
    """

    kind = models.CharField("nature", max_length=10, choices=ZonageKind.choices)
    profession = models.CharField(
        "profession", max_length=30, choices=Profession.choices, blank=True
    )
    region = models.ForeignKey(
        Region,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="zonages",
        verbose_name="région",
        help_text="Vide pour un zonage national (QPV, FRR).",
    )
    titre = models.CharField("titre de l'acte", max_length=300)
    editeur = models.CharField(
        "éditeur", max_length=100, help_text="ARS Île-de-France, ARS Grand Est, ANCT, État…"
    )
    date_acte = models.DateField(
        "date de l'acte",
        null=True,
        blank=True,
        help_text="Vide quand l'export ne dit pas quel arrêté il reproduit : le zonage est "
        "alors celui en vigueur à la date de l'export.",
    )
    url = models.URLField("adresse de la source", max_length=500, blank=True)
    source = models.CharField(
        "source des données",
        max_length=300,
        blank=True,
        help_text="Le fichier importé et son éditeur, ex. « CartoSanté (ATLASANTÉ), export "
        "« Zonage infirmiers » ». Jamais d'adresse inventée : inconnu reste vide.",
    )
    date_export = models.DateField(
        "date de l'export",
        null=True,
        blank=True,
        help_text="Date (au plus tard) à laquelle les données ont été extraites de leur source.",
    )
    revision_publiee = models.CharField(
        "zonage plus récent publié",
        max_length=100,
        blank=True,
        help_text="Quand un acte plus récent est publié mais pas encore importé : « le 9 "
        "décembre 2025 », « en 2026 ». Affiché sur chaque réponse qui repose sur cet acte.",
    )
    valide_du = models.DateField("en vigueur du")
    valide_au = models.DateField("en vigueur jusqu'au", null=True, blank=True)
    demonstration = models.BooleanField(
        "données de démonstration",
        default=False,
        help_text="Zonage inventé pour la démonstration, à remplacer par l'acte officiel.",
    )
    # SHA-256 of the imported file (and of the options that shaped the act): a re-import of
    # the same file is recognised without reading 35,000 rows again.
    empreinte = models.CharField("empreinte", max_length=64, blank=True, editable=False)
    cree_le = models.DateTimeField("créé le", auto_now_add=True)
    modifie_le = models.DateTimeField("modifié le", auto_now=True)

    objects = ZonageQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = "zonage"
        verbose_name_plural = "zonages"
        ordering = ["kind", "profession", "-valide_du"]
        indexes = [
            # zones_at(): the acts of a kind/profession in force on a date.
            models.Index(fields=["kind", "profession", "valide_du"], name="zonage_kind_prof_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(valide_au__isnull=True) | Q(valide_au__gte=models.F("valide_du")),
                name="zonage_validite_ordonnee",
                violation_error_message="La fin de validité précède le début de validité.",
            ),
            models.CheckConstraint(
                condition=Q(date_acte__isnull=False) | Q(date_export__isnull=False),
                name="zonage_date_acte_ou_export",
                violation_error_message="Indiquez la date de l'acte ou, à défaut, celle de "
                "l'export des données.",
            ),
            models.CheckConstraint(
                condition=~Q(kind="ars") | ~Q(profession=""),
                name="zonage_ars_a_une_profession",
                violation_error_message="Un zonage ARS concerne une profession : choisissez-la.",
            ),
        ]

    def __str__(self):
        return self.titre

    @property
    def reference(self) -> str:
        """How answers cite the act: "arrêté ARS Île-de-France du 30 mars 2022", or the
        export when the act itself is not known."""
        return act_reference(self.kind, self.editeur, self.date_acte, self.date_export)


def act_reference(kind, editeur, date_acte, date_export) -> str:
    """Shared by `Zonage.reference` and the lookup's matches (which carry no instance).

    Remembered per process and language: a région's or France's answers cite the same few
    hundred acts hundreds of thousands of times (« Où m'installer ? »).
    """
    return _act_reference(kind, editeur, date_acte, date_export, get_language())


@functools.lru_cache(maxsize=4096)
def _act_reference(kind, editeur, date_acte, date_export, _language) -> str:
    """ "ARS Île-de-France — CartoSanté" is the publisher and the platform it went through:
    "arrêté ARS Île-de-France du 30 mars 2022, via CartoSanté". QPV come from a décret, the
    rural lists from a classement: only ARS zonings are arrêtés. No parentheses: answers
    quote the reference inside their own.
    """
    publisher, _, via = editeur.partition(" — ")
    if date_acte is not None:
        quand = date_format(date_acte, "j F Y")
        if kind == ZonageKind.QPV:
            texte = f"décret du {quand}, {publisher}"
        elif kind == ZonageKind.RURAL:
            texte = f"classement {publisher} du {quand}"
        else:
            texte = f"arrêté {publisher} du {quand}"
        return f"{texte}, via {via}" if via else texte
    export = f"l'export {via}" if via else "l'export"
    quand = date_format(date_export, "j F Y")
    return f"zonage {publisher} en vigueur à la date de {export} du {quand}"


class CategorieZone(models.Model):
    """A category declared by one act (ZIP, ZAC, très sous-dotée, QPV…), in its order.

    `code` is a stable slug shared by acts that use the same notion ("zip", "zac",
    "tres-sous-dotee", "qpv", "frr"); aids state their conditions on these codes.
    """

    zonage = models.ForeignKey(
        Zonage, on_delete=models.CASCADE, related_name="categories", verbose_name="zonage"
    )
    code = models.SlugField("code", max_length=40)
    libelle = models.CharField("libellé", max_length=100)
    ordre = models.PositiveSmallIntegerField("ordre", default=0)
    eligibilites = models.JSONField(
        "ouvre",
        default=list,
        blank=True,
        help_text="Classes d'aides ouvertes : valeurs de ClasseEligibilite.",
    )
    a_verifier = models.BooleanField(
        "résultat à vérifier",
        default=False,
        help_text="La catégorie ne permet pas de conclure (« N/A - résultat non disponible ») : "
        "les aides qui dépendent de ce zonage sont « à vérifier », jamais refusées.",
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = "catégorie de zone"
        verbose_name_plural = "catégories de zone"
        ordering = ["zonage", "ordre"]
        constraints = [
            models.UniqueConstraint(
                fields=["zonage", "code"],
                name="categorie_zonage_code_unique",
                violation_error_message="Cet acte a déjà une catégorie avec ce code.",
            ),
        ]

    def __str__(self):
        return self.libelle


class Zone(models.Model):
    """A zone of an act: a category over communes/arrondissements/IRIS, or over polygons."""

    zonage = models.ForeignKey(
        Zonage, on_delete=models.CASCADE, related_name="zones", verbose_name="zonage"
    )
    categorie = models.ForeignKey(
        CategorieZone, on_delete=models.RESTRICT, related_name="zones", verbose_name="catégorie"
    )
    code = models.CharField(
        "code officiel", max_length=20, blank=True, help_text="Par exemple QN07501M pour un QPV."
    )
    libelle = models.CharField("libellé", max_length=200, blank=True)
    geometrie = models.JSONField("polygones (GeoJSON, WGS84)", null=True, blank=True)
    communes = models.ManyToManyField(
        Commune, through="ZoneCommune", related_name="zones", verbose_name="communes"
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = "zone"
        verbose_name_plural = "zones"
        indexes = [models.Index(fields=["code"], name="zone_code_idx")]

    def __str__(self):
        return f"{self.libelle or self.categorie.libelle} — {self.zonage}"


class ZoneCommune(models.Model):
    """Extent of a zone by territory code; `code_iris` when the zone covers only an IRIS."""

    zone = models.ForeignKey(Zone, on_delete=models.CASCADE, related_name="perimetre")
    commune = models.ForeignKey(Commune, on_delete=models.CASCADE, related_name="+")
    code_iris = models.CharField("code IRIS", max_length=9, blank=True)
    partiel = models.BooleanField(
        "partiellement",
        default=False,
        help_text="La zone ne couvre qu'une partie de ce territoire (quartier prioritaire connu "
        "par commune, commune « FRR bénéficiaire partiellement ») : à vérifier à l'adresse.",
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = "commune d'une zone"
        verbose_name_plural = "communes d'une zone"
        constraints = [
            models.UniqueConstraint(
                fields=["zone", "commune", "code_iris"],
                name="zonecommune_unique",
                violation_error_message="Ce territoire figure déjà dans cette zone.",
            ),
        ]
        indexes = [
            # zones_at(commune): every zone covering a commune.
            models.Index(fields=["commune", "zone"], name="zonecommune_commune_idx"),
        ]

    def __str__(self):
        return f"{self.commune_id} {self.code_iris}".strip()
