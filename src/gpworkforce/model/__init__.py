"""Pure, vectorised workforce model: numpy arrays in, numpy arrays out.

Nothing here reads files, touches a database or knows about HTTP. Array axes follow the
orders in :mod:`gpworkforce.nomenclature`; every function broadcasts over leading axes
(scenarios, years, draws) so one call answers for one practice or for all of England.
"""

from gpworkforce.model.capacity import appointments_per_week, capacity_per_fte_week
from gpworkforce.model.demand import age_sex_expected, need_index
from gpworkforce.model.engine import Levers, ModelInputs, ModelResult, Parameters, run
from gpworkforce.model.grouping import group_sum

__all__ = [
    "Levers",
    "ModelInputs",
    "ModelResult",
    "Parameters",
    "age_sex_expected",
    "appointments_per_week",
    "capacity_per_fte_week",
    "group_sum",
    "need_index",
    "run",
]
