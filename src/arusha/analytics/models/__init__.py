from arusha.analytics.models.contracts import Contract, ContractIndicator
from arusha.analytics.models.data import Dataset, Pseudonym, Reidentification, Run
from arusha.analytics.models.signals import Review, Signal

__all__ = [
    "Contract",
    "ContractIndicator",
    "Dataset",
    "Pseudonym",
    "Reidentification",
    "Review",
    "Run",
    "Signal",
]
