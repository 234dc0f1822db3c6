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


class Public(models.TextChoices):
    PROFESSIONNEL = "professionnel", "Professionnels de santé"
    ETUDIANT = "etudiant", "Étudiants et internes"
    STRUCTURE = "structure", "Structures d'exercice coordonné"


class FormeAide(models.TextChoices):
    SUBVENTION = "subvention", "Subvention"
    AIDE_FORFAITAIRE = "aide-forfaitaire", "Aide forfaitaire"
    BOURSE = "bourse", "Bourse ou allocation d'études"
    PRET = "pret", "Prêt à taux zéro"
    CONTRAT = "contrat", "Contrat ou rémunération garantie"
    MAJORATION = "majoration", "Majoration de rémunération"
    ACCOMPAGNEMENT = "accompagnement", "Accompagnement"
    LOGEMENT = "logement", "Logement"
    SOUTIEN_PSYCHOLOGIQUE = "soutien-psychologique", "Soutien psychologique"


class NatureMontant(models.TextChoices):
    FORFAIT = "forfait", "Montant fixe"
    PLAFOND = "plafond", "Jusqu'à un plafond"
    FOURCHETTE = "fourchette", "Fourchette"
    PAR_MOIS = "par-mois", "Par mois"
    PAR_AN = "par-an", "Par an"
    BAREME = "bareme", "Selon un barème"
    NON_FINANCIERE = "non-financiere", "Aide non financière"


class StatutAide(models.TextChoices):
    BROUILLON = "brouillon", "Brouillon"
    PUBLIEE = "publiee", "Publiée"
    ARCHIVEE = "archivee", "Archivée (dispositif fermé)"
