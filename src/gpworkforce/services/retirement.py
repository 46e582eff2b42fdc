"""Retirement risk of an organisation's practices: RAG per practice and role with the reasons.

Ages come from the loaded age bands (``published``: GPs, and practice nurses where the NHS detailed
file is loaded); a practice and role without age data is
"no age data", never guessed. Thresholds default to ``reference/general.csv`` and can be passed in.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from gpworkforce.model.retirement import AMBER, GREEN, NO_DATA, RED, RULES, band_exit_shares, retirement_risk
from gpworkforce.nomenclature import ROLE_BY_CODE
from gpworkforce.reference.supply import DEFAULT_PRESET, SUPPLY_BANDS, SUPPLY_ROLES, load_supply_reference
from gpworkforce.services.organisations import resolve
from gpworkforce.services.scenario_run import org_info
from gpworkforce.services.supply_inputs import PUBLISHED, REGISTER, practice_inputs
from gpworkforce.services.supply_results import RetirementReport, RetirementSummary
from gpworkforce.services.versions import DataVersion

RAG_WORDS = {RED: "red", AMBER: "amber", GREEN: "green", NO_DATA: "no age data"}
BAND_55 = np.array([b in ("55_59", "60_64", "65_69", "70_plus") for b in SUPPLY_BANDS])
BAND_60 = np.array([b in ("60_64", "65_69", "70_plus") for b in SUPPLY_BANDS])


@dataclass(frozen=True)
class Thresholds:
    """RAG thresholds (shares 0..1); defaults from reference/general.csv."""

    red_share_55: float
    amber_share_55: float
    red_leave_5: float
    amber_leave_5: float

    @classmethod
    def from_reference(cls, general: dict[str, float]) -> Thresholds:
        return cls(
            general["retirement_red_share_55"],
            general["retirement_amber_share_55"],
            general["retirement_red_leave_5"],
            general["retirement_amber_leave_5"],
        )


def _reasons(flags: np.ndarray, share55: float, leave5: float, label: str, rag: int) -> str:
    if rag == NO_DATA:
        return "no age data"
    words = {
        "single_handed_60": f"single-handed {label} aged 60+",
        "share_55_red": f"{share55:.0%} of {label} FTE aged 55+",
        "share_55_amber": f"{share55:.0%} of {label} FTE aged 55+",
        "leave_5_red": f"{leave5:.0%} of {label} FTE expected to leave within 5 years",
        "leave_5_amber": f"{leave5:.0%} of {label} FTE expected to leave within 5 years",
    }
    said = list(dict.fromkeys(words[name] for (name, _), on in zip(RULES, flags, strict=True) if on))
    return "; ".join(said) if said else "below the amber thresholds"


def retirement_report(version: DataVersion, org_code: str, thresholds: Thresholds | None = None) -> RetirementReport:
    """RAG, heads and FTE aged 55+ / 60+ and the expected share of FTE leaving within 2 and 5 years."""
    org = resolve(version, org_code)
    t = thresholds or Thresholds.from_reference(version.reference.general)
    for name, value in vars(t).items():
        if not 0 <= value <= 1:
            raise ValueError(f"threshold {name} must be a share between 0 and 1, not {value}")
    sref = load_supply_reference()
    params = sref.parameters(DEFAULT_PRESET, uncertainty=False)
    inputs = practice_inputs(version.data, org.rows)
    risk = retirement_risk(
        inputs.known, inputs.fte_per_head, inputs.has_age_data, BAND_55, BAND_60,
        band_exit_shares(params, 2), band_exit_shares(params, 5),
        t.red_share_55, t.amber_share_55, t.red_leave_5, t.amber_leave_5,
    )  # fmt: skip
    names = version.data.practices["practice_name"].to_numpy()[org.rows]
    rows = []
    for i, code in enumerate(inputs.practice_codes):
        for j, role in enumerate(SUPPLY_ROLES):
            has = bool(inputs.has_age_data[i, j])
            label = "GP" if role == "gp" else ROLE_BY_CODE[role].label.lower()

            def known(x: np.ndarray, has: bool = has, i: int = i, j: int = j) -> float | None:
                return float(x[i, j]) if has else None

            rag = int(risk.rag[i, j])
            rows.append(
                {
                    "practice_code": code,
                    "practice_name": str(names[i]),
                    "role": role,
                    "age_source": str(inputs.source[i, j]) if has else "no age data",
                    "heads": float(inputs.known[i, j].sum() + inputs.unknown[i, j]),
                    "fte": float(inputs.fte[i, j]),
                    "heads_55_plus": known(risk.heads_55),
                    "heads_60_plus": known(risk.heads_60),
                    "fte_55_plus": known(risk.fte_55),
                    "fte_60_plus": known(risk.fte_60),
                    "share_fte_55_plus": known(risk.share_fte_55),
                    "share_fte_leaving_2y": known(risk.leave_2),
                    "share_fte_leaving_5y": known(risk.leave_5),
                    "rag": RAG_WORDS[rag],
                    "reasons": _reasons(risk.flags[i, j], risk.share_fte_55[i, j], risk.leave_5[i, j], label, rag),
                }
            )
    frame = pd.DataFrame(rows)
    order = {"red": 0, "amber": 1, "green": 2, "no age data": 3}
    if not frame.empty:
        frame = frame.sort_values(
            ["rag", "share_fte_55_plus", "practice_code"], key=lambda c: c.map(order) if c.name == "rag" else c,
            ascending=[True, False, True], na_position="last", kind="stable",
        ).reset_index(drop=True)  # fmt: skip
    gp = risk.rag[:, 0]
    has_gp = inputs.has_age_data[:, 0]
    fte_known = float(risk.fte[has_gp, 0].sum())
    summary = RetirementSummary(
        role="gp",
        practices=len(inputs.practice_codes),
        red=int((gp == RED).sum()),
        amber=int((gp == AMBER).sum()),
        green=int((gp == GREEN).sum()),
        no_age_data=int((gp == NO_DATA).sum()),
        heads_55_plus=float(risk.heads_55[has_gp, 0].sum()),
        heads_60_plus=float(risk.heads_60[has_gp, 0].sum()),
        share_fte_55_plus=float(risk.fte_55[has_gp, 0].sum()) / fte_known if fte_known > 0 else None,
        **vars(t),
    )
    period = version.data.periods.get("gp_age")
    notes = [
        f"GP ages: NHS England GP workforce, practice-level detailed file ({period})"
        if period
        else "no GP age data loaded (`gpworkforce import workforce FILE` with the NHS detailed CSV): every "
        "practice is 'no age data'",
        f"{int((~has_gp).sum()):,} of {len(has_gp):,} practices have no GP age data: RAG 'no age data', not guessed",
        f"practice nurses' ages: NHS detailed file ({version.data.periods['workforce_age']}), age bands of all "
        "the practice's nurses, or a practice's staff register; practices with neither are 'no age data'"
        if version.data.periods.get("workforce_age")
        else "no practice-nurse age data is loaded: practice nurses are 'no age data' unless a practice's staff "
        "register gives their ages",
        "FTE by age = heads by age x the practice's FTE per head (the workforce table gives no FTE by age)",
        "share leaving = expected share of today's FTE retiring (calibrated age hazard) or leaving for other "
        "reasons within 2 and 5 years (reference/supply_presets.csv)",
        f"red: single-handed GP aged 60+, or >= {t.red_share_55:.0%} of FTE aged 55+, or >= {t.red_leave_5:.0%} "
        f"expected to leave within 5 years; amber: >= {t.amber_share_55:.0%} aged 55+ or >= {t.amber_leave_5:.0%} "
        "leaving within 5 years (reference/general.csv)",
    ]
    on_register = int((inputs.source == REGISTER).any(axis=1).sum())
    if on_register:
        notes.append(
            f"{on_register:,} practice(s) take ages, heads and FTE per head from their own staff register "
            "(age from birth year, else age band; source 'register')"
        )
    if (inputs.source == PUBLISHED).any():
        notes.append("GPs of unknown age in a practice's age data are left out of its shares")
    return RetirementReport.build(
        {"practices": frame},
        title=f"Retirement risk: {org.label}",
        organisation=org_info(version, org),
        summary=summary,
        notes=notes,
    )
