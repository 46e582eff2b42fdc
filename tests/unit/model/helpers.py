"""Small synthetic parameter sets for model tests (no files, no database)."""

from __future__ import annotations

import numpy as np

from gpworkforce.model.engine import Parameters
from gpworkforce.nomenclature import AGE_BANDS, NEED_CODES, ROLE_CODES, SEXES

A, S, C, R = len(AGE_BANDS), len(SEXES), len(NEED_CODES), len(ROLE_CODES)
GP = ROLE_CODES.index("gp")
NURSE = ROLE_CODES.index("practice_nurse")
ACUTE = NEED_CODES.index("acute")
CLINIC = NEED_CODES.index("planned_clinic")


def two_role_parameters(**overrides: object) -> Parameters:
    """GP and practice nurse only; two need categories; round numbers for hand checks."""
    rates = np.ones((A, S))
    rates[AGE_BANDS.index("0_4"), SEXES.index("female")] = 10.0
    rates[AGE_BANDS.index("70_74"), SEXES.index("male")] = 21.0
    share = np.zeros(C)
    share[ACUTE], share[CLINIC] = 0.6, 0.4
    gp_share = np.zeros(C)
    gp_share[ACUTE], gp_share[CLINIC] = 0.5, 0.25
    skills = np.zeros((R, C))
    skills[NURSE, ACUTE], skills[NURSE, CLINIC] = 0.2, 0.5
    delivery = np.zeros((R, C))
    delivery[NURSE, :] = 1.0
    facing = np.zeros(R)
    facing[GP], facing[NURSE] = 0.5, 0.8
    minutes = np.full(R, 15.0)
    minutes[NURSE] = 20.0
    clinical = np.zeros(R, dtype=bool)
    clinical[[GP, NURSE]] = True
    gp_roles = np.zeros(R, dtype=bool)
    gp_roles[GP] = True
    gp_roles[ROLE_CODES.index("gp_locum_trainee")] = True
    cost = np.zeros(R)
    cost[GP], cost[NURSE] = 120.0, 48.0
    base = dict(
        rates=rates,
        scale=1.0,
        need_coefficients=np.zeros(0),
        category_share=share,
        gp_share=gp_share,
        skills=skills,
        delivery_weight=delivery,
        hours_per_fte=37.5,
        weeks_worked=np.full(R, 52.0),
        patient_facing=facing,
        minutes=minutes,
        hourly_cost=cost,
        dna_rate=0.05,
        gp_roles=gp_roles,
        clinical=clinical,
    )
    base.update(overrides)
    return Parameters(**base)  # type: ignore[arg-type]


def small_practice() -> tuple[np.ndarray, np.ndarray]:
    """100 girls aged 0-4 and 200 men aged 70-74; 1 GP FTE and 0.5 nurse FTE."""
    patients = np.zeros((1, A, S))
    patients[0, AGE_BANDS.index("0_4"), SEXES.index("female")] = 100
    patients[0, AGE_BANDS.index("70_74"), SEXES.index("male")] = 200
    fte = np.zeros((1, R))
    fte[0, GP], fte[0, NURSE] = 1.0, 0.5
    return patients, fte
