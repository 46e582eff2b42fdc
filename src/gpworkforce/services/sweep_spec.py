"""The scenarios of a sweep: a grid (the cartesian product of lever values) or a file (a JSON list
or a CSV of scenario fields), each checked by the :class:`~gpworkforce.scenario.Scenario` model.

Why a module of its own: bad input must be refused before any work starts, with a message that
names the ``--grid`` item or the file, row and field, so a sweep of hours never dies on row 900.
Per-role levers are written ``added_fte.ROLE`` and ``minutes.ROLE`` (the spelling of
``Scenario.changed_fields``) in grids and CSV headers; a JSON item is a scenario object as-is.
"""

from __future__ import annotations

import csv
import difflib
import itertools
import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, Final

from pydantic import ValidationError

from gpworkforce.scenario import Scenario

#: Most scenarios one sweep may hold (a grid's product grows fast; 10,000 x England is ~1.1e9 rows).
MAX_SCENARIOS: Final = 10_000
#: Fields written per role (``added_fte.pharmacist``).
PER_ROLE: Final = ("added_fte", "minutes")
#: Cell texts read as "not set" (the field's default, e.g. year None = the patients file's year).
NONE_TEXTS: Final = frozenset({"", "none", "null"})


class SweepInputError(ValueError):
    """A grid or scenario file that cannot be swept; the message names where and what."""


def _field_name(name: str, where: str) -> tuple[str, str | None]:
    """``(field, role)`` of a grid or CSV column name, refusing unknown fields with a suggestion."""
    field, _, role = name.strip().partition(".")
    if field in PER_ROLE and role:
        return field, role
    if field in Scenario.model_fields and field not in PER_ROLE and not role:
        return field, None
    known = [f for f in Scenario.model_fields if f not in PER_ROLE] + [f"{f}.ROLE" for f in PER_ROLE]
    close = difflib.get_close_matches(name, known, n=1)
    hint = f" (did you mean {close[0]}?)" if close else ""
    raise SweepInputError(f"{where}: unknown scenario field {name!r}{hint}; expected one of {', '.join(known)}")


def _value(text: str) -> str | None:
    """A cell or grid value as text for pydantic to convert, or None for "not set"."""
    text = text.strip()
    return None if text.lower() in NONE_TEXTS else text


def _scenario(fields: Mapping[tuple[str, str | None], Any], where: str) -> Scenario:
    """The scenario ``fields`` describe; a bad value is refused naming ``where`` and the field."""
    data: dict[str, Any] = {}
    for (field, role), value in fields.items():
        if role is None:
            if value is not None:
                data[field] = value
        elif value is not None:
            data.setdefault(field, {})[role] = value
    return _validated(data, where)


def _validated(data: Any, where: str) -> Scenario:
    try:
        return Scenario.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        loc = ".".join(str(part) for part in first["loc"] if part != "[key]") or "scenario"
        value = first.get("input")
        shown = f" (got {str(value)[:80]!r})" if isinstance(value, str | int | float) else ""
        raise SweepInputError(f"{where}, field {loc}: {first['msg']}{shown}") from None


def _checked(scenarios: list[Scenario], where: str) -> list[Scenario]:
    if not scenarios:
        raise SweepInputError(f"{where}: no scenarios to sweep")
    if len(scenarios) > MAX_SCENARIOS:
        raise SweepInputError(f"{where}: {len(scenarios):,} scenarios; a sweep holds at most {MAX_SCENARIOS:,}")
    return scenarios


def grid_scenarios(items: Iterable[str]) -> list[Scenario]:
    """Every combination of ``FIELD=V1,V2,...`` items (the last item varies fastest).

    ``year=2026,2030 shift_share=0,0.2`` gives four scenarios; ``none`` (or nothing) leaves a
    field at its default in that combination.
    """
    axes: list[tuple[tuple[str, str | None], list[str | None]]] = []
    seen: set[tuple[str, str | None]] = set()
    for item in items:
        where = f"--grid {item!r}"
        name, sep, values = item.partition("=")
        if not sep:
            raise SweepInputError(f"{where}: expected FIELD=VALUE,VALUE,... e.g. shift_share=0,0.1,0.2")
        key = _field_name(name, where)
        if key in seen:
            raise SweepInputError(f"{where}: {name.strip()} is given twice; list all its values in one --grid")
        seen.add(key)
        axes.append((key, [_value(v) for v in values.split(",")]))
    if not axes:
        raise SweepInputError("--grid: no scenarios to sweep (give FIELD=VALUE,VALUE,...)")
    if _product_size(len(v) for _, v in axes) > MAX_SCENARIOS:
        raise SweepInputError(f"--grid: the grid has more than {MAX_SCENARIOS:,} scenarios")
    keys = [k for k, _ in axes]
    out = []
    for combo in itertools.product(*(values for _, values in axes)):
        where = "--grid " + " ".join(
            f"{k[0]}{'.' + k[1] if k[1] else ''}={v}" for k, v in zip(keys, combo, strict=True)
        )
        out.append(_scenario(dict(zip(keys, combo, strict=True)), where))
    return _checked(out, "--grid")


def _product_size(sizes: Iterable[int]) -> int:
    total = 1
    for size in sizes:
        total *= size
    return total


def file_scenarios(path: Path) -> list[Scenario]:
    """Scenarios from a ``.json`` file (a list of scenario objects) or a ``.csv`` file (a header of
    field names, one scenario a row; an empty cell leaves the field at its default)."""
    name = path.name
    suffix = path.suffix.lower()
    if suffix not in (".json", ".csv"):
        raise SweepInputError(f"{name}: a scenario file is .json (a list of scenarios) or .csv (one a row)")
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise SweepInputError(f"{name}: cannot read it ({exc})") from None
    return _checked(_json_scenarios(text, name) if suffix == ".json" else _csv_scenarios(text, name), name)


def _json_scenarios(text: str, name: str) -> list[Scenario]:
    try:
        items = json.loads(text)
    except json.JSONDecodeError as exc:
        raise SweepInputError(f"{name}: not JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}") from None
    if not isinstance(items, list):
        raise SweepInputError(f"{name}: expected a JSON list of scenario objects, got {type(items).__name__}")
    if len(items) > MAX_SCENARIOS:
        raise SweepInputError(f"{name}: {len(items):,} scenarios; a sweep holds at most {MAX_SCENARIOS:,}")
    out = []
    for number, item in enumerate(items, start=1):
        where = f"{name}, scenario {number}"
        if not isinstance(item, dict):
            raise SweepInputError(f"{where}: expected a scenario object, got {type(item).__name__}")
        out.append(_validated(item, where))
    return out


def _csv_scenarios(text: str, name: str) -> list[Scenario]:
    reader = csv.reader(text.splitlines())
    header = next(reader, None)
    if not header:
        raise SweepInputError(f"{name}: empty file; expected a header of scenario fields")
    keys = [_field_name(column, f"{name}, row 1 (header), column {column!r}") for column in header]
    if len(set(keys)) < len(keys):
        raise SweepInputError(f"{name}, row 1 (header): a column is named twice")
    out: list[Scenario] = []
    for line, row in enumerate(reader, start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(header):
            raise SweepInputError(f"{name}, row {line}: {len(row)} cells, the header has {len(header)}")
        if len(out) >= MAX_SCENARIOS:
            raise SweepInputError(f"{name}: more than {MAX_SCENARIOS:,} scenarios")
        fields = {key: _value(cell) for key, cell in zip(keys, row, strict=True)}
        out.append(_scenario(fields, f"{name}, row {line}"))
    return out
