"""Each reader on small synthetic files in the published layouts (no shared data needed)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from ingest_synth import (
    CROSSTAB_HEADER,
    GPAD_MAPPING_HEADER,
    HEEC_HEADER,
    MAPPING_HEADER,
    PATIENTS_HEADER,
    PCN_HEADER,
    SUBICB_HEADER,
    crosstab_row,
    mapping_row,
    patients_rows,
    pcn_row,
    subicb_row,
    write_csv,
)

from gpworkforce.ingest import (
    IngestError,
    read_any,
    read_appointments,
    read_heec_workforce,
    read_heec_workforce_all_years,
    read_imd,
    read_mapping,
    read_patients,
    read_pcn_workforce,
    read_population_projection,
    read_qof,
    sniff,
)
from gpworkforce.nomenclature import AGE_BANDS, SEXES


def _counts(seed: int) -> dict[tuple[str, str], int]:
    return {
        (sex, band): (seed * 7 + i * 3 + j) % 50
        for i, sex in enumerate(("FEMALE", "MALE"))
        for j, band in enumerate(AGE_BANDS)
    }


# --- patients ----------------------------------------------------------------------------


def test_patients_long_frame_in_nomenclature_order(tmp_path: Path) -> None:
    counts = {"B00002": _counts(2), "A00001": _counts(1)}
    path = write_csv(tmp_path / "gp-reg-pat-prac-quin-age.csv.gz", PATIENTS_HEADER, patients_rows(counts), gz=True)
    result = read_patients(path)
    frame = result.frame
    assert result.kind == "patients" and result.period == "2026-07"
    assert list(frame.columns) == ["practice_code", "sex", "age_band", "patients"]
    assert frame["patients"].dtype == "int64"
    assert len(frame) == 2 * len(SEXES) * len(AGE_BANDS)
    assert frame["practice_code"].iloc[0] == "A00001"
    assert list(frame["age_band"].iloc[:20]) == list(AGE_BANDS)
    assert list(frame["sex"].iloc[[0, 20]]) == ["female", "male"]
    assert frame["patients"].sum() == sum(sum(c.values()) for c in counts.values())
    assert result.rows_read == len(patients_rows(counts))


def test_patients_extract_date_in_ddmmmyyyy_form(tmp_path: Path) -> None:
    rows = patients_rows({"A00001": _counts(1)}, extract="01Jul2026")
    assert read_patients(write_csv(tmp_path / "p.csv", PATIENTS_HEADER, rows)).period == "2026-07"


def test_patients_band_sum_must_match_practice_total(tmp_path: Path) -> None:
    rows = patients_rows({"A00001": _counts(1), "A00002": _counts(2)}, with_sex_totals=False)
    total_row = next(i for i, r in enumerate(rows) if r[3] == "A00002" and r[6] == "ALL")
    rows[total_row][8] = int(str(rows[total_row][8])) + 5
    path = write_csv(tmp_path / "patients.csv", PATIENTS_HEADER, rows)
    with pytest.raises(IngestError) as info:
        read_patients(path)
    err = info.value
    assert "practice A00002" in str(err)
    assert err.row == total_row + 2 and err.column == "NUMBER_OF_PATIENTS"


def test_patients_missing_cells_are_zero(tmp_path: Path) -> None:
    rows = [r for r in patients_rows({"A00001": _counts(3)}) if not (r[6] == "MALE" and r[7] == "95+")]
    for r in rows:
        if r[6] == "ALL" and r[3] == "A00001":
            r[8] = sum(v for (s, b), v in _counts(3).items() if (s, b) != ("MALE", "95+"))
        if r[6] == "MALE" and r[7] == "ALL":
            r[8] = sum(v for (s, b), v in _counts(3).items() if s == "MALE" and b != "95+")
    frame = read_patients(write_csv(tmp_path / "p.csv", PATIENTS_HEADER, rows)).frame
    assert frame.loc[(frame["sex"] == "male") & (frame["age_band"] == "95+"), "patients"].item() == 0


def test_patients_two_extract_months_is_an_error(tmp_path: Path) -> None:
    rows = patients_rows({"A00001": _counts(1)})
    rows[5][1] = "2026-08-01"
    with pytest.raises(IngestError) as info:
        read_patients(write_csv(tmp_path / "p.csv", PATIENTS_HEADER, rows))
    assert info.value.row == 7 and info.value.column == "EXTRACT_DATE"


# --- mapping -----------------------------------------------------------------------------


def test_registration_mapping(tmp_path: Path) -> None:
    rows = [mapping_row("A00002", pcn="U"), mapping_row("A00001")]
    result = read_mapping(write_csv(tmp_path / "gp-reg-pat-prac-map.csv", MAPPING_HEADER, rows))
    assert result.period == "2026-07"
    assert list(result.frame["practice_code"]) == ["A00001", "A00002"]
    assert list(result.frame["pcn_code"]) == ["U11111", "U"]
    assert result.frame.loc[0, "sub_icb_ons_code"] == "E38000247"


def test_gpad_mapping_deduplicates_suppliers_and_takes_period_from_name(tmp_path: Path) -> None:
    base = ["A00001", "SURGERY", "EMIS", "U1", "PCN", "16C", "SUB", "QHM", "ICB", "Y63", "NEY"]
    rows = [base, [*base[:2], "EMIS/TPP", *base[3:]], ["A00002", "OTHER", "TPP", *base[3:]]]
    path = write_csv(tmp_path / "gpad-practice-mapping_2025-10.csv", GPAD_MAPPING_HEADER, rows)
    result = read_mapping(path)
    assert result.period == "2025-10"
    assert len(result.frame) == 2
    assert set(result.frame["postcode"]) == {""}
    assert read_mapping(path, period="2025-11").period == "2025-11"
    plain = write_csv(tmp_path / "Mapping.csv", GPAD_MAPPING_HEADER, rows)
    assert read_mapping(plain).period is None


def test_gpad_mapping_conflicting_duplicate_names_the_column(tmp_path: Path) -> None:
    base = ["A00001", "SURGERY", "EMIS", "U1", "PCN", "16C", "SUB", "QHM", "ICB", "Y63", "NEY"]
    other = [*base[:2], "TPP", "U2", *base[4:]]
    path = write_csv(tmp_path / "Mapping.csv", GPAD_MAPPING_HEADER, [base, other])
    with pytest.raises(IngestError) as info:
        read_mapping(path)
    assert info.value.row == 3 and info.value.column == "PCN_CODE"


# --- appointments ------------------------------------------------------------------------


def test_crosstab_normalises_labels_and_sums_duplicate_keys(tmp_path: Path) -> None:
    rows = [
        crosstab_row("A00001", "GP", "Video Conference/Online", "Clinical Triage", "8  to 14 Days", 5, "DNA"),
        crosstab_row("A00001", "GP", "Video Conference/Online", "Clinical Triage", "8 to 14 Days", 2, "DNA"),
        crosstab_row(
            "A00001",
            "Other Practice staff",
            "Face-to-Face",
            "Inconsistent Mapping",
            "Unknown / Data Issue",
            7,
            "Attended",
        ),
        crosstab_row("A00001", "Unknown", "home visit", "Unmapped", "Same Day", 1, "Unknown"),
    ]
    result = read_appointments(write_csv(tmp_path / "crosstab.csv", CROSSTAB_HEADER, rows))
    frame = result.frame
    assert result.kind == "appointments" and result.period == "2025-10"
    assert frame["appointments"].sum() == 15
    assert len(frame) == 3
    first = frame.iloc[0].to_dict()
    assert first == {
        "practice_code": "A00001",
        "hcp_type": "gp",
        "mode": "video_online",
        "category": "triage",
        "interval": "8_14_days",
        "status": "dna",
        "appointments": 7,
    }
    assert set(frame["category"]) == {"triage", "inconsistent_mapping", "unmapped"}
    assert set(frame["interval"]) == {"8_14_days", "unknown", "same_day"}
    assert any("summed 1 rows" in n for n in result.notes)


def test_subicb_series_accepts_iso_and_mmmyyyy_months(tmp_path: Path) -> None:
    rows = [
        subicb_row("00L", "2025-10-01", "Attended", "GP", "Video/Online", "Unknown / Data Quality", 10),
        subicb_row("00L", "NOV2025", "DNA", "GP", "Telephone", "1 Day", 3),
        subicb_row("00L", "01NOV2025", "DNA", "GP", "Telephone", "1 Day", 4),
    ]
    result = read_appointments(write_csv(tmp_path / "regional.csv", SUBICB_HEADER, rows))
    assert result.kind == "subicb_appointments"
    assert result.period == "2025-10..2025-11"
    assert result.frame.to_dict("records") == [
        {
            "month": "2025-10",
            "sub_icb_code": "00L",
            "hcp_type": "gp",
            "mode": "video_online",
            "interval": "unknown",
            "status": "attended",
            "appointments": 10,
        },
        {
            "month": "2025-11",
            "sub_icb_code": "00L",
            "hcp_type": "gp",
            "mode": "telephone",
            "interval": "1_day",
            "status": "dna",
            "appointments": 7,
        },
    ]


# --- PCN workforce -----------------------------------------------------------------------


def test_pcn_workforce_headcount_counts_people_not_rows(tmp_path: Path) -> None:
    rows = [
        pcn_row("U00001", "Pharmacists", 0.5, 11),
        pcn_row("U00001", "Pharmacists", 0.25, 11),
        pcn_row("U00001", "Pharmacists", 1, 12),
        pcn_row("U00001", "Pharmacists", 2, "", source="NWRS contracted services"),
        pcn_row("U00002", "Applied Psychologists - Clinical", 1, 13),
    ]
    result = read_pcn_workforce(write_csv(tmp_path / "pcn.csv.gz", PCN_HEADER, rows, gz=True, bom=True))
    assert result.period == "2026-06"
    records = result.frame.to_dict("records")
    assert records[0] == {
        "pcn_code": "U00001",
        "staff_role": "Pharmacists",
        "role": "pharmacist",
        "fte": 3.75,
        "headcount": 2,
    }
    assert records[1]["staff_role"] == "Applied Psychologists – Clinical"
    assert records[1]["role"] == "mental_health"


# --- HEEC workforce ----------------------------------------------------------------------


def _heec_rows() -> list[list[object]]:
    return [
        ["A00001", 2023, "ICB", 4000, 2, 1.5, 0.5, 0.4, 7.2, 2, 2, 1, 1, 10, 30.1, 4],
        ["A00001", 2024, "ICB", 4000, 2.5, "NA", "NA", 0.4, 7.3, 3, "NA", "NA", 1, 10, 30.1, 4],
        ["A00001", 2025, "ICB", 4000, 3, 1, 0.5, 0.4, 7.4, 3, 1, 1, 1, 10, 30.1, "NA"],
        ["A00002", 2024, "ICB", 4000, 1, 0, 1, 0, 3, 1, 0, 1, 0, 5, 20.0, 3],
    ]


def test_heec_default_year_is_latest_complete_and_na_is_missing(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "heec.csv", HEEC_HEADER, _heec_rows())
    result = read_heec_workforce(path)
    assert result.period == "FY2024"
    frame = result.frame
    a1 = frame[frame["practice_code"] == "A00001"]
    assert list(a1["staff"]) == ["gp", "dpc", "admin"]  # locum/trainee and nurse were NA
    assert a1["fte"].tolist() == [2.5, 0.4, 7.3]
    assert any("Health Equity Evidence Centre" in n for n in result.notes)
    assert read_heec_workforce(path, year=2025).period == "FY2025"
    years = read_heec_workforce_all_years(path)
    assert sorted(years) == [2023, 2024, 2025]
    assert any("10 months" in n for n in years[2025].notes)
    with pytest.raises(IngestError, match="financial year 2019 is not in the file"):
        read_heec_workforce(path, year=2019)


# --- IMD, QOF, ONS ------------------------------------------------------------------------


def test_imd_qof_and_ons(tmp_path: Path) -> None:
    imd = write_csv(
        tmp_path / "imd.csv",
        ["PRACTICE_CODE", "PRACTICE_NAME", "IMD_YEAR", "IMD_SCORE"],
        [["A00002", "X", 2025, "12.5"], ["A00001", "Y", 2025, ""]],
    )
    result = read_imd(imd)
    assert result.period == "IMD2025" and result.frame.to_dict("records") == [
        {"practice_code": "A00002", "imd_score": 12.5}
    ]
    qof = write_csv(
        tmp_path / "qof-prevalence_2024-25.csv",
        ["PRACTICE_CODE", "GROUP_CODE", "REGISTER", "PATIENT_LIST_TYPE", "PRACTICE_LIST_SIZE"],
        [["A00001", "AF", "113.0", "TOTAL", 3904]],
    )
    q = read_qof(qof)
    assert q.period == "2024-25" and q.frame["register"].tolist() == [113.0]
    ages = ["0 - 4", "5 - 9", *[f"{a} - {a + 4}" for a in range(10, 95, 5)], "95 - 99", "100 - 104", "105 and over"]
    rows = [[sex, age, i + 1, (i + 1) * 2] for sex in ("Females", "Males") for i, age in enumerate(ages)]
    rows += [["Persons", age, 2 * (i + 1), 4 * (i + 1)] for i, age in enumerate(ages)]
    ons = write_csv(tmp_path / "ons.csv", ["Sex", "Age", "2022", "2023"], rows)
    p = read_population_projection(ons)
    assert p.period == "ONS-NPP-2022"
    top = p.frame[(p.frame["age_band"] == "95+") & (p.frame["year"] == 2022) & (p.frame["sex"] == "female")]
    assert top["population"].item() == 20 + 21 + 22
    assert p.frame["population"].sum() == 2 * sum(range(1, 23)) * 3
    rows[0][2] = 99
    with pytest.raises(IngestError) as info:
        read_population_projection(write_csv(tmp_path / "ons_bad.csv", ["Sex", "Age", "2022", "2023"], rows))
    assert info.value.column == "2022" and "Persons 0_4" in str(info.value)


# --- sniffing ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "kind"),
    [
        (PATIENTS_HEADER, "patients"),
        (MAPPING_HEADER, "mapping"),
        (GPAD_MAPPING_HEADER, "mapping"),
        (CROSSTAB_HEADER, "appointments"),
        (SUBICB_HEADER, "subicb_appointments"),
        (PCN_HEADER, "pcn_workforce"),
        (HEEC_HEADER, "workforce"),
        (["PRACTICE_CODE", "PRACTICE_NAME", "IMD_YEAR", "IMD_SCORE"], "imd"),
        (["Sex", "Age", "2022"], "population_projection"),
        (["FOO", "BAR"], None),
    ],
)
def test_sniff(tmp_path: Path, header: list[str], kind: str | None) -> None:
    path = write_csv(tmp_path / "f.csv", header, [])
    assert sniff(path) == kind


def test_read_any_dispatches_on_the_header(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "m.csv", MAPPING_HEADER, [mapping_row("A00001")])
    assert read_any(path).kind == "mapping"
    with pytest.raises(IngestError, match="unrecognised file"):
        read_any(write_csv(tmp_path / "x.csv", ["FOO"], [["1"]]))
    with pytest.raises(IngestError, match="unknown kind"):
        read_any(path, "nope")


def test_frames_use_canonical_dtypes(tmp_path: Path) -> None:
    rows = [crosstab_row("A00001", "GP", "Telephone", "Walk-in", "1 Day", 3, "Attended")]
    frame = read_appointments(write_csv(tmp_path / "c.csv", CROSSTAB_HEADER, rows)).frame
    assert all(pd.api.types.is_string_dtype(frame[c]) for c in frame.columns[:-1])
    assert frame["appointments"].dtype == "int64"
