"""A fake digital.nhs.uk on loopback, and small files in the real published layouts.

The server is a stdlib ``ThreadingHTTPServer`` on a free port; tests put pages and files into
``FakeSite.routes`` and read ``FakeSite.requests`` to see what was downloaded. Nothing here
touches the internet.
"""

from __future__ import annotations

import io
import shutil
import threading
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from sqlalchemy import Engine

from gpworkforce import store
from gpworkforce.nomenclature import AGE_BANDS

STAT = "/data-and-information/publications/statistical"
PATIENTS_SERIES = f"{STAT}/patients-registered-at-a-gp-practice"
GPAD_SERIES = f"{STAT}/appointments-in-general-practice"
PRACTICES = ("A81001", "A81002", "A81004")
MONTHS = {"2026-07": ("july", "Jul"), "2026-08": ("august", "Aug")}

PATIENTS_HEADER = "PUBLICATION,EXTRACT_DATE,ORG_TYPE,ORG_CODE,ONS_CODE,POSTCODE,SEX,AGE_GROUP_5,NUMBER_OF_PATIENTS"
MAPPING_HEADER = (
    "PUBLICATION,EXTRACT_DATE,PRACTICE_CODE,PRACTICE_NAME,PRACTICE_POSTCODE,PCN_CODE,PCN_NAME,"
    "ONS_SUB_ICB_LOCATION_CODE,SUB_ICB_LOCATION_CODE,SUB_ICB_LOCATION_NAME,ONS_ICB_CODE,ICB_CODE,ICB_NAME,"
    "ONS_COMM_REGION_CODE,COMM_REGION_CODE,COMM_REGION_NAME,SUPPLIER_NAME"
)
CROSSTAB_HEADER = (
    "APPOINTMENT_MONTH_START_DATE,GP_CODE,GP_NAME,SUPPLIER,PCN_CODE,PCN_NAME,SUB_ICB_LOCATION_CODE,"
    "SUB_ICB_LOCATION_NAME,HCP_TYPE,APPT_MODE,NATIONAL_CATEGORY,TIME_BETWEEN_BOOK_AND_APPT,"
    "COUNT_OF_APPOINTMENTS,APPT_STATUS"
)
GPAD_MAPPING_HEADER = (
    "GP_CODE,GP_NAME,SUPPLIER,PCN_CODE,PCN_NAME,SUB_ICB_LOCATION_CODE,SUB_ICB_LOCATION_NAME,"
    "ICB_CODE,ICB_NAME,REGION_CODE,REGION_NAME"
)


# --- files in the published layouts ----------------------------------------------------------


def patients_csv(month: str, practices: tuple[str, ...] = PRACTICES, bad: bool = False) -> str:
    """gp-reg-pat-prac-quin-age: GP rows by sex x band, per-sex and ALL/ALL totals, plus a PCN row.

    ``bad`` writes a non-number into one count, as a corrupt download or a broken file would.
    """
    lines = [PATIENTS_HEADER]
    extract = f"{month}-01"
    for p, code in enumerate(practices):
        totals = {}
        for s, sex in enumerate(("FEMALE", "MALE")):
            counts = [10 + p * 7 + s * 3 + i for i in range(len(AGE_BANDS))]
            totals[sex] = sum(counts)
            for band, n in zip(AGE_BANDS, counts, strict=True):
                lines.append(f"GP_PRAC_PAT_LIST,{extract},GP,{code},,TS18 1HU,{sex},{band},{n}")
            lines.append(f"GP_PRAC_PAT_LIST,{extract},GP,{code},,TS18 1HU,{sex},ALL,{totals[sex]}")
        lines.append(f"GP_PRAC_PAT_LIST,{extract},GP,{code},,TS18 1HU,ALL,ALL,{sum(totals.values())}")
    lines.append(f"GP_PRAC_PAT_LIST,{extract},PCN,U89141,,,ALL,ALL,999")
    if bad:
        lines[5] = lines[5].rsplit(",", 1)[0] + ",12x"
    return "\n".join(lines) + "\n"


def mapping_csv(month: str, practices: tuple[str, ...] = PRACTICES) -> str:
    """gp-reg-pat-prac-map, with the ``01Aug2026`` style EXTRACT_DATE of the real file."""
    mon = MONTHS[month][1]
    extract = f"01{mon}{month[:4]}"
    rows = [
        f"GP_PRAC_PAT_LIST,{extract},{code},PRACTICE {code},TS18 1HU,U89141,STOCKTON PCN,E38000247,16C,"
        "NHS North East and North Cumbria ICB - 16C,E54000050,QHM,NHS North East and North Cumbria Integrated "
        "Care Board,E40000012,Y63,North East and Yorkshire,TPP"
        for code in practices
    ]
    return "\n".join([MAPPING_HEADER, *rows]) + "\n"


def crosstab_csv(month: str, practices: tuple[str, ...]) -> str:
    """One regional Practice Level Crosstab CSV (``01AUG2026`` month, NHS double-spaced intervals)."""
    stamp = f"01{MONTHS[month][1].upper()}{month[:4]}"
    rows = []
    for i, code in enumerate(practices):
        common = f"{stamp},{code},PRACTICE {code},TPP,U89141,STOCKTON PCN,16C,NHS North East ICB - 16C"
        rows.append(f"{common},GP,Face-to-Face,Planned Clinics,Same Day,{40 + i},Attended")
        rows.append(f"{common},Other Practice staff,Telephone,General Consultation Routine,8  to 14 Days,{5 + i},DNA")
    return "\n".join([CROSSTAB_HEADER, *rows]) + "\n"


def gpad_mapping_csv(practices: tuple[str, ...]) -> str:
    """GPAD ``Mapping.csv`` (undated; the release month becomes its period)."""
    rows = [
        f"{code},PRACTICE {code},TPP,U89141,STOCKTON PCN,16C,NHS North East ICB - 16C,QHM,"
        "NHS North East and North Cumbria ICB,Y63,North East and Yorkshire"
        for code in practices
    ]
    return "\n".join([GPAD_MAPPING_HEADER, *rows]) + "\n"


def make_zip(members: dict[str, str | bytes]) -> bytes:
    """A zip as NHS England publishes them (deflated members)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buf.getvalue()


# --- pages --------------------------------------------------------------------------------


def page(title: str, links: list[tuple[str, str]]) -> bytes:
    """A minimal digital.nhs.uk-like page: header navigation, then the content links."""
    items = "\n".join(f'<li><a class="nhsd-a-link" href="{href}"><span>{text}</span></a></li>' for href, text in links)
    return (
        f"<!DOCTYPE html><html><head><title>{title}</title></head><body>"
        '<nav><a href="/">Home</a> <a href="/data-and-information">Data</a> <a href="mailto:x@nhs.net">Mail</a></nav>'
        f"<main><h1>{title}</h1><ul>\n{items}\n</ul></main></body></html>"
    ).encode()


@dataclass
class FakeSite:
    """Routes (path -> body) served on loopback, and every path requested, in order."""

    base_url: str
    routes: dict[str, bytes] = field(default_factory=dict)
    requests: list[str] = field(default_factory=list)

    def downloaded(self) -> list[str]:
        """Requested file names (zips and CSVs), not pages."""
        return [p.rsplit("/", 1)[-1] for p in self.requests if p.endswith((".zip", ".csv"))]

    def add_patients_series(self, months: dict[str, dict[str, bytes]]) -> None:
        """Series page + one release page per month linking to that month's files (name -> bytes)."""
        releases = []
        for month, files in months.items():
            slug = f"{MONTHS[month][0]}-{month[:4]}"
            release = f"{PATIENTS_SERIES}/{slug}"
            releases.append((release, f"Patients Registered at a GP Practice, {MONTHS[month][0].title()} {month[:4]}"))
            links = [("/data-and-information/publications/statistical", "All statistical publications")]
            for i, (name, body) in enumerate(files.items()):
                path = f"/files/{month}/{i:02X}/{name}"
                self.routes[path] = body
                links.append((f"{self.base_url}{path}", f"{name} [zip]"))
            links.append((f"/files/{month}/ZZ/gp-reg-pat-prac-sing-age-male.zip", "single year of age, male"))
            self.routes[release] = page(f"Patients Registered at a GP Practice {month}", links)
        releases.append((f"{PATIENTS_SERIES}/methodology", "Methodology"))
        self.routes[PATIENTS_SERIES] = page("Patients Registered at a GP Practice", releases)

    def add_gpad_series(self, month: str, zip_name: str, body: bytes) -> None:
        """GPAD series page with one release whose page links to a Practice Level Crosstab zip."""
        slug = f"{MONTHS[month][0]}-{month[:4]}"
        release = f"{GPAD_SERIES}/{slug}"
        self.routes[GPAD_SERIES] = page("Appointments in General Practice", [(release, f"{slug.title()}")])
        path = f"/files/gpad/{zip_name}"
        self.routes[path] = body
        self.routes[release] = page("GPAD", [(path, "Practice Level Crosstab")])


class _Handler(BaseHTTPRequestHandler):
    site: FakeSite

    def do_GET(self) -> None:
        path = self.path.split("?")[0].rstrip("/") or "/"
        self.site.requests.append(path)
        body = self.site.routes.get(path)
        if body is None:
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header(
            "Content-Type", "text/html; charset=utf-8" if body.startswith(b"<!") else "application/octet-stream"
        )
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:  # keep test output quiet
        return


@pytest.fixture
def site() -> Iterator[FakeSite]:
    """A running fake NHS site; shut down after the test."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    fake = FakeSite(f"http://127.0.0.1:{server.server_address[1]}")
    server.RequestHandlerClass = type("Handler", (_Handler,), {"site": fake})
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    thread.start()
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


@pytest.fixture
def db_path(sqlite_template: Path, tmp_path: Path) -> Path:
    """A fresh migrated SQLite file (copy of the per-process template)."""
    path = tmp_path / "db" / "t.db"
    path.parent.mkdir()
    shutil.copyfile(sqlite_template, path)
    return path


@pytest.fixture
def sqlite_engine(db_path: Path) -> Iterator[Engine]:
    """Engine on :func:`db_path`, migrated to head."""
    eng = store.make_engine(f"sqlite:///{db_path}")
    store.upgrade(eng)
    yield eng
    eng.dispose()


def month_files(month: str, *, bad_patients: bool = False) -> dict[str, bytes]:
    """The two registration zips of one month, named as on files.digital.nhs.uk."""
    return {
        "gp-reg-pat-prac-quin-age.zip": make_zip(
            {"gp-reg-pat-prac-quin-age.csv": patients_csv(month, bad=bad_patients)}
        ),
        "gp-reg-pat-prac-map.zip": make_zip({"gp-reg-pat-prac-map.csv": mapping_csv(month)}),
    }
