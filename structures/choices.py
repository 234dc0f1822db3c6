"""Enumerations of the structures app (kinds of structure come from `aides.choices`)."""

from django.db import models


class Statut(models.TextChoices):
    PROJET = "projet", "Projet"
    FINANCE = "finance", "Financé"
    OUVERT = "ouvert", "Ouvert"
    ABANDONNE = "abandonne", "Abandonné"


class Publication(models.TextChoices):
    """Only published records reach public pages, statistics and open data."""

    BROUILLON = "brouillon", "Brouillon"
    PUBLIEE = "publiee", "Publiée"


class Situation(models.TextChoices):
    INSTALLE = "installe", "Professionnel en exercice"
    INTERNE = "interne", "Interne en stage"
