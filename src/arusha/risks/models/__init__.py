"""The models of the risks context (corruption risk mapping)."""

from arusha.risks.models.cycle import Cycle, CycleMember, Evidence
from arusha.risks.models.library import Matrix, MatrixStatus, Process, Scenario
from arusha.risks.models.register import (
    RESTRICTED_FIELDS,
    STAGES,
    Acceptance,
    Control,
    Indicator,
    RatingSnapshot,
    Reading,
    Risk,
    Treatment,
)

__all__ = [
    "RESTRICTED_FIELDS",
    "STAGES",
    "Acceptance",
    "Control",
    "Cycle",
    "CycleMember",
    "Evidence",
    "Indicator",
    "Matrix",
    "MatrixStatus",
    "Process",
    "RatingSnapshot",
    "Reading",
    "Risk",
    "Scenario",
    "Treatment",
]
