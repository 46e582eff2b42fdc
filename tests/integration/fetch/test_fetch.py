"""Integration: ``fetch`` against a fake NHS site on loopback (never the internet).

The database starts at July 2026 (registration files imported directly); the site offers
July and August. Only August may be downloaded; a corrupt August file must leave the
database exactly as it was; an unreachable site must say so without a traceback.
"""

from __future__ import annotations

import re
import socket
from pathlib import Path

import pytest
import typer
from sqlalchemy import Engine
from typer.testing import CliRunner

from gpworkforce import store
from gpworkforce.cli.fetch import fetch
from gpworkforce.ingest import downloads
from gpworkforce.ingest import fetch as nhs
from gpworkforce.services import importing
from gpworkforce.services.fetching import FetchStatus, fetch_newer

from .conftest import (
    PRACTICES,
    FakeSite,
    crosstab_csv,
    gpad_mapping_csv,
    make_zip,
    mapping_csv,
    month_files,
    patients_csv,
)

REGISTRATION = ("mapping", "patients")


def _app() -> typer.Typer:
    app = typer.Typer()
    app.command()(fetch)

    @app.callback()
    def _root() -> None:
        """Make ``fetch`` a subcommand, as in the real CLI."""

    return app


runner = CliRunner()


def load_july(engine: Engine, tmp_path: Path) -> None:
    """The database state before fetching: July's registration files, imported as a user would."""
    for kind, text in (("mapping", mapping_csv("2026-07")), ("patients", patients_csv("2026-07"))):
        path = tmp_path / f"{kind}-july.csv"
        path.write_text(text)
        importing.import_file(engine, kind, path)


def datasets(engine: Engine) -> list[tuple[str, str, int, str]]:
    with store.session_scope(engine) as s:
        frame = store.list_datasets(s)
    return sorted(zip(frame["kind"], frame["period"], frame["rows"], frame["imported_at"].astype(str), strict=True))


def periods(engine: Engine, kind: str) -> list[str]:
    with store.session_scope(engine) as s:
        return store.list_periods(s, kind)


@pytest.fixture
def at_july(sqlite_engine: Engine, tmp_path: Path, site: FakeSite) -> Engine:
    """Database at 2026-07; the site publishes July and August."""
    load_july(sqlite_engine, tmp_path)
    site.add_patients_series({"2026-07": month_files("2026-07"), "2026-08": month_files("2026-08")})
    return sqlite_engine


@pytest.fixture
def cli_env(db_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("GPWORKFORCE_DATABASE_URL", f"sqlite:///{db_path}")
    monkeypatch.setenv("GPWORKFORCE_CACHE_DIR", str(tmp_path / "cache"))
    return tmp_path / "cache"


def test_only_the_newer_month_is_downloaded_and_imported(at_july: Engine, site: FakeSite) -> None:
    outcomes = fetch_newer(at_july, REGISTRATION, dict.fromkeys(REGISTRATION, site.base_url))

    assert [(o.kind, o.status, o.month) for o in outcomes] == [
        ("mapping", FetchStatus.imported, "2026-08"),
        ("patients", FetchStatus.imported, "2026-08"),
    ]
    assert sorted(site.downloaded()) == ["gp-reg-pat-prac-map.zip", "gp-reg-pat-prac-quin-age.zip"]
    assert all("/2026-08/" in p for p in site.requests if p.endswith(".zip"))
    assert periods(at_july, "patients") == ["2026-07", "2026-08"]
    assert periods(at_july, "mapping") == ["2026-07", "2026-08"]
    rows = {s.kind: s.rows for o in outcomes for s in o.imported}
    assert rows == {"mapping": len(PRACTICES), "patients": len(PRACTICES) * 2 * 20}
    # The series page and the shared release page are each read once for both kinds.
    pages = [p for p in site.requests if not p.endswith(".zip")]
    assert len(pages) == len(set(pages))

    again = fetch_newer(at_july, REGISTRATION, dict.fromkeys(REGISTRATION, site.base_url))
    assert {o.status for o in again} == {FetchStatus.up_to_date}
    assert len(site.downloaded()) == 2


def test_cli_fetch_imports_august(at_july: Engine, site: FakeSite, cli_env: Path) -> None:
    result = runner.invoke(_app(), ["fetch", "--base-url", site.base_url, "-k", "patients", "-k", "mapping"])

    assert result.exit_code == 0, result.output
    assert "imported patients 2026-08: 120 rows" in result.output
    assert "imported mapping 2026-08: 3 rows" in result.output
    assert periods(at_july, "patients") == ["2026-07", "2026-08"]
    leftovers = [p for p in (cli_env / "downloads").rglob("*") if p.is_file()]
    assert leftovers == []  # the temporary download folder is removed


def test_dry_run_lists_without_importing(at_july: Engine, site: FakeSite, cli_env: Path) -> None:
    before = datasets(at_july)
    result = runner.invoke(
        _app(), ["fetch", "--dry-run", "--base-url", site.base_url, "--kind", "patients", "--kind", "mapping"]
    )

    assert result.exit_code == 0, result.output
    listed = [line for line in result.stdout.splitlines() if line.startswith("would download")]
    assert listed == [
        f"would download mapping 2026-08: {site.base_url}/files/2026-08/01/gp-reg-pat-prac-map.zip",
        f"would download patients 2026-08: {site.base_url}/files/2026-08/00/gp-reg-pat-prac-quin-age.zip",
    ]
    assert site.downloaded() == []
    assert datasets(at_july) == before


def test_corrupt_csv_is_reported_and_changes_nothing(
    sqlite_engine: Engine,
    tmp_path: Path,
    site: FakeSite,
    cli_env: Path,
) -> None:
    load_july(sqlite_engine, tmp_path)
    site.add_patients_series({"2026-07": month_files("2026-07"), "2026-08": month_files("2026-08", bad_patients=True)})
    before = datasets(sqlite_engine)

    outcomes = fetch_newer(sqlite_engine, ["patients"], {"patients": site.base_url})
    assert [(o.status, o.month) for o in outcomes] == [(FetchStatus.failed, "2026-08")]
    message = outcomes[0].message
    assert "database unchanged" in message
    assert "gp-reg-pat-prac-quin-age_2026-08.csv" in message and "12x" in message
    assert datasets(sqlite_engine) == before

    result = runner.invoke(_app(), ["fetch", "--base-url", site.base_url, "--kind", "patients"])
    assert result.exit_code == 1
    assert "error:" in result.output and "12x" in result.output
    assert datasets(sqlite_engine) == before


def test_broken_zip_is_reported_and_changes_nothing(
    sqlite_engine: Engine,
    tmp_path: Path,
    site: FakeSite,
) -> None:
    load_july(sqlite_engine, tmp_path)
    august = month_files("2026-08")
    august["gp-reg-pat-prac-quin-age.zip"] = august["gp-reg-pat-prac-quin-age.zip"][:200]  # truncated download
    site.add_patients_series({"2026-08": august})
    before = datasets(sqlite_engine)

    [outcome] = fetch_newer(sqlite_engine, ["patients"], {"patients": site.base_url})
    assert outcome.status is FetchStatus.failed
    assert "not a readable zip" in outcome.message
    assert datasets(sqlite_engine) == before


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
    return port


def test_site_down_gives_the_offline_message(sqlite_engine: Engine, cli_env: Path) -> None:
    base = f"http://127.0.0.1:{_closed_port()}"
    result = runner.invoke(_app(), ["fetch", "--base-url", base])

    assert result.exit_code == 1
    assert isinstance(result.exception, SystemExit)  # a clean exit, not a traceback
    assert "Traceback" not in result.output
    text = " ".join(result.output.split())
    assert re.search(r"error: mapping: could not reach 127\.0\.0\.1:\d+: .+ — are you online\?", text), text
    assert "skipped: the site could not be reached" in text  # the other kinds do not wait on timeouts
    assert datasets(sqlite_engine) == []


def test_http_error_is_reported(sqlite_engine: Engine, site: FakeSite) -> None:
    [outcome] = fetch_newer(sqlite_engine, ["patients"], {"patients": site.base_url})
    assert outcome.status is FetchStatus.failed
    assert re.search(
        r"127\.0\.0\.1:\d+ answered 404 Not Found for http://.+/patients-registered-at-a-gp-practice$", outcome.message
    ), outcome.message


def test_empty_database_takes_only_the_newest_release(sqlite_engine: Engine, site: FakeSite) -> None:
    site.add_patients_series({"2026-07": month_files("2026-07"), "2026-08": month_files("2026-08")})
    outcomes = fetch_newer(sqlite_engine, REGISTRATION, dict.fromkeys(REGISTRATION, site.base_url), dry_run=True)
    assert [(o.kind, o.status, o.month) for o in outcomes] == [
        ("mapping", FetchStatus.would_import, "2026-08"),
        ("patients", FetchStatus.would_import, "2026-08"),
    ]


def test_gpad_crosstab_zip_imports_every_region_and_its_mapping(at_july: Engine, site: FakeSite) -> None:
    north, south = PRACTICES[:2], (*PRACTICES[2:], "Y00001")  # Y00001 is known only to the zip's Mapping.csv
    body = make_zip(
        {
            "Practice_Level_Crosstab_Aug_26/Practice_Level_Crosstab_Aug_26_North.csv": crosstab_csv("2026-08", north),
            "Practice_Level_Crosstab_Aug_26/Practice_Level_Crosstab_Aug_26_South.csv": crosstab_csv("2026-08", south),
            "Practice_Level_Crosstab_Aug_26/Mapping.csv": gpad_mapping_csv((*north, *south)),
            "Practice_Level_Crosstab_Aug_26/readme.txt": "not a CSV",
        }
    )
    site.add_gpad_series("2026-08", "Practice_Level_Crosstab_Aug_26.zip", body)

    [outcome] = fetch_newer(at_july, ["appointments"], {"appointments": site.base_url})
    assert outcome.status is FetchStatus.imported, outcome.message
    assert [(s.kind, s.period) for s in outcome.imported] == [("mapping", "2026-08"), ("appointments", "2026-08")]
    with store.session_scope(at_july) as s:
        frame, period = store.load_frame(s, "appointments", "2026-08")
        listed = store.list_datasets(s)
    assert period == "2026-08"
    assert sorted(frame["practice_code"].unique()) == sorted((*north, *south))
    assert int(frame["appointments"].sum()) == 2 * ((40 + 5) + (41 + 6))  # two regional files, two practices each
    sources = dict(zip(zip(listed["kind"], listed["period"], strict=True), listed["source_file"], strict=True))
    assert sources[("appointments", "2026-08")] == "Practice_Level_Crosstab_Aug_26.zip"
    assert sources[("mapping", "2026-08")] == "Practice_Level_Crosstab_Aug_26.zip:Mapping_2026-08.csv"

    # GPAD's mapping does not count as the registration mapping: August's is still fetched, and replaces it.
    # (It lists Y00001 too: one with a fifth fewer practices than the mapping it replaces is refused.)
    august = make_zip({"gp-reg-pat-prac-map.csv": mapping_csv("2026-08", (*PRACTICES, "Y00001"))})
    site.add_patients_series({"2026-08": {**month_files("2026-08"), "gp-reg-pat-prac-map.zip": august}})
    [mapping] = fetch_newer(at_july, ["mapping"], {"mapping": site.base_url})
    assert mapping.status is FetchStatus.imported and mapping.imported[0].replaced


def test_gpad_practice_unknown_everywhere_is_refused(at_july: Engine, site: FakeSite) -> None:
    body = make_zip({"Practice_Level_Crosstab_Aug_26_All.csv": crosstab_csv("2026-08", ("Z99999",))})
    site.add_gpad_series("2026-08", "Practice_Level_Crosstab_Aug_26.zip", body)
    before = datasets(at_july)
    [outcome] = fetch_newer(at_july, ["appointments"], {"appointments": site.base_url})
    assert outcome.status is FetchStatus.failed
    assert "unknown practice code 'Z99999'" in outcome.message
    assert datasets(at_july) == before


# --- the pure parts ------------------------------------------------------------------------


def test_release_and_resource_links_are_found_in_html() -> None:
    source = nhs.FETCH_SOURCES["patients"]
    series = source.series_url("https://mirror.example/nhs")
    html = f"""<ul>
      <li><a href="{series}/july-2026"><span>Patients Registered at a GP Practice</span> July 2026</a></li>
      <li><a href="august-2026">Latest</a>
      <li><a href="{series}/methodology">Methodology</a></li>
      <li><a href="https://digital.nhs.uk/other-series/may-2026">Elsewhere</a></li>
    </ul>"""
    releases = nhs.parse_releases(html, series + "/", source)
    assert [(r.month, r.url) for r in releases] == [
        ("2026-07", f"{series}/july-2026"),
        ("2026-08", f"{series}/august-2026"),
    ]
    assert [r.month for r in nhs.newer_releases(releases, "2026-07")] == ["2026-08"]
    assert nhs.newer_releases(releases, "2026-08") == []

    page = (
        '<a href="https://files.digital.nhs.uk/BB/362F1A/gp-reg-pat-prac-quin-age.zip">zip</a>'
        '<a href="https://files.digital.nhs.uk/98/8142DB/gp-reg-pat-prac-map.zip">map</a>'
        '<a href="https://files.digital.nhs.uk/11/gp-reg-pat-prac-sing-age-female.zip">single</a>'
    )
    assert nhs.parse_resources(page, "https://digital.nhs.uk/x", source) == [
        "https://files.digital.nhs.uk/BB/362F1A/gp-reg-pat-prac-quin-age.zip"
    ]
    pcn = nhs.FETCH_SOURCES["pcn_workforce"]
    assert nhs.parse_resources(
        '<a href="/A8/E524AA/PCNWFIndividualCSV.062026.zip">csv</a>', "https://files.digital.nhs.uk/", pcn
    ) == ["https://files.digital.nhs.uk/A8/E524AA/PCNWFIndividualCSV.062026.zip"]


def test_download_is_size_limited(site: FakeSite, tmp_path: Path) -> None:
    site.routes["/files/big.zip"] = b"x" * 5000
    with downloads.make_client() as client:
        with pytest.raises(downloads.FetchError, match="over the 1,000-byte limit"):
            downloads.download(client, f"{site.base_url}/files/big.zip", tmp_path, max_bytes=1000)
        assert not (tmp_path / "big.zip").exists()
        assert downloads.download(client, f"{site.base_url}/files/big.zip", tmp_path).stat().st_size == 5000


def test_zip_members_are_unpacked_flat_and_capped(tmp_path: Path) -> None:
    archive = tmp_path / "a.zip"
    archive.write_bytes(
        make_zip({"../../evil/gp-reg-pat-prac-map.csv": "a,b\n1,2\n", "__MACOSX/._x.csv": "junk", "notes.pdf": "pdf"})
    )
    out = downloads.extract_members(archive, tmp_path / "out", re.compile(r"\.csv$"))
    assert out == [tmp_path / "out" / "gp-reg-pat-prac-map.csv"]
    with pytest.raises(downloads.FetchError, match="over the 3-byte limit"):
        downloads.extract_members(archive, tmp_path / "out2", re.compile(r"\.csv$"), max_bytes=3)
