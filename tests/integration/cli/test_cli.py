"""Integration: the CLI on a national database, and bad input that must change nothing."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from gpworkforce import store
from gpworkforce.cli import app

runner = CliRunner()
PATIENTS_HEADER = "PUBLICATION,EXTRACT_DATE,ORG_TYPE,ORG_CODE,ONS_CODE,POSTCODE,SEX,AGE_GROUP_5,NUMBER_OF_PATIENTS"
CROSSTAB_HEADER = (
    "APPOINTMENT_MONTH_START_DATE,GP_CODE,GP_NAME,SUPPLIER,PCN_CODE,PCN_NAME,SUB_ICB_LOCATION_CODE,"
    "SUB_ICB_LOCATION_NAME,HCP_TYPE,APPT_MODE,NATIONAL_CATEGORY,TIME_BETWEEN_BOOK_AND_APPT,"
    "COUNT_OF_APPOINTMENTS,APPT_STATUS"
)


def state(url: str) -> tuple[str, list[tuple[str, str, int]]]:
    engine = store.make_engine(url)
    with store.session_scope(engine) as s:
        fp = store.database_fingerprint(s)
        ds = store.list_datasets(s)
    engine.dispose()
    return fp, sorted(zip(ds["kind"], ds["period"], ds["rows"], strict=True))


def test_demand_practice_json(db: str) -> None:
    out = runner.invoke(app, ["demand", "A81001", "--format", "json"])
    assert out.exit_code == 0, out.output
    data = json.loads(out.stdout)
    assert data["organisation"]["code"] == "A81001"
    s = data["summary"]
    assert s["appointments_per_week"] == pytest.approx(s["appointments_per_year"] / 52)
    cats = data["tables"]["categories"]
    assert sum(c["appointments_per_year"] for c in cats) == pytest.approx(s["appointments_per_year"])
    assert 0 < s["share_of_gp_work_others_could_take"] < 0.35


def test_gap_by_practice_csv_for_an_icb(db: str) -> None:
    out = runner.invoke(app, ["gap", "QHM", "--by", "practice", "--format", "csv"])
    assert out.exit_code == 0, out.output
    lines = out.stdout.strip().splitlines()
    assert lines[0].startswith("code,name,practices,patients,appointments_per_year,appointments_per_month")
    assert len(lines) > 100  # North East and North Cumbria has ~300 practices


def test_year_and_levers(db: str) -> None:
    base = json.loads(runner.invoke(app, ["gap", "england", "-f", "json"]).stdout)["summary"]
    out = runner.invoke(
        app, ["gap", "england", "--year", "2030", "--shift", "0.3", "--add-fte", "pharmacist=100", "-f", "json"]
    )
    assert out.exit_code == 0, out.output
    later = json.loads(out.stdout)["summary"]
    assert later["year"] == 2030
    assert later["demand_per_week"] > base["demand_per_week"]
    assert later["shifted_from_gps_per_week"] > 0


def test_capacity_standard_option_on_capacity_and_gap(db: str) -> None:
    gap = {}
    for standard in ("reference", "throughput", "safe"):
        out = runner.invoke(app, ["gap", "england", "--capacity-standard", standard, "-f", "json"])
        assert out.exit_code == 0, out.output
        body = json.loads(out.stdout)
        assert body["summary"]["capacity_standard"] == standard
        assert any(n.startswith(f"capacity standard: {standard}") for n in body["notes"])
        gap[standard] = body["summary"]["gap_per_week"]
    default = json.loads(runner.invoke(app, ["gap", "england", "-f", "json"]).stdout)["summary"]
    assert default["capacity_standard"] == "reference" and default["gap_per_week"] == gap["reference"]
    # demand is calibrated to the appointments delivered, so at throughput England's gap is ~0
    assert abs(gap["throughput"]) < 0.01 * default["demand_per_week"]
    assert gap["safe"] < gap["reference"]  # 25 contacts a day is more than the 15-minute slots
    out = runner.invoke(app, ["capacity", "QHM", "--capacity-standard", "safe", "-f", "csv"])
    assert out.exit_code == 0, out.output
    gp_row = next(line for line in out.stdout.splitlines() if line.startswith("gp,"))
    assert ",103.4," in gp_row  # 25 x 5 x 43 / 52 = 103.37 slots per FTE-week, 1 decimal from 100 up


def test_benchmark_table(db: str) -> None:
    out = runner.invoke(app, ["benchmark", "A81001"])
    assert out.exit_code == 0, out.output
    assert "England" in out.stdout and "PCN" in out.stdout


@pytest.mark.parametrize(
    "args, message",
    [
        (["demand", "ZZZ999"], "unknown organisation"),
        (["gap", "england", "--by", "ward"], "--by must be one of"),
        (["gap", "england", "--add-fte", "wizard=1"], "unknown role"),
        (["gap", "england", "--shift", "1.5"], "shift_share"),
        (["gap", "england", "--capacity-standard", "fastest"], "--capacity-standard"),
        (["capacity", "QHM", "--capacity-standard", "wisn"], "'wisn' is not one of"),
    ],
)
def test_bad_arguments_exit_non_zero(db: str, args: list[str], message: str) -> None:
    out = runner.invoke(app, args)
    assert out.exit_code != 0
    assert message in out.output


def _write(path: Path, text: str) -> Path:
    path.write_text(text)
    return path


def _bad_files(tmp: Path, shared: Path | None) -> dict[str, tuple[str, Path, list[str]]]:
    files = {
        "missing column": (
            "patients",
            _write(
                tmp / "patients_missing.csv",
                PATIENTS_HEADER.replace(",SEX", ",GENDER")
                + "\nGP_PRAC_PAT_LIST,2026-08-01,GP,A81001,,TS18 1HU,ALL,ALL,10\n",
            ),
            ["SEX"],
        ),
        "non-numeric count": (
            "patients",
            _write(
                tmp / "patients_text.csv",
                PATIENTS_HEADER
                + "\nGP_PRAC_PAT_LIST,2026-08-01,GP,A81001,,TS18 1HU,ALL,ALL,10"
                + "\nGP_PRAC_PAT_LIST,2026-08-01,GP,A81001,,TS18 1HU,FEMALE,0_4,abc\n",
            ),
            ["row 3", "NUMBER_OF_PATIENTS"],
        ),
        "empty file": ("patients", _write(tmp / "empty.csv", ""), ["empty.csv"]),
        "unknown practice": (
            "appointments",
            _write(
                tmp / "appts.csv",
                CROSSTAB_HEADER
                + "\n01DEC2025,A81001,X,TPP,U1,P,16C,S,GP,Telephone,Clinical Triage,Same Day,5,Attended"
                + "\n01DEC2025,ZZZ999,X,TPP,U1,P,16C,S,GP,Telephone,Clinical Triage,Same Day,5,Attended\n",
            ),
            ["row 3", "GP_CODE", "ZZZ999"],
        ),
        "unknown category": (
            "appointments",
            _write(
                tmp / "appts_cat.csv",
                CROSSTAB_HEADER + "\n01DEC2025,A81001,X,TPP,U1,P,16C,S,GP,Telephone,Astrology,Same Day,5,Attended\n",
            ),
            ["row 2", "NATIONAL_CATEGORY"],
        ),
    }
    if shared is not None:
        files["wrong kind of file"] = ("patients", shared / "gp-reg-pat-prac-map_2026-07.csv.gz", ["mapping"])
    return files


@pytest.mark.parametrize(
    "case",
    ["missing column", "non-numeric count", "empty file", "unknown practice", "unknown category", "wrong kind of file"],
)
def test_bad_imports_change_nothing(db: str, tmp_path: Path, case: str, request: pytest.FixtureRequest) -> None:
    shared = request.getfixturevalue("shared_data") if case == "wrong kind of file" else None
    kind, path, expected = _bad_files(tmp_path, shared)[case]
    before = state(db)
    out = runner.invoke(app, ["import", kind, str(path)])
    assert out.exit_code != 0, out.output
    for text in [path.name, *expected]:
        assert text in out.output, f"{text!r} not in: {out.output}"
    assert state(db) == before


def test_reimport_same_month_replaces_and_new_month_is_kept(db: str, tmp_path: Path) -> None:
    rows = [PATIENTS_HEADER, "GP_PRAC_PAT_LIST,2026-08-01,GP,A81001,,TS18 1HU,ALL,ALL,30"]
    for sex in ("FEMALE", "MALE"):
        for band in ("0_4", "5_9"):
            rows.append(
                f"GP_PRAC_PAT_LIST,2026-08-01,GP,A81001,,TS18 1HU,{sex},{band},"
                + ("10" if (sex, band) == ("FEMALE", "0_4") else "0" if band == "5_9" else "20")
            )
    path = tmp_path / "gp-reg-pat-prac-quin-age.csv.gz"
    with gzip.open(path, "wt") as fh:
        fh.write("\n".join(rows) + "\n")
    # One practice after England's 6,139: deliberate, so --allow-shrink (refused without it).
    refused = runner.invoke(app, ["import", "patients", str(path)])
    assert refused.exit_code != 0 and "--allow-shrink" in refused.output
    first = runner.invoke(app, ["import", "patients", str(path), "--allow-shrink"])
    assert first.exit_code == 0, first.output
    again = runner.invoke(app, ["import", "patients", str(path), "--allow-shrink"])
    assert again.exit_code == 0 and "replaced" in again.output
    _, datasets = state(db)
    periods = [p for k, p, _ in datasets if k == "patients"]
    assert periods == ["2026-07", "2026-08"]


def test_import_a_zip_as_published(db: str, tmp_path: Path) -> None:
    """A crosstab zip with two regional CSVs and Mapping.csv, as NHS England publishes it."""
    import zipfile

    rows_a = "\n01DEC2025,A81001,X,TPP,U1,P,16C,S,GP,Telephone,Clinical Triage,Same Day,5,Attended"
    rows_b = "\n01DEC2025,A81002,X,TPP,U1,P,16C,S,Other Practice staff,Face-to-Face,Planned Clinics,1 Day,7,DNA"
    path = tmp_path / "Practice_Level_Crosstab_Dec_25.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("Practice_Level_Crosstab_Dec_25/NORTH.csv", CROSSTAB_HEADER + rows_a + "\n")
        zf.writestr("Practice_Level_Crosstab_Dec_25/SOUTH.csv", CROSSTAB_HEADER + rows_b + "\n")
    out = runner.invoke(app, ["import", "appointments", str(path), "--allow-shrink"])  # 2 practices of England's
    assert out.exit_code == 0, out.output
    engine = store.make_engine(db)
    with store.session_scope(engine) as s:
        frame, period = store.load_frame(s, "appointments", "2025-12")
    engine.dispose()
    assert period == "2025-12" and frame["appointments"].sum() == 12


def test_import_a_corrupt_zip_changes_nothing(db: str, tmp_path: Path) -> None:
    path = tmp_path / "broken.zip"
    path.write_bytes(b"PK\x03\x04" + b"\x00" * 40)
    before = state(db)
    out = runner.invoke(app, ["import", "patients", str(path)])
    assert out.exit_code != 0 and "broken.zip" in out.output
    assert state(db) == before


def test_json_is_strict_and_tables_print_whole(db: str) -> None:
    """A role with 0 FTE has no capacity-to-demand ratio: JSON gives null (NaN is not JSON); the
    table view written to a pipe keeps every column and label (no "…" at 80 columns) and the year
    reads 2026, not 2,026."""
    out = runner.invoke(app, ["gap", "A81001", "--format", "json"])
    assert out.exit_code == 0, out.output
    assert "NaN" not in out.stdout
    roles = {r["role"]: r for r in json.loads(out.stdout)["tables"]["roles"]}
    assert roles["physician_associate"]["fte"] == 0 and roles["physician_associate"]["capacity_to_demand"] is None
    table = runner.invoke(app, ["gap", "A81001"]).stdout
    assert "…" not in table
    assert "GP (qualified, permanent)" in table and "capacity to demand" in table
    assert " 2026 " in table and "2,026" not in table


def test_removing_more_fte_than_there_are_exits_with_the_reason(db: str) -> None:
    out = runner.invoke(app, ["gap", "A81001", "--add-fte", "gp=-1000"])
    assert out.exit_code == 2
    assert "removes more GP (qualified, permanent) FTE than" in out.output
    assert runner.invoke(app, ["gap", "A81001", "--add-fte", "gp=-1"]).exit_code == 0
