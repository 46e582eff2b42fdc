"""Schema: Alembic migrations create exactly the tables the models declare, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, inspect, text

from gpworkforce.scenario import Scenario
from gpworkforce.store import alembic_config, default_database_url, make_engine, upgrade
from gpworkforce.store.models import metadata
from gpworkforce.store.tables import KIND_TABLES


def _head() -> str:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


def test_upgrade_from_empty_creates_every_table(db_url: str) -> None:
    engine = make_engine(db_url)
    try:
        assert inspect(engine).get_table_names() == []
        upgrade(engine)
        upgrade(engine)  # already at head: a no-op, not an error
        tables = set(inspect(engine).get_table_names())
        expected = {"dataset", "practice_fte_override", *(t.__tablename__ for t in KIND_TABLES.values())}
        assert expected <= tables
        with engine.connect() as conn:
            assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one() == _head()
    finally:
        engine.dispose()


def test_migrated_schema_matches_models(engine: Engine) -> None:
    """The ``alembic check`` guarantee: autogenerate finds nothing to add, drop or alter."""
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True, "compare_server_default": True})
        assert compare_metadata(context, metadata) == []


def test_downgrade_to_base_and_upgrade_again(engine: Engine) -> None:
    with engine.begin() as conn:
        command.downgrade(alembic_config(conn), "base")
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    upgrade(engine)
    assert "dataset" in inspect(engine).get_table_names()


def test_initial_revision_is_0001_initial() -> None:
    """Revision ids other migrations (``0002_accounts``) build on."""
    script = ScriptDirectory.from_config(alembic_config())
    base = script.get_revision("0001_initial")
    assert base is not None and base.down_revision is None
    assert Path(script.dir).is_dir() and Path(script.dir).name == "migrations"


def test_sqlite_engine_creates_folder_and_sets_pragmas(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'a' / 'b' / 'x.db'}")
    try:
        with engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert (tmp_path / "a" / "b" / "x.db").exists()
    finally:
        engine.dispose()


@pytest.mark.parametrize("url", ["postgresql://u@h/db", "postgres://u@h/db", "postgresql+psycopg://u@h/db"])
def test_postgresql_urls_use_psycopg(url: str) -> None:
    engine = make_engine(url)  # no connection is made
    assert engine.dialect.name == "postgresql" and engine.dialect.driver == "psycopg"


def test_unsupported_database_is_refused() -> None:
    with pytest.raises(ValueError, match="unsupported database"):
        make_engine("mysql://u@h/db")


def test_default_database_url(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("GPWORKFORCE_DATABASE_URL", "postgresql://x@y/z")
    assert default_database_url() == "postgresql://x@y/z"
    monkeypatch.delenv("GPWORKFORCE_DATABASE_URL")
    monkeypatch.setattr("platformdirs.user_data_dir", lambda app: str(tmp_path / app))
    assert default_database_url() == f"sqlite:///{tmp_path / 'gpworkforce' / 'gpworkforce.db'}"


def test_0003_converts_saved_scenarios_to_scenario_json_and_back(db_url: str) -> None:
    """Query-string scenarios saved before 0003 read back as the same Scenario after it."""
    engine = make_engine(db_url)
    try:
        with engine.begin() as conn:
            command.upgrade(alembic_config(conn), "0002_accounts")
            conn.execute(
                text(
                    "INSERT INTO user_account (id, email, password_hash, role, org_code, created_at, disabled) "
                    "VALUES (1, 'a@example.org', 'x', 'admin', NULL, CURRENT_TIMESTAMP, false)"
                )
            )
            old = {
                "year": "2030",
                "shift_share": "0.3",
                "dna_rate": "0.04",
                "added_fte.pharmacist": "1.5",
                "added_fte.gp": "0",
                "minutes.gp": "12",
                "local_calibration": "true",
            }
            conn.execute(
                text(
                    "INSERT INTO saved_scenario (id, slug, owner_id, org_code, name, params, shared, created_at,"
                    " updated_at) VALUES (1, 's', 1, 'ENGLAND', 'n', :p, false, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
                ),
                {"p": json.dumps(old)},
            )
        upgrade(engine)
        with engine.connect() as conn:
            stored = conn.execute(text("SELECT params FROM saved_scenario")).scalar_one()
        expected = Scenario(
            year=2030,
            shift_share=0.3,
            dna_rate=0.04,
            added_fte={"pharmacist": 1.5},
            minutes={"gp": 12},
            local_calibration=True,
        )
        assert Scenario.model_validate_json(stored) == expected
        # fields added to Scenario after 0003 (capacity_standard, subicb_calibration) are absent and read back
        # as their defaults
        later = {"capacity_standard", "subicb_calibration"}
        assert json.loads(stored) == json.loads(expected.model_dump_json(exclude=later))
        with engine.begin() as conn:
            command.downgrade(alembic_config(conn), "0002_accounts")
            back = json.loads(conn.execute(text("SELECT params FROM saved_scenario")).scalar_one())
        assert back == {k: v for k, v in old.items() if k != "added_fte.gp"}
    finally:
        engine.dispose()
