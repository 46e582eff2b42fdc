"""The scenario panel's fields, and conversion between query strings / forms and ``Scenario``.

One definition serves the sliders on every organisation page, share links (the scenario
is the query string) and the API. The levers, their labels and bounds are derived from the
``Scenario`` model's fields (declared there once); invalid values become a
:class:`ScenarioError` built from ``ValidationError.errors()`` (location, type, bound).
Units are the Scenario's own: shares and rates are fractions (0.3 = 30%).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

from pydantic import ValidationError
from pydantic_core import ErrorDetails

from gpworkforce.nomenclature import ROLE_BY_CODE
from gpworkforce.scenario import ADDED_FTE_RANGE, MINUTES_RANGE, Scenario

#: The capacity-standard select: its label, hint and options, from the Scenario field.
_STANDARD_EXTRA: Final = Scenario.model_fields["capacity_standard"].json_schema_extra
assert isinstance(_STANDARD_EXTRA, dict)
STANDARD_LABEL: Final = str(_STANDARD_EXTRA["title"])
STANDARD_HINT: Final = str(_STANDARD_EXTRA["hint"])
STANDARD_OPTIONS: Final[dict[str, str]] = dict(_STANDARD_EXTRA["options"])  # type: ignore[arg-type]

#: Roles offered for "added FTE" and "slot minutes" on the panel (the rest via the API).
PANEL_ROLES: tuple[str, ...] = (
    "gp",
    "anp",
    "practice_nurse",
    "hca",
    "pharmacist",
    "physiotherapist",
    "paramedic",
    "physician_associate",
    "mental_health",
    "social_prescriber",
)
#: The panel's sliders, top to bottom (each a Scenario field with presentation metadata).
#: Longest text read as a number, and the largest magnitude any scenario setting may have: far
#: beyond every field's own range (years, FTE, minutes), small enough for int() and float maths.
MAX_NUMBER_TEXT: Final = 40
MAX_MAGNITUDE: Final = 1e9
PANEL_ORDER: Final = ("year", "shift_share", "dna_rate", "demand_change", "growth_rate")
#: The calibration switches of the panel (checkboxes), top to bottom.
CALIBRATION_FIELDS: Final = ("subicb_calibration", "local_calibration")
#: Sent by the panel beside its calibration checkboxes: an unticked box (which a form does not
#: send) then means "off"; without it (a share link, the API) a missing field keeps the default.
CALIBRATION_SET: Final = "calibration_set"
#: Query fields that shape the page, not the scenario (scenario_from_params refuses them).
PRESENTATION_KEYS: Final = frozenset(
    {"sort", "dir", "by", "panel", "dna_rate_set", "growth_rate_set", CALIBRATION_SET, "month"}
)
#: Levers whose default is "not set" (a range input always sends a value): the panel pairs each
#: with a checkbox, and the lever counts only when the box is ticked.
OPTIONAL_LEVERS: Final = {"dna_rate": "dna_rate_set", "growth_rate": "growth_rate_set"}
#: Fields of the surrounding forms (saving, downloads, sorting), not of the scenario.
_FORM_KEYS: Final = frozenset(
    {"csrf_token", "name", "shared", "org", "format", "download", "scenario", "sort", "dir", "by"}
)
_TRUE: Final = frozenset({"1", "true", "on", "yes"})


def _switch(name: str) -> tuple[str, str]:
    extra = Scenario.model_fields[name].json_schema_extra
    assert isinstance(extra, dict), f"Scenario.{name} has no panel metadata"
    return str(extra["title"]), str(extra["hint"])


#: Label and plain-English hint of each calibration switch, from the Scenario field.
CALIBRATION_SWITCHES: Final = {name: _switch(name) for name in CALIBRATION_FIELDS}


@dataclass(frozen=True)
class Lever:
    """One slider or input: the Scenario field it sets and how to present it.

    ``minimum``/``maximum`` are the slider's range; ``valid_min``/``valid_max`` what the
    Scenario accepts (a share link or the API may go beyond the slider).
    """

    name: str
    label: str
    minimum: float
    maximum: float
    step: float
    default: float | None
    unit: str  # "%" (shown x100), "year", "minutes", "FTE", "" ...
    hint: str
    valid_min: float | None = None
    valid_max: float | None = None


def field_bounds(name: str) -> tuple[float | None, float | None]:
    """(ge, le) of a Scenario field, from its declaration."""
    low = high = None
    for meta in Scenario.model_fields[name].metadata:
        low = getattr(meta, "ge", low)
        high = getattr(meta, "le", high)
    return low, high


def _lever(name: str) -> Lever:
    field = Scenario.model_fields[name]
    extra = field.json_schema_extra
    assert isinstance(extra, dict), f"Scenario.{name} has no panel metadata"
    low, high = field_bounds(name)
    default = field.default if isinstance(field.default, int | float) else None
    return Lever(
        name,
        str(extra["title"]),
        float(extra["panel_min"]),  # type: ignore[arg-type]
        float(extra["panel_max"]),  # type: ignore[arg-type]
        float(extra["step"]),  # type: ignore[arg-type]
        None if default is None else float(default),
        str(extra["unit"]),
        str(extra["hint"]),
        low,
        high,
    )


LEVERS: tuple[Lever, ...] = tuple(_lever(name) for name in PANEL_ORDER)
_LEVER_BY_NAME: Final = {lever.name: lever for lever in LEVERS}


def role_label(role: str) -> str:
    """Display label of a role code."""
    return ROLE_BY_CODE[role].label


# --- Errors -------------------------------------------------------------------------------------


def field_id(name: str) -> str:
    """HTML id of a panel control (``added_fte.gp`` -> ``lever-added_fte-gp``)."""
    return "lever-" + name.replace(".", "-")


def field_label(name: str) -> str:
    """What the panel calls a scenario field, for error messages."""
    if name in _LEVER_BY_NAME:
        return _LEVER_BY_NAME[name].label
    if name == "capacity_standard":
        return STANDARD_LABEL
    if name in CALIBRATION_SWITCHES:
        return CALIBRATION_SWITCHES[name][0]
    if name == "month":
        return "Month"
    prefix, _, role = name.partition(".")
    if role in ROLE_BY_CODE:
        label = ROLE_BY_CODE[role].label
        if prefix == "added_fte":
            return f"Extra FTE: {label}"
        if prefix == "minutes":
            return f"Slot length in minutes: {label}"
    return name


@dataclass(frozen=True)
class FieldProblem:
    """One invalid scenario field: ``field`` (query name), its panel ``label`` and the ``message``."""

    field: str
    label: str
    message: str

    @property
    def field_id(self) -> str:
        return field_id(self.field)


def field_problem(field: str, detail: str) -> FieldProblem:
    """A problem with ``field``, its message starting with the panel's label."""
    label = field_label(field)
    return FieldProblem(field, label, f"{label}: {detail}")


class ScenarioError(ValueError):
    """Every invalid scenario field at once (``problems``), so a form shows them all together.

    ``field``, ``label``, ``message`` and ``field_id`` are the first problem's, for callers that
    name one field; ``str(error)`` joins every message.
    """

    def __init__(self, field: str | None = None, detail: str = "", *, problems: tuple[FieldProblem, ...] = ()) -> None:
        if field is not None:
            problems = (field_problem(field, detail), *problems)
        if not problems:
            raise ValueError("a ScenarioError needs at least one problem")
        self.problems = problems
        first = problems[0]
        self.field = first.field
        self.label = first.label
        self.message = first.message
        super().__init__("; ".join(p.message for p in problems))

    @property
    def field_id(self) -> str:
        return field_id(self.field)

    @property
    def error_list(self) -> list[dict[str, str]]:
        """The NHS error summary's items: every message, linked to its control."""
        return [{"text": p.message, "href": f"#{p.field_id}"} for p in self.problems]


def _shown(name: str, limit: float) -> str:
    lever = _LEVER_BY_NAME.get(name)
    return f"{limit * 100:g}%" if lever is not None and lever.unit == "%" else f"{limit:g}"


def scenario_error(error: ErrorDetails) -> FieldProblem:
    """One of ``ValidationError.errors()`` as a message naming the panel's label."""
    loc = [str(part) for part in error["loc"] if part != "[key]"]
    name = ".".join(loc[:2]) or "scenario"
    ctx = error.get("ctx") or {}
    kind = error["type"]
    if kind in ("less_than_equal", "greater_than_equal") and len(loc) == 2:
        role = loc[1]
        if loc[0] == "minutes":
            return field_problem(
                name, f"minutes for {role} must be between {MINUTES_RANGE[0]:g} and {MINUTES_RANGE[1]:g}"
            )
        return field_problem(name, f"added FTE for {role} is out of range")
    if kind == "less_than_equal":
        return field_problem(name, f"must be at most {_shown(name, float(ctx['le']))}")
    if kind == "greater_than_equal":
        return field_problem(name, f"must be at least {_shown(name, float(ctx['ge']))}")
    detail = str(error["msg"]).removeprefix("Value error, ")
    return field_problem(name, detail[:1].lower() + detail[1:])


# --- Query strings ------------------------------------------------------------------------------


def _number(value: str, name: str, problems: list[FieldProblem]) -> float | None:
    """The number in ``value``; None when empty, or (noting the problem) when not a number."""
    value = value.strip()
    if value == "":
        return None
    number = float("nan")
    if len(value) <= MAX_NUMBER_TEXT:
        try:
            number = float(value)
        except ValueError:
            problems.append(field_problem(name, f"{value[:40]!r} is not a number"))
            return None
    # inf, nan and 1e400 (inf once parsed) would reach int() and the model; no setting needs more
    # than MAX_MAGNITUDE, so anything larger (or longer) is refused here, before any arithmetic.
    if not math.isfinite(number) or abs(number) > MAX_MAGNITUDE:
        problems.append(field_problem(name, f"{value[:40]!r} is not a finite number of sensible size"))
        return None
    return number


def scenario_from_params(params: Mapping[str, Any], *, strict: bool = True) -> Scenario:
    """Build a Scenario from query or form fields; raises :class:`ScenarioError` naming every bad field.

    Fields: the Scenario's own names (``year``, ``shift_share``, ``dna_rate``,
    ``demand_change``, ``growth_rate``, ``local_calibration``, ``subicb_calibration``,
    ``capacity_standard``) plus ``added_fte.<role>`` and
    ``minutes.<role>``. Empty values mean "not set". Unknown fields are refused when ``strict``
    (the API, saved forms) and ignored otherwise (pages: links pass through mail trackers that
    add ``utm_source`` and the like).
    """
    fields: dict[str, Any] = {}
    added: dict[str, float] = {}
    minutes: dict[str, float] = {}
    problems: list[FieldProblem] = []
    for key, raw in params.items():
        if key in _FORM_KEYS:
            continue  # belong to the surrounding form, not the scenario
        value = str(raw)
        if key.startswith("added_fte."):
            number = _number(value, key, problems)
            if number:
                added[key.split(".", 1)[1]] = number
        elif key.startswith("minutes."):
            number = _number(value, key, problems)
            if number is not None:
                minutes[key.split(".", 1)[1]] = number
        elif key in ("local_calibration", "subicb_calibration"):
            fields[key] = value.lower() in _TRUE
        elif key == "capacity_standard":
            if value.strip():
                fields[key] = value.strip()
        elif key in Scenario.model_fields:
            number = _number(value, key, problems)
            if number is not None:
                if key == "year" and not number.is_integer():
                    problems.append(field_problem(key, f"{value[:40]!r} is not a whole year"))
                else:
                    fields[key] = int(number) if key == "year" else number
        elif strict:
            problems.append(field_problem(key, "not a scenario setting"))
    try:
        scenario = Scenario(**fields, added_fte=added, minutes=minutes)
    except ValidationError as exc:
        problems.extend(scenario_error(error) for error in exc.errors())
        scenario = None
    if problems:
        raise ScenarioError(problems=_distinct(problems))
    assert scenario is not None
    return scenario


def _form_position(field: str) -> tuple[int, str]:
    """Where a field sits on the panel (levers, standard, extra FTE, minutes, the rest), for the summary."""
    order = (*PANEL_ORDER, "capacity_standard")
    if field in order:
        return order.index(field), ""
    prefix, _, role = field.partition(".")
    rank = {"added_fte": len(order), "minutes": len(order) + 1}.get(prefix, len(order) + 2)
    return rank, str(PANEL_ROLES.index(role)).zfill(3) if role in PANEL_ROLES else role


def _distinct(problems: list[FieldProblem]) -> tuple[FieldProblem, ...]:
    """One problem per field (the first found), in the panel's order, top to bottom."""
    seen: dict[str, FieldProblem] = {}
    for problem in problems:
        seen.setdefault(problem.field, problem)
    return tuple(sorted(seen.values(), key=lambda p: _form_position(p.field)))


def parse_scenario(
    params: Mapping[str, str], base_year: int, *, strict: bool = True
) -> tuple[Scenario, dict[str, str]]:
    """The scenario a page's query string describes, and its canonical share-link fields.

    Presentation fields (sort, dir, by, month) are set aside. A request from the panel form
    (``panel=1``) counts the DNA and growth-rate sliders only when their checkbox is ticked,
    and with ``calibration_set=1`` an unticked calibration switch means off;
    a share link carries only the fields that differ from the baseline, so it needs no boxes.
    The base year counts as "no projection". Unknown fields: see :func:`scenario_from_params`.
    Raises :class:`ScenarioError`.
    """
    fields = {k: v for k, v in params.items() if k not in PRESENTATION_KEYS}
    if params.get("panel"):
        for lever, toggle in OPTIONAL_LEVERS.items():
            if not params.get(toggle):
                fields.pop(lever, None)
    if params.get(CALIBRATION_SET):
        for name in CALIBRATION_FIELDS:
            fields.setdefault(name, "false")  # an unticked checkbox is not sent
    scenario = scenario_from_params(fields, strict=strict)
    if scenario.year == base_year:
        scenario = scenario.model_copy(update={"year": None})
    return scenario, scenario.changed_fields()


__all__ = [
    "ADDED_FTE_RANGE",
    "CALIBRATION_FIELDS",
    "CALIBRATION_SET",
    "CALIBRATION_SWITCHES",
    "LEVERS",
    "MINUTES_RANGE",
    "OPTIONAL_LEVERS",
    "PANEL_ROLES",
    "PRESENTATION_KEYS",
    "STANDARD_LABEL",
    "STANDARD_OPTIONS",
    "FieldProblem",
    "Lever",
    "ScenarioError",
    "field_bounds",
    "field_id",
    "field_label",
    "field_problem",
    "parse_scenario",
    "role_label",
    "scenario_error",
    "scenario_from_params",
]
