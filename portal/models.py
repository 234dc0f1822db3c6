"""The portal's own state: the version of the public data (portal.dataversion) and the large
imports run by the worker (portal.lib.background_import)."""

from django.apps import apps
from django.conf import settings
from django.db import models

from portal.lib.background_import import StatutImport


class DataVersion(models.Model):
    """One row, moved forward by every change to public data, deletions included.

    Stored in the database so that every app server answers the same Last-Modified; the
    newest `modifie_le` of the remaining rows would go backwards after a deletion.
    """

    version = models.PositiveBigIntegerField("version", default=0)
    modifie_le = models.DateTimeField("modifiée le")

    class Meta:
        verbose_name = "version des données publiques"

    def __str__(self):
        return f"version {self.version} du {self.modifie_le:%d/%m/%Y %H:%M:%S}"


class ImportEnTache(models.Model):
    """A large admin import run by the background worker (portal.lib.background_import).

    The file itself is kept here, not in a temporary folder: the worker may run on another
    machine than the app server that received it. `modele` names what is imported
    ("structures.structure", "territoires.zonage"…), `parametres` what the import page chose.
    """

    modele = models.CharField("données", max_length=100)
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="agent",
    )
    nom_fichier = models.CharField("fichier", max_length=255)
    parametres = models.JSONField("paramètres de l'import", default=dict, blank=True)
    contenu = models.BinaryField("contenu du fichier")
    lignes = models.PositiveIntegerField("lignes du fichier")
    statut = models.CharField(
        "état", max_length=12, choices=StatutImport.choices, default=StatutImport.EN_ATTENTE
    )
    lignes_faites = models.PositiveIntegerField("lignes traitées", default=0)
    message = models.TextField("résultat", blank=True)
    erreurs = models.JSONField("lignes en erreur", default=list, blank=True)
    cree_le = models.DateTimeField("déposé le", auto_now_add=True)
    debut = models.DateTimeField("commencé le", null=True, blank=True)
    fin = models.DateTimeField("fini le", null=True, blank=True)

    class Meta:
        verbose_name = "import en arrière-plan"
        verbose_name_plural = "imports en arrière-plan"
        ordering = ["-cree_le"]
        indexes = [models.Index(fields=["agent", "-cree_le"])]

    def __str__(self):
        return f"Import de {self.nom_fichier} ({self.donnees.lower()})"

    @property
    def donnees(self) -> str:
        """What is imported, in the admin's words ("Structures", "Zonages"…)."""
        try:
            return str(apps.get_model(self.modele)._meta.verbose_name_plural).capitalize()
        except (LookupError, ValueError):
            return self.modele
