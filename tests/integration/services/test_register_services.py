"""Staff register services on a real database: validated writes, audit rows in the same
transaction, scope refusals, all-or-nothing import and the monthly figures worked by hand."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
from service_helpers import Person
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from gpworkforce.ingest.errors import IngestError
from gpworkforce.nomenclature import ROLE_CODES
from gpworkforce.services.accounts import PermissionDenied
from gpworkforce.services.register import (
    LOCAL_OPERATOR,
    InvalidRegisterEntry,
    UnknownEmployer,
    add_staff,
    edit_staff,
    end_staff,
    fill_vacancy,
    list_staff,
    list_vacancies,
    open_vacancy,
    withdraw_vacancy,
)
from gpworkforce.services.register_fte import register_role_fte
from gpworkforce.services.register_io import export_register, import_register_file
from gpworkforce.services.register_state import employer_trend, org_register_status
from gpworkforce.services.versions import Workspace
from gpworkforce.store.accounts import AuditLog, User
from gpworkforce.store.register import StaffRecord, Vacancy

MakeUser = Callable[..., Person]
GP = {"role": "gp", "contract_type": "partner", "fte": "1", "birth_year": "1965", "start_date": "2020-01-01"}


def user(db: Session, person: Person) -> User:
    row = db.get(User, person.id)
    assert row is not None
    return row


def _audit(db: Session) -> list[AuditLog]:
    return list(db.scalars(select(AuditLog).where(AuditLog.entity == "register").order_by(AuditLog.id)))


def test_add_edit_end_and_vacancies_are_validated_and_audited(db: Session, make_user: MakeUser, ctx: Workspace) -> None:
    version = ctx.version()
    manager = user(db, make_user("practice_manager", "A81001"))
    row = add_staff(db, manager, "a81001", GP | {"local_ref": "P1"}, version, ip="10.0.0.9")
    assert (row.employer, row.role, row.staff_group, row.fte, row.birth_year) == ("A81001", "gp", "gp", 1.0, 1965)
    with pytest.raises(InvalidRegisterEntry) as bad:
        add_staff(db, manager, "A81001", GP | {"fte": "2.5", "birth_year": "2008", "role": "wizard"}, version)
    assert set(bad.value.errors) == {"fte", "birth_year", "role"}
    with pytest.raises(InvalidRegisterEntry, match="already used"):
        add_staff(db, manager, "A81001", GP | {"local_ref": "P1"}, version)
    edited = edit_staff(db, manager, "A81001", row.id, {"fte": 0.8}, version)
    assert edited.fte == 0.8 and edited.start_date == date(2020, 1, 1)
    with pytest.raises(InvalidRegisterEntry, match="before the start date"):
        end_staff(db, manager, "A81001", row.id, "2019-12-31", "retirement", version)
    ended = end_staff(db, manager, "A81001", row.id, date(2025, 3, 31), "retirement", version)
    assert (ended.end_date, ended.leaving_reason) == (date(2025, 3, 31), "retirement")
    vac = open_vacancy(db, manager, "A81001", {"role": "gp", "fte": "1", "opened": "2025-04-01"}, version)
    filled = fill_vacancy(db, manager, "A81001", vac.id, "2025-09-30", version)
    assert (filled.closed, filled.outcome) == (date(2025, 9, 30), "filled")
    with pytest.raises(InvalidRegisterEntry, match="already filled"):
        withdraw_vacancy(db, manager, "A81001", vac.id, "2025-10-01", version)
    db.commit()
    entries = _audit(db)
    assert [e.action for e in entries] == [
        "register.staff.add", "register.staff.edit", "register.staff.edit", "register.vacancy.open",
        "register.vacancy.fill",
    ]  # fmt: skip
    assert {e.entity_key for e in entries} == {"A81001"} and entries[0].ip == "10.0.0.9"
    assert json.loads(entries[1].before or "{}")["fte"] == 1.0 and json.loads(entries[1].after or "{}")["fte"] == 0.8
    assert db.scalar(select(StaffRecord.updated_by).where(StaffRecord.id == row.id)) == f"user:{manager.id}"


def test_a_failed_write_leaves_neither_row_nor_audit_entry(db: Session, make_user: MakeUser, ctx: Workspace) -> None:
    manager = user(db, make_user("practice_manager", "A81001"))
    with pytest.raises(InvalidRegisterEntry):
        add_staff(db, manager, "A81001", GP | {"start_date": "2020-13-01"}, ctx.version())
    db.rollback()
    assert db.scalar(select(func.count()).select_from(StaffRecord)) == 0 and _audit(db) == []


def test_scope_refusals(db: Session, make_user: MakeUser, ctx: Workspace) -> None:
    version = ctx.version()
    people = [make_user("practice_manager", "A81001"), make_user("pcn_lead", "U89141"), make_user("icb_analyst", "QHM")]
    manager, lead, analyst = (user(db, p) for p in people)
    for who, code in ((manager, "A81002"), (manager, "U89141"), (lead, "A81002"), (analyst, "B82001")):
        with pytest.raises(PermissionDenied):
            add_staff(db, who, code, GP, version)
    with pytest.raises(PermissionDenied):
        list_staff(db, None, "A81001", version)  # anonymous: nothing staff-level
    with pytest.raises(PermissionDenied):
        export_register(db, manager, "U89141", version)
    with pytest.raises(PermissionDenied):
        org_register_status(db, lead, "QHM", version)
    add_staff(db, lead, "A81017", GP, version)  # a practice of the lead's PCN
    add_staff(db, lead, "U89141", GP | {"contract_type": "arrs", "role": "pharmacist"}, version)  # the PCN itself
    add_staff(db, analyst, "A81004", GP, version)
    with pytest.raises(UnknownEmployer):
        add_staff(db, LOCAL_OPERATOR, "ZZZ999", GP, version)
    assert [s.employer for s in list_staff(db, analyst, "U89141", version)] == ["U89141"]


def _write(path: Path, header: str, *rows: str) -> Path:
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


HEADER = "employer,local_ref,role,contract_type,fte,birth_year,age_band,start_date,end_date,leaving_reason"
GOOD = [
    "A81001,P1,gp,partner,1,1965,,2020-01-01,,",
    "A81001,P2,gp,salaried,0.8,1962,,2021-06-01,2025-03-31,retirement",
    "A81001,N1,practice_nurse,salaried,0.6,,45_49,2024-11-15,,",
    "A81001,H1,hca,salaried,1,1990,,2025-02-10,2025-08-15,other",
    "A81001,R1,pharmacist,salaried,0.5,1985,,2025-05-01,,",
    "A81001,A1,admin,salaried,1,1970,,2019-01-01,2025-12-31,unknown",
]


def test_import_is_all_or_nothing_and_replaces_the_employers_register(
    engine: Engine, db: Session, make_user: MakeUser, ctx: Workspace, tmp_path: Path
) -> None:
    version = ctx.version()
    manager = user(db, make_user("practice_manager", "A81001"))
    add_staff(db, manager, "A81001", GP | {"local_ref": "OLD"}, version)
    db.commit()
    bad_rows = (
        ("A81001,X1,gp,partner,1,2013,,2025-01-01,,", "birth_year"),  # 12 at the start
        ("A81001,X1,gp,partner,1,1930,,2025-01-01,,", "birth_year"),  # 95 at the start
        ("A81001,X1,surgeon,partner,1,1970,,2025-01-01,,", "role"),
        ("A81001,X1,gp,partner,0,1970,,2025-01-01,,", "fte"),
        ("A81001,X1,gp,partner,2.1,1970,,2025-01-01,,", "fte"),
        ("A81001,X1,gp,partner,1,1970,,2025-01-01,2024-01-01,retirement", "end_date"),
        ("A81001,P1,gp,partner,1,1970,,2025-01-01,,", "local_ref"),  # duplicate of row 2
    )
    for bad, column in bad_rows:
        path = _write(tmp_path / "reg.csv", HEADER, *GOOD, bad)
        with pytest.raises(IngestError) as err:
            import_register_file(engine, manager, path, version)
        assert (err.value.file, err.value.row, err.value.column) == ("reg.csv", 8, column), str(err.value)
    with pytest.raises(IngestError, match=r"contract_type.*missing"):
        import_register_file(engine, manager, _write(tmp_path / "cols.csv", HEADER.replace("contract_type,", "")),
                             version)  # fmt: skip
    with pytest.raises(PermissionDenied):  # scope: every employer checked before anything is written
        import_register_file(engine, manager, _write(tmp_path / "two.csv", HEADER, *GOOD,
                                                     "A81002,Z,gp,partner,1,1970,,2025-01-01,,"), version)  # fmt: skip
    db.commit()  # end the session's read snapshot (SQLite WAL) to see the import
    assert list(db.scalars(select(StaffRecord.local_ref))) == ["OLD"]
    done = import_register_file(engine, manager, _write(tmp_path / "ok.csv", HEADER, *GOOD), version)
    assert [(d.employer, d.staff, d.replaced_staff) for d in done] == [("A81001", 6, 1)]
    db.commit()  # end the session's read snapshot (SQLite WAL) to see the import
    assert sorted(db.scalars(select(StaffRecord.local_ref))) == ["A1", "H1", "N1", "P1", "P2", "R1"]
    entry = _audit(db)[-1]
    assert entry.action == "register.import" and json.loads(entry.after or "{}")["staff"] == 6

    # the figures of tests/unit/model/test_register_state.py, through the services
    dec = employer_trend(db, manager, "A81001", version, "2025-01", "2025-12")[-1]
    assert (dec.headcount, dec.leavers_12m, dec.leavers_by_reason) == (
        3,
        3,
        {"retirement": 0, "other": 0, "unknown": 1},
    )
    assert dec.turnover_12m == pytest.approx(3 / 3.5)
    open_vacancy(db, manager, "A81001", {"role": "practice_nurse", "fte": 0.4, "opened": "2025-10-01"}, version)
    db.commit()
    status = org_register_status(db, manager, "A81001", version, "2025-12")
    assert status.rows[0].vacancy_rate == pytest.approx(0.4 / 2.5)
    assert status.rows[0].fte_by_staff_group == pytest.approx({"gp": 1.0, "nurse": 0.6, "dpc": 0.5})
    fte = register_role_fte(db, "2025-12")
    expected = {"gp": 1.0, "practice_nurse": 0.6, "pharmacist": 0.5}
    assert fte.set_index("role")["fte"].to_dict() == pytest.approx(expected)


def test_pcn_status_lists_practices_not_updated(db: Session, make_user: MakeUser, ctx: Workspace) -> None:
    from gpworkforce.services.register_state import current_month

    version = ctx.version()
    lead = user(db, make_user("pcn_lead", "U89141"))
    add_staff(db, lead, "A81001", GP, version)
    db.commit()
    status = org_register_status(db, lead, "U89141", version)
    assert status.month == current_month()
    rows = {r.employer: r for r in status.rows}
    assert set(rows) == {"A81001", "A81017", "A81025", "A81046", "A81608", "A81629"}
    assert rows["A81001"].has_register and rows["A81001"].updated_this_month and rows["A81001"].headcount == 1
    assert not rows["A81017"].has_register and rows["A81017"].headcount is None  # no register: not 0
    assert "A81017" in status.not_updated and "A81001" not in status.not_updated
    assert status.frame().shape[0] == 6


def test_export_then_import_gives_the_same_records(
    engine: Engine, db: Session, make_user: MakeUser, ctx: Workspace, tmp_path: Path
) -> None:
    from gpworkforce.reports.register_workbook import register_workbook

    version = ctx.version()
    manager = user(db, make_user("practice_manager", "A81001"))
    import_register_file(engine, manager, _write(tmp_path / "ok.csv", HEADER, *GOOD), version)
    db.commit()
    vac = open_vacancy(db, manager, "A81001", {"role": "gp", "fte": 1, "opened": "2025-04-01", "local_ref": "V1"},
                       version)  # fmt: skip
    withdraw_vacancy(db, manager, "A81001", vac.id, "2025-05-01", version)
    db.commit()
    first = export_register(db, manager, "A81001", version)
    path = tmp_path / "export.xlsx"
    path.write_bytes(register_workbook(first.staff, first.vacancies))
    import_register_file(engine, manager, path, version)
    db.commit()  # end the session's read snapshot (SQLite WAL) to see the import
    again = export_register(db, manager, "A81001", version)
    assert again.staff.equals(first.staff) and again.vacancies.equals(first.vacancies)
    assert len(list_vacancies(db, manager, "A81001", version)) == 1
    assert db.scalar(select(func.count()).select_from(Vacancy)) == 1


def test_a_practice_with_a_register_takes_its_capacity_fte_from_it(
    national_sqlite_template: Path, make_user: MakeUser, tmp_path: Path
) -> None:
    """The register's FTE flows into capacity, and the provenance says "register" for that practice."""
    from gpworkforce.services.organisations import resolve
    from gpworkforce.services.provenance import fte_provenance, practice_tags
    from gpworkforce.services.register import LOCAL_OPERATOR
    from gpworkforce.services.register_fte import current_month
    from gpworkforce.services.versions import open_workspace

    url = f"sqlite:///{tmp_path / 'copy.db'}"
    shutil.copyfile(national_sqlite_template, tmp_path / "copy.db")  # a private copy: registers change capacity
    ws = open_workspace(url)
    before = ws.version()
    i = int(before.data.practices.index[before.data.practices["practice_code"] == "A81001"][0])
    gp = ROLE_CODES.index("gp")
    pcn_share = before.data.fte_pcn[i].copy()
    assert before.data.fte_practice[i, gp] > 0 and practice_tags(before)["A81001"] == ""
    rows = [
        "A81001,P1,gp,partner,1,1965,,2020-01-01,,",
        "A81001,P2,gp,salaried,0.5,1970,,2020-01-01,,",
        "A81001,N1,practice_nurse,salaried,0.6,,45_49,2020-01-01,,",
        f"A81001,L1,gp,salaried,1,1960,,2020-01-01,{current_month()}-01,retirement",  # left this month: not in post
    ]
    import_register_file(ws.engine, LOCAL_OPERATOR, _write(tmp_path / "r.csv", HEADER, *rows), before)
    ws.expire()
    after = ws.version()
    assert after.fingerprint != before.fingerprint
    fte = after.data.fte_practice[i]
    assert fte[gp] == pytest.approx(1.5) and fte[ROLE_CODES.index("practice_nurse")] == pytest.approx(0.6)
    assert fte.sum() == pytest.approx(2.1)  # roles the register lists no one in count 0
    assert after.data.fte_pcn[i] == pytest.approx(pcn_share)  # the PCN share is kept
    assert practice_tags(after)["A81001"] == "FTE from register"
    prov = fte_provenance(after, resolve(after, "A81001"))
    assert (prov.from_register, prov.published) == (1, 0) and "1 from the practice's own staff register" in prov.text
    assert "from_register" not in fte_provenance(before, resolve(before, "A81001")).model_dump()
