"""Gathering a pilot's evidence from the workbench and laying out the model report as typed content.

``gather_evidence`` is the ONE place that reads the database for the model and the report: each
source (sites, meeting log, self-assessments, follow-research log, milestones, reference sources,
commentary) is read through its own query function, and a source that is missing, not installed
or unreadable becomes a "saknas" note instead of an error. ``build_report`` turns the evidence and
the synthesised model into ``ReportContent`` (sections of paragraphs, bullet lists, tables and
figures) that the DOCX, PDF and HTML writers render alike.
"""

from __future__ import annotations

import importlib
import importlib.metadata
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

import pandas as pd
import plotly.graph_objects as go
from sqlalchemy import select
from sqlalchemy.orm import Session

from cooperation_model.disclosure import resolve_threshold, rule_text, suppress_small_counts
from cooperation_model.figures import figure_alt_text, figure_data_table, format_number
from cooperation_model.model import (
    CADENCE_LABELS,
    FACTOR_COLUMNS,
    FORUM_COLUMNS,
    INSTRUMENT_COLUMNS,
    LEVEL_LABELS,
    LOG_COLUMNS,
    SITE_COLUMNS,
    SIZE_LABELS,
    STEP_CATALOGUE_COLUMNS,
    STEP_COLUMNS,
    STRENGTH_LABELS,
    CooperationModel,
    ModelEvidence,
    _lbl,
    evidence_fingerprint,
    model_to_json,
    synthesise_model,
)
from pilots.access import CurrentUser, require_pilot
from pilots.derived_cache import cached, scope_key
from pilots.errors import WorkbenchError
from pilots.models import ReferenceSource, ReportCommentary

T = TypeVar("T")
ROOT = Path(__file__).resolve().parents[2]
STEP_INSTRUMENTS = ("mfof-sju-steg", "bra-samverkansprocess")
FACTOR_INSTRUMENTS = (
    "samverkan-systematik",
    "stodjande-organisation",
    "hrv-rutiner-kompetens",
    "lagesbild-foraldraperspektiv",
)
DEFAULT_REPORT_VERSION = "utkast"

SECTION_TITLES: dict[str, tuple[str, str]] = {
    "sammanfattning": ("Sammanfattning", "Summary"),
    "modellen": ("Modellen", "The model"),
    "evidens": ("Evidens per komponent", "Evidence per component"),
    "jamforelser": ("Jämförelser mellan sammanhang", "Comparisons across contexts"),
    "platsprofiler": ("Platsprofiler (bilaga)", "Site profiles (appendix)"),
    "metod": ("Metod", "Methods"),
    "dataursprung": ("Dataursprung", "Data provenance"),
    "begransningar": ("Begränsningar", "Limitations"),
}
SECTION_KEYS: tuple[str, ...] = tuple(SECTION_TITLES)


# --- typed content ------------------------------------------------------------------------------------


@dataclass
class Paragraph:
    text: str
    style: str = "normal"  # normal | note | commentary


@dataclass
class Bullets:
    items: list[str]


@dataclass
class Table:
    caption: str
    frame: pd.DataFrame
    note: str = ""


@dataclass
class Figure:
    key: str
    caption: str
    figure: go.Figure
    alt_text: str
    table: pd.DataFrame
    png: bytes | None = None
    error: str = ""


Block = Paragraph | Bullets | Table | Figure


@dataclass
class Section:
    key: str
    title: str
    level: int = 1
    blocks: list[Block] = field(default_factory=list)


@dataclass
class ReportContent:
    """Everything a writer needs; ``fingerprint`` covers the data, never the generation date."""

    pilot_slug: str
    pilot_name: str
    lang: str
    title: str
    subtitle: str
    is_demo: bool
    report_version: str
    fingerprint: str
    generated_on: date
    software_version: str
    sections: list[Section]
    model: CooperationModel
    model_json: str
    missing: list[tuple[str, str]]

    @property
    def demo_label(self) -> str:
        return "Example data" if self.lang == "en" else "Exempeldata"

    def figures(self) -> list[Figure]:
        return [b for s in self.sections for b in s.blocks if isinstance(b, Figure)]

    def tables(self) -> list[Table]:
        return [b for s in self.sections for b in s.blocks if isinstance(b, Table)]

    def text_lines(self) -> list[str]:
        """All text of the report in order (titles, paragraphs, bullets, captions, table cells)."""
        out = [self.title, self.subtitle]
        for s in self.sections:
            out.append(s.title)
            for b in s.blocks:
                if isinstance(b, Paragraph):
                    out.append(b.text)
                elif isinstance(b, Bullets):
                    out += b.items
                elif isinstance(b, Table):
                    out += [b.caption, b.note, *map(str, b.frame.columns)]
                    out += [str(v) for row in b.frame.itertuples(index=False) for v in row]
                elif isinstance(b, Figure):
                    out += [b.caption, b.alt_text]
        return out


# --- gathering ----------------------------------------------------------------------------------------


def _optional(module: str, name: str) -> Any:
    """An attribute of a module another capability provides, or None when it is not installed."""
    try:
        return getattr(importlib.import_module(module), name, None)
    except ModuleNotFoundError:
        return None


def _try(missing: list[tuple[str, str]], source: str, fn: Callable[[], T], default: T) -> T:
    """Run one source read; a workbench error or a missing module becomes a 'saknas' note."""
    try:
        return fn()
    except (WorkbenchError, ImportError) as exc:  # a programming error (KeyError, ValueError...) must fail loudly
        missing.append((source, f"saknas ({exc})"))
        return default


def _lagesbild(slug: str, name: str) -> bool:
    text = f"{slug} {name}".lower()
    return "lagesbild" in text or "lägesbild" in text


def _scale_max(instrument: Any, scale_id: str) -> float | None:
    for scale in instrument.scales:
        if scale.id == scale_id and scale.values:
            top = max(v.value for v in scale.values)
            return float(top) if top else None
    return None


def _site_forums(session: Session, user: CurrentUser, site_id: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The site's forums with their systematicity and the actors who attended a meeting (one read of the log).

    Derived from the site's records only: kept in the derived-data cache until the site's log changes."""
    from pilots.access import require_site

    require_site(session, user, site_id)
    return cached(session, ("evidence_forums",), lambda: _read_site_forums(session, user, site_id), site_id=site_id)


def _read_site_forums(session: Session, user: CurrentUser, site_id: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    from cooperation_model.site_network import site_systematicity
    from pilots.meetings import network_frames

    frames = network_frames(session, user, site_id)
    table = site_systematicity(session, user, site_id, frames=frames)
    forums = table.assign(site_id=site_id)
    for col in FORUM_COLUMNS:
        if col not in forums.columns:
            forums[col] = None
    actors = frames.actors.assign(site_id=site_id)
    attended = (
        set(frames.attendance.loc[frames.attendance["attended"].astype(bool), "actor_id"])
        if len(frames.attendance)
        else set()
    )
    if attended:
        actors = actors[actors["actor_id"].isin(attended)]
    return forums[FORUM_COLUMNS], actors[["site_id", "actor_id", "sector", "level"]]


SiteScoreEvidence = tuple[list[dict[str, Any]], list[dict[str, Any]], dict[str, Any] | None]


def _site_scores(session: Session, user: CurrentUser, site_id: int, instrument_id: str) -> SiteScoreEvidence:
    """Factor shares and step medians of the site's latest round with submitted answers, and what the
    instrument is; kept in the derived-data cache until the site's rounds or answers change."""
    from pilots.access import require_site

    require_site(session, user, site_id)
    return cached(
        session,
        ("evidence_scores", instrument_id),
        lambda: _read_site_scores(session, user, site_id, instrument_id),
        site_id=site_id,
    )


def _read_site_scores(session: Session, user: CurrentUser, site_id: int, instrument_id: str) -> SiteScoreEvidence:
    round_answers_frame = _optional("instruments.answers", "round_answers_frame")
    get_instrument = _optional("instruments.store", "get_instrument")
    factor_profile = _optional("instruments.scoring", "factor_profile")
    if round_answers_frame is None or get_instrument is None or factor_profile is None:
        raise ModuleNotFoundError("instruments")
    from pilots.models import AssessmentRound, InstrumentVersion, Response

    # Only the latest round with submitted answers is scored (the evidence shows where a site stands now).
    rounds = session.execute(
        select(AssessmentRound.id, AssessmentRound.instrument_version_id,
               AssessmentRound.id.in_(select(Response.round_id).where(Response.status == "submitted")))
        .join(InstrumentVersion, InstrumentVersion.id == AssessmentRound.instrument_version_id)
        .where(AssessmentRound.site_id == site_id, AssessmentRound.deleted_at.is_(None),
               InstrumentVersion.instrument_id == instrument_id)
        .order_by(AssessmentRound.due_date, AssessmentRound.id)
    ).all()  # fmt: skip
    if not rounds:
        return [], [], None
    last = get_instrument(session, int(rounds[-1][1]))
    info = {
        "instrument_id": instrument_id,
        "version": last.version,
        "status": last.status,
        "title_sv": last.title.sv,
        "title_en": last.title.en,
        "n_rounds": len(rounds),
    }
    answers = pd.DataFrame()
    ins = last
    for round_id, version_id, submitted in reversed(rounds):
        if not submitted:
            continue
        answers = round_answers_frame(session, user, int(round_id))
        if len(answers):
            ins = get_instrument(session, int(version_id))
            break
    if answers.empty:
        return [], [], info
    scoring_input = answers[["respondent", "item_id", "value", "dont_know"]]
    real = scoring_input[~scoring_input["dont_know"].astype(bool)]
    item_medians = real.groupby("item_id")["value"].median()
    factors = []
    for row in factor_profile(ins, scoring_input).to_dict("records"):
        top = _scale_max(ins, row["scale"])
        value = row["value"]
        share = None if top is None or value is None or pd.isna(value) else float(value) / top
        factors.append(
            {
                "site_id": site_id,
                "instrument_id": instrument_id,
                "instrument_version": ins.version,
                "instrument_status": ins.status,
                "factor_id": row["factor_id"],
                "label_sv": row["label_sv"],
                "label_en": row["label_en"],
                "share": share,
            }
        )
    steps = []
    if instrument_id in STEP_INSTRUMENTS:
        medians = {str(k): float(v) for k, v in item_medians.items()}
        for item in ins.items():
            top = _scale_max(ins, item.scale)
            value = medians.get(item.id)
            if value is None or pd.isna(value) or top is None:
                continue
            steps.append(
                {
                    "site_id": site_id,
                    "instrument_id": instrument_id,
                    "item_id": item.id,
                    "label_sv": item.label.sv,
                    "label_en": item.label.en,
                    "share": float(value) / top,
                }
            )
    return factors, steps, info


def _step_catalogue() -> pd.DataFrame:
    from instruments.schema import builtin_definition

    rows = []
    for instrument_id in STEP_INSTRUMENTS:
        try:
            ins = builtin_definition(instrument_id)
        except WorkbenchError:
            continue
        if instrument_id == "bra-samverkansprocess":
            # the five steps are sections; each has one status item ("f1-status") that stands for the step
            for section in ins.sections:
                if section.id.startswith("steg") and section.items:
                    item = section.items[0]
                    rows.append(
                        {
                            "instrument_id": instrument_id,
                            "item_id": item.id,
                            "label_sv": section.title.sv,
                            "label_en": section.title.en,
                            "label_status": item.label_status or ins.status,
                        }
                    )
            continue
        for item in ins.items():
            if item.id.startswith("steg"):
                rows.append(
                    {
                        "instrument_id": instrument_id,
                        "item_id": item.id,
                        "label_sv": item.label.sv,
                        "label_en": item.label.en,
                        "label_status": item.label_status or ins.status,
                    }
                )
    return pd.DataFrame(rows, columns=STEP_CATALOGUE_COLUMNS)


def gather_evidence(session: Session, user: CurrentUser, pilot_id: int) -> ModelEvidence:
    """Read a pilot's evidence through the query layer; missing sources become notes, never errors."""
    pilot = require_pilot(session, user, pilot_id)
    ev = ModelEvidence(
        pilot_slug=pilot.slug,
        pilot_name=pilot.name,
        is_demo=bool(pilot.is_demo),
        lagesbild=_lagesbild(pilot.slug, pilot.name),
    )
    missing = ev.missing
    from pilots.sites import sites_frame

    sites = sites_frame(session, user, pilot_id)
    ev.sites = sites[SITE_COLUMNS].sort_values("site_id").reset_index(drop=True)
    if sites.empty:
        missing.append(("Platser", "saknas: piloten har inga platser (kommuner) som du kan läsa"))
    forums: list[pd.DataFrame] = []
    actors: list[pd.DataFrame] = []
    factors: list[dict[str, Any]] = []
    steps: list[dict[str, Any]] = []
    instruments: dict[str, Any] = {}
    for site in ev.sites.to_dict("records"):
        sid = int(site["site_id"])
        name = site["municipality_name"]
        f, a = _try(
            missing,
            f"Möteslogg {name}",
            lambda sid=sid: _site_forums(session, user, sid),  # type: ignore[misc]
            (
                pd.DataFrame(columns=FORUM_COLUMNS),
                pd.DataFrame(columns=["site_id", "actor_id", "sector", "level"]),
            ),
        )
        if len(f):
            forums.append(f)
        if len(a):
            actors.append(a)
        for instrument_id in (*FACTOR_INSTRUMENTS, *STEP_INSTRUMENTS):
            no_scores: tuple[list[dict[str, Any]], list[dict[str, Any]], dict[str, Any] | None] = ([], [], None)
            fac, stp, info = _try(
                missing,
                f"Självskattning {instrument_id} {name}",
                lambda sid=sid, iid=instrument_id: _site_scores(session, user, sid, iid),  # type: ignore[misc]
                no_scores,
            )
            factors += fac
            steps += stp
            if info is not None:
                prev = instruments.get(instrument_id)
                info = {**info, "n_rounds": info["n_rounds"] + (prev["n_rounds"] if prev else 0)}
                instruments[instrument_id] = info
    ev.forums = pd.concat(forums, ignore_index=True) if forums else pd.DataFrame(columns=FORUM_COLUMNS)
    ev.actors = pd.concat(actors, ignore_index=True) if actors else ev.actors
    ev.factors = pd.DataFrame(factors, columns=FACTOR_COLUMNS)
    ev.steps = pd.DataFrame(steps, columns=STEP_COLUMNS)
    ev.instruments = pd.DataFrame(
        sorted(instruments.values(), key=lambda r: r["instrument_id"]), columns=INSTRUMENT_COLUMNS
    )
    ev.step_catalogue = _try(
        missing, "Instrumentdefinitioner", _step_catalogue, pd.DataFrame(columns=STEP_CATALOGUE_COLUMNS)
    )
    if user.sees_site_level_data:
        log_frame = _optional("pilots.log", "log_frame")
        if log_frame is not None:
            log = _try(
                missing,
                "Följeforskningslogg",
                # every log entry of the pilot the reader may see: kept until a write (or the TTL)
                lambda: cached(session, ("evidence_log", pilot_id, scope_key(user)),
                               lambda: log_frame(session, user, pilot_id=pilot_id)),
                pd.DataFrame(),
            )
            if len(log):
                ev.log = log[LOG_COLUMNS].sort_values(["entry_date", "entry_id"]).reset_index(drop=True)
        else:
            missing.append(("Följeforskningslogg", "saknas (modulen pilots.log finns inte)"))
    if ev.forums.empty and not sites.empty:
        missing.append(("Möteslogg", "saknas: inga forum eller möten är registrerade"))
    if ev.factors.empty and not sites.empty:
        missing.append(("Självskattningar", "saknas: inga besvarade omgångar"))
    ev.missing = sorted(set(missing))
    return ev


def _timeline(session: Session, user: CurrentUser, pilot_id: int) -> pd.DataFrame:
    timeline_frame = _optional("pilots.plans", "timeline_frame")
    if timeline_frame is None or not user.sees_site_level_data:
        return pd.DataFrame()
    try:
        frame = timeline_frame(session, user)
    except WorkbenchError:
        return pd.DataFrame()
    from pilots.models import Site

    ids = set(session.scalars(select(Site.id).where(Site.pilot_id == pilot_id)))
    return frame[frame["site_id"].isin(ids)].reset_index(drop=True)


COMMENTARY_COLUMNS = ["commentary_id", "section_key", "title", "text", "report_version", "author", "version"]


def commentary_frame(
    session: Session, user: CurrentUser, pilot_id: int, report_version: str | None = None
) -> pd.DataFrame:
    """Researchers' commentary sections of a pilot's report (optionally of one report version)."""
    require_pilot(session, user, pilot_id)
    stmt = select(ReportCommentary).where(ReportCommentary.pilot_id == pilot_id)
    if report_version is not None:
        stmt = stmt.where(ReportCommentary.report_version == report_version)
    rows = session.scalars(stmt.order_by(ReportCommentary.section_key, ReportCommentary.id)).all()
    return pd.DataFrame(
        [
            {
                "commentary_id": r.id,
                "section_key": r.section_key,
                "title": r.title,
                "text": r.text,
                "report_version": r.report_version,
                "author": r.author,
                "version": r.version,
            }
            for r in rows
        ],
        columns=COMMENTARY_COLUMNS,
    )


def save_commentary(
    session: Session,
    user: CurrentUser,
    pilot_id: int,
    section_key: str,
    title: str,
    text: str,
    *,
    report_version: str = DEFAULT_REPORT_VERSION,
    commentary_id: int | None = None,
    expected_version: int | None = None,
) -> ReportCommentary:
    """Add or update a commentary section (researchers of the pilot and admins; personal numbers refused)."""
    from pilots.errors import NotFound, Problem, ValidationError
    from pilots.privacy import check_fields

    require_pilot(session, user, pilot_id, write=True)
    problems = []
    if section_key not in SECTION_KEYS:
        problems.append(
            Problem(
                "section_key", f"{section_key!r} är ingen rapportdel; välj en av {', '.join(SECTION_KEYS)}"
            )
        )
    if not title.strip():
        problems.append(Problem("title", "rubriken saknas"))
    if not text.strip():
        problems.append(Problem("text", "texten saknas"))
    if not report_version.strip():
        problems.append(Problem("report_version", "versionsetiketten saknas (t.ex. utkast, v1.0)"))
    if problems:
        raise ValidationError(problems)
    check_fields({"title": title, "text": text, "report_version": report_version})
    if commentary_id is None:
        row = ReportCommentary(
            pilot_id=pilot_id,
            section_key=section_key,
            title=title.strip(),
            text=text.strip(),
            report_version=report_version.strip(),
            author=user.username,
        )
        session.add(row)
    else:
        found = session.get(ReportCommentary, commentary_id)
        if found is None or found.pilot_id != pilot_id:
            raise NotFound(f"Det finns ingen kommentar med id {commentary_id} i piloten.")
        row = found
        if expected_version is not None and row.version != expected_version:
            raise WorkbenchError(
                "Kommentaren har ändrats av någon annan sedan du öppnade den; ladda om sidan."
            )
        row.section_key, row.title, row.text = section_key, title.strip(), text.strip()
        row.report_version = report_version.strip()
    session.flush()
    return row


def _reference_sources(session: Session) -> pd.DataFrame:
    rows = session.scalars(select(ReferenceSource).order_by(ReferenceSource.kind, ReferenceSource.year)).all()
    return pd.DataFrame(
        [{"kind": r.kind, "source": r.source, "year": r.year, "rows": r.rows} for r in rows],
        columns=["kind", "source", "year", "rows"],
    )


def software_version() -> str:
    try:
        return importlib.metadata.version("pilot-workbench")
    except importlib.metadata.PackageNotFoundError:
        return "0.1.0"


def metric_definitions(
    sections: tuple[str, ...] = ("Whole-network metrics", "Systematicity of a forum"),
    path: Path | None = None,
) -> pd.DataFrame:
    """The metric tables of docs/metrics.md (first two columns: key and formula/rule) as one table."""
    path = path or ROOT / "docs" / "metrics.md"
    if not path.is_file():
        return pd.DataFrame(columns=["section", "metric", "definition"])
    rows: list[dict[str, str]] = []
    current = ""
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("## "):
            current = line[3:].strip()
            continue
        if not any(current.startswith(s) for s in sections) or not line.startswith("|"):
            continue
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) < 2 or set(cells[0]) <= {"-", ":"} or cells[0] in ("key", "column"):
            continue
        rows.append(
            {
                "section": current.split(":")[0],
                "metric": cells[0].replace("`", ""),
                "definition": cells[1].replace("`", "").replace("**", ""),
            }
        )
    return pd.DataFrame(rows, columns=["section", "metric", "definition"])


# --- report layout ------------------------------------------------------------------------------------


def _w(lang: str, sv: str, en: str) -> str:
    return en if lang == "en" else sv


def _pct(value: Any, lang: str) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return _w(lang, "saknas", "missing")
    return f"{format_number(100 * float(value), lang)} %"


def _num(value: Any, lang: str, decimals: int = 2) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return _w(lang, "saknas", "missing")
    return format_number(float(value), lang, decimals)


def _table_frame(frame: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Cells as display text: numbers in the language's format, empty cells as 'saknas'."""

    def cell(v: Any) -> str:
        if v is None or (not isinstance(v, (list, dict, str)) and pd.isna(v)):
            return "–"
        if isinstance(v, bool):
            return _w(lang, "ja", "yes") if v else _w(lang, "nej", "no")
        if isinstance(v, int):
            return format_number(v, lang)
        if isinstance(v, float):
            return format_number(v, lang, 0 if v.is_integer() else 2)
        return str(v)

    return frame.astype(object).map(cell) if len(frame) else frame.astype(object)


def _municipality_counts(
    frame: pd.DataFrame, sites: pd.DataFrame, column: str, caption: str, lang: str, threshold: int | None
) -> Table:
    """Rows of ``frame`` counted per municipality and value of ``column``, small counts suppressed."""
    municipality = _w(lang, "Kommun", "Municipality")
    counts = (
        frame.merge(sites[["site_id", "municipality_name"]], on="site_id", how="left")
        .groupby(["municipality_name", column])
        .size()
        .unstack(fill_value=0)
    )
    counts.columns = [str(c) for c in counts.columns]
    counts = counts.reset_index().rename(columns={"municipality_name": municipality})
    return _counts_table(counts, municipality, list(counts.columns[1:]), caption, lang, threshold)


def _counts_table(
    frame: pd.DataFrame, label_col: str, count_cols: list[str], caption: str, lang: str, threshold: int | None
) -> Table:
    """A table of counts with the small-count rule applied and stated beneath it."""
    shown, report = suppress_small_counts(frame.set_index(label_col), count_cols, threshold)
    shown = shown.reset_index()
    note = report.rule_text(lang)
    return Table(caption, _table_frame(shown, lang), note)


def _figure(key: str, caption: str, fig: go.Figure) -> Figure:
    return Figure(
        key=key, caption=caption, figure=fig, alt_text=figure_alt_text(fig), table=figure_data_table(fig)
    )


def _commentary_blocks(commentary: pd.DataFrame, key: str, lang: str) -> list[Block]:
    out: list[Block] = []
    for row in commentary[commentary["section_key"] == key].to_dict("records"):
        head = _w(lang, "Forskarens kommentar", "Researcher's commentary")
        out.append(Paragraph(f"{head}: {row['title']}", "commentary_title"))
        out += [Paragraph(p.strip(), "commentary") for p in str(row["text"]).split("\n\n") if p.strip()]
    return out


def build_report_content(
    evidence: ModelEvidence,
    *,
    lang: str = "sv",
    commentary: pd.DataFrame | None = None,
    timeline: pd.DataFrame | None = None,
    reference_sources: pd.DataFrame | None = None,
    report_version: str = DEFAULT_REPORT_VERSION,
    generated_on: date | None = None,
    threshold: int | None = None,
) -> ReportContent:
    """Lay out the report from evidence (pure: no database). Same evidence, same content."""
    from cooperation_model.charts import evidence_charts

    lg = "en" if lang == "en" else "sv"
    t = resolve_threshold(threshold)
    commentary = commentary if commentary is not None else pd.DataFrame(columns=COMMENTARY_COLUMNS)
    commentary = commentary.sort_values(["section_key", "commentary_id"]) if len(commentary) else commentary
    timeline = timeline if timeline is not None else pd.DataFrame()
    refs = (
        reference_sources
        if reference_sources is not None
        else pd.DataFrame(columns=["kind", "source", "year", "rows"])
    )
    model = synthesise_model(evidence, lg)
    extra = {
        "commentary": commentary[["section_key", "title", "text", "report_version"]].to_dict("records")
        if len(commentary)
        else [],
        "timeline": timeline[
            [c for c in ("site_id", "name", "planned_date", "actual_date", "state") if c in timeline.columns]
        ].to_dict("records")
        if len(timeline)
        else [],
        "reference_sources": refs.to_dict("records"),
        "threshold": t,
        "report_version": report_version,
    }
    fingerprint = evidence_fingerprint(evidence, extra)
    charts = {c.key: c for c in evidence_charts(evidence, lang=lg, timeline=timeline)}
    W = lambda sv, en: _w(lg, sv, en)  # noqa: E731
    sites = evidence.sites
    n_sites = model.n_sites
    sections: list[Section] = []

    # Sammanfattning
    s = Section("sammanfattning", _lbl(SECTION_TITLES["sammanfattning"], lg, ""))
    r = model.routines
    s.blocks.append(
        Paragraph(
            W(
                f"Rapporten sammanfattar vad {evidence.pilot_name} visar om hur samverkan mot hedersrelaterat våld och förtryck "
                f"kan bli systematisk. Underlaget är {n_sites} plats(er), {model.structure['n_forums']} forum och "
                f"{r['n_meetings']} registrerade möten, {len(evidence.log)} loggposter från följeforskningen och "
                f"självskattningar på {len(evidence.instruments)} instrument.",
                f"The report summarises what {evidence.pilot_name} shows about how cooperation against honour-related violence "
                f"and oppression can become systematic. The evidence is {n_sites} site(s), {model.structure['n_forums']} "
                f"forums and {r['n_meetings']} recorded meetings, {len(evidence.log)} follow-research log entries and "
                f"self-assessments on {len(evidence.instruments)} instruments.",
            )
        )
    )
    key_points = [
        W(
            f"Andel möten med protokollförda beslut: {_pct(r['share_decisions'], lg)}; åtgärder som följdes upp på nästa möte: "
            f"{_pct(r['share_followed_up'], lg)}.",
            f"Share of meetings with recorded decisions: {_pct(r['share_decisions'], lg)}; actions followed up at the next "
            f"meeting: {_pct(r['share_followed_up'], lg)}.",
        ),
        W(
            f"Median för systematik per forum (0–1): {_num(r['median_score'], lg)}.",
            f"Median systematicity per forum (0–1): {_num(r['median_score'], lg)}.",
        ),
    ]
    strong = [f.label for f in model.success_factors if f.strength in ("stark", "måttlig")]
    key_points.append(
        W(
            "Framgångsfaktorer med minst måttligt stöd: " + (", ".join(strong) or "inga ännu") + ".",
            "Success factors with at least moderate support: " + (", ".join(strong) or "none yet") + ".",
        )
    )
    if evidence.missing:
        key_points.append(
            W(
                f"Underlag som saknas: {len(evidence.missing)} källor (se Begränsningar).",
                f"Missing evidence: {len(evidence.missing)} sources (see Limitations).",
            )
        )
    s.blocks.append(Bullets(key_points))
    sections.append(s)

    # Modellen
    s = Section("modellen", _lbl(SECTION_TITLES["modellen"], lg, ""))
    s.blocks.append(
        Paragraph(
            W(
                "Modellen beskriver strukturer, roller och rutiner som gör samverkan systematisk, vilka framgångsfaktorer "
                "underlaget stöder, hur en kommun kan gå till väga och vad som behöver anpassas efter kommunens storlek. "
                "Den finns också som maskinläsbar fil (JSON) som en kommun kan anta i arbetsverktyget.",
                "The model describes the structures, roles and routines that make cooperation systematic, which success "
                "factors the evidence supports, how a municipality can proceed and what to adapt to its size. It also "
                "exists as a machine-readable file (JSON) that a municipality can adopt in the workbench.",
            )
        )
    )
    sections.append(s)
    sub = Section(
        "modellen.struktur",
        W("Struktur: forum, nivåer och mötesfrekvens", "Structure: forums, levels and cadence"),
        2,
    )
    if model.forums:
        frame = pd.DataFrame(
            [
                {
                    W("Forum", "Forum"): f.name,
                    W("Nivå", "Level"): _lbl(LEVEL_LABELS.get(f.level), lg, f.level),
                    W("Mötesfrekvens", "Cadence"): _lbl(CADENCE_LABELS.get(f.cadence), lg, f.cadence),
                    W("Sektorer", "Sectors"): ", ".join(f.sectors) or "–",
                    W("Platser med forumet", "Sites with the forum"): f.n_sites,
                }
                for f in model.forums
            ]
        )
        sub.blocks.append(Table(W("Forum i modellen", "Forums in the model"), _table_frame(frame, lg)))
    else:
        sub.blocks.append(
            Paragraph(
                W(
                    "Struktur saknas: inga forum är registrerade i piloten.",
                    "Structure missing: no forums are recorded in the pilot.",
                ),
                "note",
            )
        )
    sections.append(sub)
    sub = Section(
        "modellen.roller",
        W("Roller: sammankalla, dokumentera, följa upp", "Roles: convene, document, follow up"),
        2,
    )
    ro = model.roles
    sub.blocks.append(
        Bullets(
            [
                W(
                    f"Forum där sammankallande är namngiven: {_pct(ro['share_forums_convener_named'], lg)}.",
                    f"Forums naming a convener: {_pct(ro['share_forums_convener_named'], lg)}.",
                ),
                W(
                    f"Forum där den som dokumenterar är namngiven: {_pct(ro['share_forums_documenter_named'], lg)}.",
                    f"Forums naming a documenter: {_pct(ro['share_forums_documenter_named'], lg)}.",
                ),
                W(
                    f"Forum där den som följer upp är namngiven: {_pct(ro['share_forums_follow_up_named'], lg)}.",
                    f"Forums naming who follows up: {_pct(ro['share_forums_follow_up_named'], lg)}.",
                ),
            ]
        )
    )
    sections.append(sub)
    sub = Section(
        "modellen.rutiner", W("Rutiner: beslut och uppföljning", "Routines: decisions and follow-up"), 2
    )
    sub.blocks.append(
        Bullets(
            [
                W(
                    f"Beslut protokollförs på {_pct(r['share_decisions'], lg)} av mötena.",
                    f"Decisions are recorded at {_pct(r['share_decisions'], lg)} of meetings.",
                ),
                W(
                    f"Åtgärder följs upp på nästa möte i {_pct(r['share_followed_up'], lg)} av fallen.",
                    f"Actions are followed up at the next meeting in {_pct(r['share_followed_up'], lg)} of cases.",
                ),
                W(
                    f"Mötena hålls i avsedd takt (regelbundenhet): {_pct(r['regularity'], lg)}.",
                    f"Meetings keep their intended cadence (regularity): {_pct(r['regularity'], lg)}.",
                ),
            ]
        )
    )
    sections.append(sub)
    sub = Section(
        "modellen.faktorer",
        W("Framgångsfaktorer och evidensstyrka", "Success factors and strength of evidence"),
        2,
    )
    if model.success_factors:
        frame = pd.DataFrame(
            [
                {
                    W("Framgångsfaktor", "Success factor"): f.label,
                    W("Platser med underlag", "Sites with evidence"): f.n_sites,
                    W("Platser där faktorn finns", "Sites where present"): f.n_present,
                    W("Sammanhang", "Contexts"): ", ".join(f.contexts) or "–",
                    W("Konsekvens", "Consistency"): f.consistency,
                    W("Evidensstyrka", "Strength"): STRENGTH_LABELS[lg][f.strength],
                }
                for f in model.success_factors
            ]
        )
        sub.blocks.append(
            Table(
                W("Framgångsfaktorer", "Success factors"),
                _table_frame(frame, lg),
                W(
                    "En faktor finns på en plats när dess poäng är minst halva skalan. Stark: minst 5 platser, "
                    "finns på flertalet, i minst 2 storleksklasser och konsekvent där det kan prövas; "
                    "måttlig: minst 3 platser i minst 2 storleksklasser; svag: färre.",
                    "A factor is present at a site when its score is at least half the scale. Strong: at "
                    "least 5 sites, present at most, in at least 2 size classes and consistent where "
                    "testable; moderate: at least 3 sites in at least 2 size classes; weak: fewer.",
                ),
            )
        )
        for f in model.success_factors:
            if f.illustrations:
                sub.blocks.append(
                    Paragraph(
                        W(
                            f"Illustrationer ur loggen – {f.label}:",
                            f"Illustrations from the log – {f.label}:",
                        )
                    )
                )
                sub.blocks.append(
                    Bullets([f"{i['date']} ({i['kind']}): {i['text']}" for i in f.illustrations])
                )
    else:
        sub.blocks.append(
            Paragraph(
                W(
                    "Framgångsfaktorer saknas: inga självskattningar är besvarade.",
                    "Success factors missing: no self-assessments have been answered.",
                ),
                "note",
            )
        )
    sections.append(sub)
    sub = Section("modellen.steg", W("Genomförandesteg", "Implementation steps"), 2)
    steps_name = (
        W("Brå:s fem steg i samverkansprocessen", "Brå's five steps of the cooperation process")
        if model.steps_source == "bra-samverkansprocess"
        else W("MFoF:s sju steg", "MFoF's seven steps")
    )
    sub.blocks.append(
        Paragraph(
            W(
                f"Stegen följer {steps_name} (instrument {model.steps_source}). Stegen kan tas i annan "
                "ordning eller parallellt.",
                f"The steps follow {steps_name} (instrument {model.steps_source}). They may be taken in "
                "another order or in parallel.",
            )
        )
    )
    if model.steps:
        frame = pd.DataFrame(
            [
                {
                    W("Steg", "Step"): st.number,
                    W("Innehåll", "Content"): st.label,
                    W("Etikett", "Label"): W("kontrollerad", "verified")
                    if st.label_status == "verified"
                    else W("preliminär", "provisional"),
                    W("Platser med svar", "Sites answering"): st.n_sites,
                    W("Median genomförandegrad", "Median stage"): _pct(st.median_share, lg),
                }
                for st in model.steps
            ]
        )
        sub.blocks.append(Table(steps_name, _table_frame(frame, lg)))
    else:
        sub.blocks.append(
            Paragraph(W("Stegdefinitionerna saknas.", "The step definitions are missing."), "note")
        )
    sections.append(sub)
    sub = Section(
        "modellen.anpassningar", W("Anpassningar efter kommuntyp", "Adaptations per kind of municipality"), 2
    )
    sub.blocks.append(
        Bullets(
            [
                f"{a.label} ({a.n_sites} {W('plats(er) i underlaget', 'site(s) in the evidence')}): {a.advice}"
                for a in model.adaptations
            ]
        )
    )
    sections.append(sub)
    for key in ("sammanfattning", "modellen"):
        target = next(x for x in sections if x.key == key)
        target.blocks += _commentary_blocks(commentary, key, lg)

    # Evidens per komponent
    s = Section("evidens", _lbl(SECTION_TITLES["evidens"], lg, ""))
    s.blocks.append(
        Paragraph(
            W(
                "Varje komponent i modellen bygger på mätningar i arbetsverktyget: mötesloggen (forum, möten, "
                "närvaro, åtgärder), självskattningar och följeforskarens logg.",
                "Each component rests on measurements in the workbench: the meeting log (forums, meetings, "
                "attendance, actions), self-assessments and the follow-researcher's log.",
            )
        )
    )
    for key, caption in (
        (
            "systematik_per_forum",
            W("Systematik per forum enligt mötesloggen.", "Systematicity per forum from the meeting log."),
        ),
        ("forumklassning", W("Forum per klassificering.", "Forums per classification.")),
        ("sektorer", W("Sektorer som deltar i mötena.", "Sectors taking part in the meetings.")),
        (
            "framgangsfaktorer",
            W("Framgångsfaktorer enligt självskattningarna.", "Success factors from the self-assessments."),
        ),
        ("genomforandesteg", W("Genomförandegrad per steg.", "Implementation stage per step.")),
        ("tidslinje", W("Milstolpar, planerat och utfall.", "Milestones, planned and actual.")),
    ):
        if key in charts:
            s.blocks.append(_figure(key, caption, charts[key].figure))
        else:
            s.blocks.append(
                Paragraph(
                    W(
                        f"Diagram saknas: {caption.rstrip('.').lower()} – inga data.",
                        f"Chart missing: {caption.rstrip('.').lower()} – no data.",
                    ),
                    "note",
                )
            )
    for frame, column, caption in (
        (evidence.forums, "classification",
         W("Antal forum per kommun och klassificering", "Forums per municipality and classification")),
        (evidence.log, "kind", W("Loggposter per kommun och slag", "Log entries per municipality and kind")),
    ):
        if len(frame):
            s.blocks.append(_municipality_counts(frame, sites, column, caption, lg, t))
    s.blocks += _commentary_blocks(commentary, "evidens", lg)
    sections.append(s)

    # Jämförelser
    s = Section("jamforelser", _lbl(SECTION_TITLES["jamforelser"], lg, ""))
    if "systematik_per_storleksklass" in charts:
        s.blocks.append(
            _figure(
                "systematik_per_storleksklass",
                W("Systematik per plats, efter storleksklass.", "Systematicity per site, by size class."),
                charts["systematik_per_storleksklass"].figure,
            )
        )
    frame = pd.DataFrame(
        [
            {
                W("Storleksklass", "Size class"): a.label,
                W("Platser", "Sites"): a.n_sites,
                W("Forum per plats", "Forums per site"): a.forums_per_site,
                W("Vanligast mötesfrekvens", "Most common cadence"): _lbl(
                    CADENCE_LABELS.get(a.typical_cadence or ""), lg, a.typical_cadence or "–"
                ),
                W("Median systematik", "Median systematicity"): a.median_score,
            }
            for a in model.adaptations
        ]
    )
    s.blocks.append(
        Table(
            W("Platser per storleksklass", "Sites per size class"),
            _table_frame(frame, lg),
            W(
                "Jämförelser kräver minst 5 platser per grupp; med färre beskrivs grupperna men prövas inte.",
                "Comparisons need at least 5 sites per group; smaller groups are described, not tested.",
            ),
        )
    )
    s.blocks += _commentary_blocks(commentary, "jamforelser", lg)
    sections.append(s)

    # Platsprofiler
    s = Section("platsprofiler", _lbl(SECTION_TITLES["platsprofiler"], lg, ""))
    if sites.empty:
        s.blocks.append(
            Paragraph(
                W(
                    "Platsprofiler saknas: piloten har inga platser.",
                    "Site profiles missing: the pilot has no sites.",
                ),
                "note",
            )
        )
    s.blocks += _commentary_blocks(commentary, "platsprofiler", lg)
    sections.append(s)
    for site in sites.to_dict("records"):
        sub = Section(f"plats.{site['municipality_code']}", str(site["municipality_name"]), 2)
        size = site.get("size_class")
        pop = site.get("population")
        sub.blocks.append(
            Paragraph(
                W(
                    f"Kommunkod {site['municipality_code']}, {site.get('landsdel') or 'landsdel saknas'}, "
                    f"{_lbl(SIZE_LABELS.get(size or ''), lg, 'storleksklass saknas')}"
                    + (
                        f" ({format_number(float(pop), lg)} invånare)."
                        if pop is not None and not pd.isna(pop)
                        else "."
                    ),
                    f"Municipality code {site['municipality_code']}, {site.get('landsdel') or 'region missing'}, "
                    f"{_lbl(SIZE_LABELS.get(size or ''), lg, 'size class missing')}"
                    + (
                        f" ({format_number(float(pop), lg)} inhabitants)."
                        if pop is not None and not pd.isna(pop)
                        else "."
                    ),
                )
            )
        )
        f = (
            evidence.forums[evidence.forums["site_id"] == site["site_id"]]
            if len(evidence.forums)
            else evidence.forums
        )
        if len(f):
            frame = f[["name", "level", "cadence", "n_meetings", "score", "classification"]].rename(
                columns={
                    "name": W("Forum", "Forum"),
                    "level": W("Nivå", "Level"),
                    "cadence": W("Mötesfrekvens", "Cadence"),
                    "n_meetings": W("Möten", "Meetings"),
                    "score": W("Systematik", "Systematicity"),
                    "classification": W("Klassificering", "Classification"),
                }
            )
            sub.blocks.append(
                Table(
                    W(f"Forum i {site['municipality_name']}", f"Forums in {site['municipality_name']}"),
                    _table_frame(frame.sort_values(W("Forum", "Forum")), lg),
                )
            )
        else:
            sub.blocks.append(
                Paragraph(W("Forum och möten: saknas.", "Forums and meetings: missing."), "note")
            )
        fac = (
            evidence.factors[evidence.factors["site_id"] == site["site_id"]]
            if len(evidence.factors)
            else evidence.factors
        )
        if len(fac):
            frame = fac[["instrument_id", "label_en" if lg == "en" else "label_sv", "share"]].rename(
                columns={
                    "instrument_id": W("Instrument", "Instrument"),
                    "label_sv": W("Faktor", "Factor"),
                    "label_en": W("Faktor", "Factor"),
                    "share": W("Andel av skalan", "Share of scale"),
                }
            )
            sub.blocks.append(
                Table(
                    W(
                        f"Självskattning i {site['municipality_name']}",
                        f"Self-assessment in {site['municipality_name']}",
                    ),
                    _table_frame(frame, lg),
                )
            )
        else:
            sub.blocks.append(Paragraph(W("Självskattningar: saknas.", "Self-assessments: missing."), "note"))
        if len(timeline) and "site_id" in timeline.columns:
            tl = timeline[timeline["site_id"] == site["site_id"]]
            if len(tl):
                states = tl["state"].value_counts()
                sub.blocks.append(
                    Paragraph(
                        W("Milstolpar: ", "Milestones: ")
                        + ", ".join(f"{k} {int(v)}" for k, v in sorted(states.items()))
                    )
                )
        sections.append(sub)

    # Metod
    s = Section("metod", _lbl(SECTION_TITLES["metod"], lg, ""))
    s.blocks.append(Paragraph(W("Instrumentversioner och status:", "Instrument versions and status:")))
    if len(evidence.instruments):
        frame = evidence.instruments.rename(
            columns={
                "instrument_id": "Instrument",
                "version": "Version",
                "status": "Status",
                "title_sv": W("Titel", "Title (sv)"),
                "title_en": W("Titel (en)", "Title"),
                "n_rounds": W("Omgångar", "Rounds"),
            }
        )
        frame = frame.drop(columns=[W("Titel (en)", "Title (sv)")])
        sub_t = Table(
            W("Instrument som använts", "Instruments used"),
            _table_frame(frame, lg),
            W(
                "Status provisional betyder att etiketter och kriterier ännu inte är kontrollerade mot källan.",
                "Status provisional means that labels and criteria are not yet checked against the source.",
            ),
        )
        s.blocks.append(sub_t)
    else:
        s.blocks.append(
            Paragraph(W("Instrument: saknas (inga omgångar).", "Instruments: missing (no rounds)."), "note")
        )
    defs = metric_definitions()
    if len(defs):
        s.blocks.append(
            Table(
                W("Måttdefinitioner (docs/metrics.md)", "Metric definitions (docs/metrics.md)"),
                defs.rename(
                    columns={
                        "section": W("Avsnitt", "Section"),
                        "metric": W("Mått", "Metric"),
                        "definition": W("Definition", "Definition"),
                    }
                ),
            )
        )
    else:
        s.blocks.append(
            Paragraph(
                W(
                    "Måttdefinitioner: saknas (docs/metrics.md hittades inte).",
                    "Metric definitions: missing (docs/metrics.md not found).",
                ),
                "note",
            )
        )
    s.blocks.append(
        Bullets(
            [
                W(
                    "Jämförelser mellan grupper görs bara när varje grupp har minst 5 platser; mindre grupper beskrivs.",
                    "Groups are compared only when each has at least 5 sites; smaller groups are described.",
                ),
                W(
                    "Konsekvens för en framgångsfaktor: riktningen (högre/lägre systematik med faktorn) i varje storleksklass och "
                    "landsdel med tillräckligt underlag jämförs med riktningen för alla platser (docs/statistics.md).",
                    "Consistency of a success factor: the direction (higher/lower systematicity with the factor) in each size "
                    "class and region with enough data is compared with the direction over all sites (docs/statistics.md).",
                ),
                rule_text(t, lg),
            ]
        )
    )
    s.blocks += _commentary_blocks(commentary, "metod", lg)
    sections.append(s)

    # Dataursprung
    s = Section("dataursprung", _lbl(SECTION_TITLES["dataursprung"], lg, ""))
    if len(refs):
        s.blocks.append(
            Table(
                W("Referensdata", "Reference data"),
                _table_frame(
                    refs.rename(
                        columns={
                            "kind": W("Slag", "Kind"),
                            "source": W("Källa", "Source"),
                            "year": W("År", "Year"),
                            "rows": W("Rader", "Rows"),
                        }
                    ),
                    lg,
                ),
            )
        )
    else:
        s.blocks.append(
            Paragraph(
                W(
                    "Referensdata: saknas (ingen källa importerad).",
                    "Reference data: missing (no source imported).",
                ),
                "note",
            )
        )
    s.blocks.append(
        Bullets(
            [
                W(
                    f"Fingeravtryck (SHA-256) av underlaget: {fingerprint}",
                    f"Fingerprint (SHA-256) of the data: {fingerprint}",
                ),
                W(f"Rapportversion: {report_version}", f"Report version: {report_version}"),
                W(
                    f"Skapad: {(generated_on or date.today()).isoformat()}",
                    f"Generated: {(generated_on or date.today()).isoformat()}",
                ),
                W(
                    f"Programversion: pilot-workbench {software_version()}",
                    f"Software version: pilot-workbench {software_version()}",
                ),
                W(
                    "Samma underlag ger samma fingeravtryck, siffror och text; skapandedatumet ingår inte i fingeravtrycket.",
                    "The same data gives the same fingerprint, numbers and text; the generation date is not part of the fingerprint.",
                ),
            ]
        )
    )
    s.blocks += _commentary_blocks(commentary, "dataursprung", lg)
    sections.append(s)

    # Begränsningar
    s = Section("begransningar", _lbl(SECTION_TITLES["begransningar"], lg, ""))
    s.blocks.append(
        Bullets(
            model.limits
            or [W("Inga kända begränsningar utöver litet underlag.", "No known limits beyond small n.")]
        )
    )
    if evidence.is_demo:
        s.blocks.append(
            Paragraph(
                W(
                    "Rapporten bygger på exempeldata, inte verkliga uppgifter.",
                    "The report is built from example data, not real records.",
                ),
                "note",
            )
        )
    s.blocks += _commentary_blocks(commentary, "begransningar", lg)
    sections.append(s)

    title = W(f"Samverkansmodell: {evidence.pilot_name}", f"Cooperation model: {evidence.pilot_name}")
    subtitle = W(
        "Överförbar modell för systematisk samverkan mot hedersrelaterat våld och förtryck",
        "A transferable model for systematic cooperation against honour-related violence and oppression",
    )
    return ReportContent(
        pilot_slug=evidence.pilot_slug,
        pilot_name=evidence.pilot_name,
        lang=lg,
        title=title,
        subtitle=subtitle,
        is_demo=evidence.is_demo,
        report_version=report_version,
        fingerprint=fingerprint,
        generated_on=generated_on or date.today(),
        software_version=software_version(),
        sections=sections,
        model=model,
        model_json=model_to_json(model, fingerprint),
        missing=list(evidence.missing),
    )


def build_report(
    session: Session,
    user: CurrentUser,
    pilot_id: int,
    lang: str = "sv",
    *,
    report_version: str = DEFAULT_REPORT_VERSION,
    generated_on: date | None = None,
    threshold: int | None = None,
) -> ReportContent:
    """Gather a pilot's evidence and commentary and lay out its model report (researchers, MFoF, admin)."""
    from pilots.access import require_role

    require_role(user, "admin", "researcher", "mfof")
    evidence = gather_evidence(session, user, pilot_id)
    commentary = commentary_frame(session, user, pilot_id, report_version)
    return build_report_content(
        evidence,
        lang=lang,
        commentary=commentary,
        timeline=_timeline(session, user, pilot_id),
        reference_sources=_reference_sources(session),
        report_version=report_version,
        generated_on=generated_on,
        threshold=threshold,
    )


def render_figures(content: ReportContent, scale: float = 2) -> None:
    """Render every figure to PNG with one browser; without Chromium, note why and keep the data table."""
    from cooperation_model.export import figures_to_images

    figs = [f for f in content.figures() if f.png is None]
    if not figs:
        return
    try:
        images = figures_to_images([f.figure for f in figs], "png", scale=scale)
    except WorkbenchError as exc:
        for f in figs:
            f.error = str(exc)
        return
    for f, png in zip(figs, images, strict=True):
        f.png = png


__all__ = [
    "Block",
    "Bullets",
    "Figure",
    "Paragraph",
    "ReportContent",
    "Section",
    "Table",
    "build_report",
    "build_report_content",
    "commentary_frame",
    "gather_evidence",
    "render_figures",
    "save_commentary",
    "SECTION_KEYS",
    "SECTION_TITLES",
]
