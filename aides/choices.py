"""Enumerations shared by aids and supported structures (structures import them from here)."""

from django.db import models


class TypeStructure(models.TextChoices):
    MSP = "msp", "Maison de santé pluriprofessionnelle"
    CENTRE_SANTE = "centre-sante", "Centre de santé"
    CABINET_GROUPE = "cabinet-groupe", "Cabinet de groupe"
    MAISON_MEDICALE_GARDE = "maison-medicale-garde", "Maison médicale de garde"
    RESEAU_SANTE = "reseau-sante", "Réseau de santé"
    SECURISATION_CABINET = "securisation-cabinet", "Sécurisation de cabinet"
    CPTS = "cpts", "Communauté professionnelle territoriale de santé (CPTS)"
    AUTRE = "autre", "Autre"


class EtapeProjet(models.TextChoices):
    ETUDES = "etudes", "Études"
    INSTALLATION = "installation", "Installation"
    MAINTIEN = "maintien", "Maintien de l'activité"
    STRUCTURE = "structure", "Création ou extension de structure"
    REMPLACEMENT = "remplacement", "Remplacement"
