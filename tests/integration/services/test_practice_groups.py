"""User-defined practice groups (issue 12): saved, audited, scoped, and resolved like any organisation.

On a private copy of the national SQLite database (writing groups changes the data version,
which the shared national database must not see).
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from gpworkforce import store
from gpworkforce.scenario import Scenario
from gpworkforce.services import practice_groups as groups
from gpworkforce.services.access import Scope
from gpworkforce.services.accounts import PermissionDenied
from gpworkforce.services.benchmarks import benchmark_report
from gpworkforce.services.organisations import UnknownOrganisation, resolve
from gpworkforce.services.scenario_run import run_scenario
from gpworkforce.services.scopes import scope_allows_org
from gpworkforce.services.versions import Workspace, open_workspace
from gpworkforce.store.accounts import AuditLog

MEMBERS = ("A81001", "A81002", "A81004")


@pytest.fixture(scope="module")
def workspace(national_sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Workspace]:
    path = tmp_path_factory.mktemp("groups") / "gpworkforce.db"
    shutil.copyfile(national_sqlite_template, path)
    ws = open_workspace(f"sqlite:///{path}")
    yield ws
    ws.engine.dispose()


def _person(role: str, org: str | None) -> SimpleNamespace:
    return SimpleNamespace(id=None, email=f"{role}@example.org", role=role, org_code=org, disabled=False)


def _save(ws: Workspace, user: object, code: str, name: str, practices: tuple[str, ...]) -> groups.GroupSummary:
    with store.session_scope(ws.engine, write=True) as s:
        return groups.save_group(s, ws.version(), user, code, name, practices)  # type: ignore[arg-type]


def test_a_group_is_an_organisation_whose_figures_add_up_from_its_practices(workspace: Workspace) -> None:
    _save(workspace, None, "fed-test", "Test federation", (*MEMBERS, "A81001"))
    version = workspace.version()
    org = resolve(version, "FED-TEST")
    assert (org.level, org.code, org.name, int(org.mask.sum())) == ("group", "FED-TEST", "Test federation", 3)
    result, _ = run_scenario(version, org, Scenario())
    singles = [run_scenario(version, resolve(version, code), Scenario())[0] for code in MEMBERS]
    assert result.demand_week.sum() == pytest.approx(sum(r.demand_week.sum() for r in singles))
    assert result.capacity_week.sum() == pytest.approx(sum(r.capacity_week.sum() for r in singles))
    report = benchmark_report(version, "FED-TEST")  # compared with its ICB and England
    assert len(report.summary.comparators) == 3
    with store.session_scope(workspace.engine) as s:
        audit = s.scalars(select(AuditLog).where(AuditLog.entity == groups.AUDIT_ENTITY)).all()
    assert [(a.action, a.entity_key) for a in audit][-1] == ("create", "FED-TEST")


@pytest.mark.parametrize(
    ("code", "name", "practices", "field", "words"),
    [
        ("QHM", "Clash", MEMBERS, "code", "already an NHS organisation code"),
        ("A81001", "Clash", MEMBERS, "code", "already an NHS organisation code"),
        ("x", "Short", MEMBERS, "code", "3 to 20"),
        ("FED-EMPTY", "", MEMBERS, "name", "Enter a name"),
        ("FED-NONE", "None", (), "practices", "Enter the practice codes"),
        ("FED-BAD", "Bad", ("A81001", "ZZZ999"), "practices", "ZZZ999"),
    ],
)
def test_bad_groups_are_refused_and_nothing_is_written(
    workspace: Workspace, code: str, name: str, practices: tuple[str, ...], field: str, words: str
) -> None:
    with pytest.raises(groups.GroupError) as caught:
        _save(workspace, None, code, name, practices)
    assert words in caught.value.errors[field]
    with pytest.raises(UnknownOrganisation):
        resolve(workspace.version(), "FED-BAD")


def test_only_admins_and_icb_analysts_inside_their_icb_may_group(workspace: Workspace) -> None:
    with pytest.raises(PermissionDenied):
        _save(workspace, _person("practice_manager", "A81001"), "FED-PM", "Mine", ("A81001",))
    outside = _person("icb_analyst", "QWE")
    with pytest.raises(groups.GroupError, match="Outside your organisation"):
        _save(workspace, outside, "FED-QHM", "Not mine", MEMBERS)
    analyst = _person("icb_analyst", "QHM")
    _save(workspace, analyst, "FED-QHM", "Mine", MEMBERS)
    version = workspace.version()
    assert scope_allows_org(Scope.of("icb_analyst", "QHM"), "FED-QHM", version)
    assert not scope_allows_org(Scope.of("icb_analyst", "QWE"), "FED-QHM", version)
    with store.session_scope(workspace.engine, write=True) as s, pytest.raises(PermissionDenied):
        groups.delete_group(s, version, outside, "FED-QHM")  # type: ignore[arg-type]


def test_deleting_a_group_removes_it_and_is_audited(workspace: Workspace) -> None:
    _save(workspace, None, "FED-GONE", "Short-lived", ("A81001",))
    assert resolve(workspace.version(), "FED-GONE").level == "group"
    with store.session_scope(workspace.engine, write=True) as s:
        groups.delete_group(s, workspace.version(), None, "fed-gone")
    with pytest.raises(UnknownOrganisation):
        resolve(workspace.version(), "FED-GONE")
    with store.session_scope(workspace.engine) as s:
        last = s.scalars(select(AuditLog).order_by(AuditLog.id.desc())).first()
    assert last is not None and (last.action, last.entity_key) == ("delete", "FED-GONE")
    assert "FED-GONE" not in {g.code for g in groups.list_groups_in(workspace.engine)}
