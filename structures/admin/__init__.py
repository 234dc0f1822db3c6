"""Back-office of supported structures and professionals (Django admin)."""

from structures.admin.professionnels import ProfessionnelSoutenuAdmin
from structures.admin.profils import ProfilAgentAdmin
from structures.admin.structures import StructureAdmin

__all__ = ["ProfessionnelSoutenuAdmin", "ProfilAgentAdmin", "StructureAdmin"]
