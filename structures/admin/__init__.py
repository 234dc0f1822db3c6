"""Back-office of supported structures and professionals (Django admin)."""

from structures.admin.imports_en_tache import ImportEnTacheAdmin
from structures.admin.professionnels import ProfessionnelSoutenuAdmin
from structures.admin.profils import ProfilAgentAdmin
from structures.admin.structures import StructureAdmin

__all__ = ["ImportEnTacheAdmin", "ProfessionnelSoutenuAdmin", "ProfilAgentAdmin", "StructureAdmin"]
