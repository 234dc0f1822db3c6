"""The portal's own state: the version of the public data (portal.dataversion)."""

from django.db import models


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
