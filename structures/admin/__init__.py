"""Back-office of supported structures and professionals (Django admin)."""

from .professionnels import ProfessionnelSoutenuAdmin
from .profils import ProfilAgentAdmin
from .structures import StructureAdmin

__all__ = ["ProfessionnelSoutenuAdmin", "ProfilAgentAdmin", "StructureAdmin"]
