"""What the command line's register commands call: open the database, name the actor, and run
one service in one transaction (the web calls the session-level functions directly)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import Engine

from gpworkforce import store
from gpworkforce.services.register import LOCAL_OPERATOR, Actor
from gpworkforce.services.register_io import RegisterExport, RegisterImported, export_register, find_user
from gpworkforce.services.register_io import import_register_file as _import_file
from gpworkforce.services.register_state import OrgRegisterStatus, org_register_status
from gpworkforce.services.versions import DataVersion, open_workspace


@dataclass(frozen=True)
class RegisterContext:
    """The database, the national data (for scope and codes) and who acts."""

    engine: Engine
    version: DataVersion
    actor: Actor


def open_register(acting_as: str | None = None, url: str | None = None) -> RegisterContext:
    """The context of a register command: ``acting_as`` an account's email (its scope is checked and
    it is named in the audit log), else the command-line operator (any scope, audited without a user,
    as ``gpworkforce user add`` is). Migrates the database first."""
    workspace = open_workspace(url)
    store.upgrade(workspace.engine)
    actor: Actor = find_user(workspace.engine, acting_as) if acting_as else LOCAL_OPERATOR
    return RegisterContext(workspace.engine, workspace.version(), actor)


def import_file(ctx: RegisterContext, path: Path, employer: str | None = None) -> list[RegisterImported]:
    """``gpworkforce import register FILE``: all or nothing."""
    return _import_file(ctx.engine, ctx.actor, path, ctx.version, employer=employer)


def export_org(ctx: RegisterContext, org_code: str) -> RegisterExport:
    """``gpworkforce register export ORG FILE``."""
    with store.session_scope(ctx.engine) as s:
        return export_register(s, ctx.actor, org_code, ctx.version)


def status_of(ctx: RegisterContext, org_code: str, month: str | None = None) -> OrgRegisterStatus:
    """``gpworkforce register status ORG``."""
    with store.session_scope(ctx.engine) as s:
        return org_register_status(s, ctx.actor, org_code, ctx.version, month)
