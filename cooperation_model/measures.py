"""One table of site-level measures (a row per site) with context groupings, for comparisons, maps, dashboards.

Every measure has a Swedish and English label and a provenance note saying where the number comes
from. Sources are read through their own query functions (``cooperation_model.site_network`` for the
meeting log, ``instruments.answers.site_scores`` for self-assessments, the indicator tables); a
source that is not installed or holds no data simply contributes no column, and a measure without
any value is not offered. The comparison rules themselves live in ``cooperation_model.compare``.
"""

from __future__ import annotations

import importlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from cooperation_model.compare import MIN_N_FLOOR, ComparisonResult, compare_groups
from cooperation_model.disclosure import resolve_threshold, rule_text, suppress_small_counts
from pilots.access import CurrentUser
from pilots.derived_cache import cached, scope_key
from pilots.errors import Problem, ValidationError
from pilots.models import Forum, IndicatorDefinition, IndicatorValue, Meeting
from pilots.municipalities import region_groupings_frame
from pilots.regions import SIZE_CLASS_CODES, SIZE_CLASSES
from pilots.sites import pilots_frame, site_label, sites_frame


@dataclass(frozen=True)
class Measure:
    """A site-level measure: its column, labels and where the number comes from."""

    key: str
    label_sv: str
    label_en: str
    provenance_sv: str
    provenance_en: str

    def label(self, lang: str = "sv") -> str:
        return self.label_en if lang == "en" else self.label_sv

    def provenance(self, lang: str = "sv") -> str:
        return self.provenance_en if lang == "en" else self.provenance_sv


LOG_MEASURES: dict[str, Measure] = {
    m.key: m
    for m in (
        Measure(
            "meeting_count",
            "Antal samverkansmöten",
            "Number of cooperation meetings",
            "Mötesloggen: möten i platsens forum under platsens period.",
            "Meeting log: meetings in the site's forums during the site's period.",
        ),
        Measure(
            "meetings_last_90_days",
            "Möten senaste 90 dagarna",
            "Meetings in the last 90 days",
            "Mötesloggen: möten med datum de senaste 90 dagarna (till och med i dag).",
            "Meeting log: meetings dated in the last 90 days (up to today).",
        ),
        Measure(
            "systematicity",
            "Systematik i samverkan (mötesloggen, 0–1)",
            "Systematic cooperation (meeting log, 0–1)",
            "Mötesloggen: medelvärdet av forumens systematikpoäng (regelbundenhet, syfte, sammankallande, "
            "dokumentation, beslut, uppföljning; docs/metrics.md) för forum med möten under perioden.",
            "Meeting log: mean of the forums' systematicity scores (regularity, purpose, convener, "
            "documentation, decisions, follow-up; docs/metrics.md) over forums with meetings in the period.",
        ),
        Measure(
            "network_density",
            "Nätverkstäthet",
            "Network density",
            "Mötesloggen: andel av möjliga par av aktörer som deltagit i samma möte under perioden.",
            "Meeting log: share of possible actor pairs who attended a meeting together in the period.",
        ),
        Measure(
            "network_centralisation",
            "Centralisering (grad)",
            "Degree centralisation",
            "Mötesloggen: Freemans gradcentralisering av samdeltagandenätverket under perioden.",
            "Meeting log: Freeman degree centralisation of the co-attendance network in the period.",
        ),
    )
}

GROUPINGS: dict[str, tuple[str, str]] = {
    "size_class": ("Storleksklass (folkmängd)", "Size class (population)"),
    "skr_group_2017": ("SKR-kommungrupp 2017", "SKR municipality group 2017"),
    "skr_group_2023": ("SKR-kommungrupp 2023", "SKR municipality group 2023"),
    "county": ("Län", "County"),
    "landsdel": ("Landsdel", "Part of Sweden"),
    "fa_region": ("FA-region (lokal arbetsmarknad)", "FA region (local labour market)"),
}
"""Built-in groupings: column in the measures table → label. User-defined ones are ``region:<name>``."""

REGION_PREFIX = "region:"
INDICATOR_PREFIX = "indicator:"
INSTRUMENT_PREFIX = "instrument:"

CONTEXT_COLUMNS = [
    "site_id", "site_label", "pilot_id", "pilot_name", "is_demo", "municipality_code", "municipality_name",
    "population", "size_class", "skr_group_2017", "skr_group_2023", "county_code", "county", "landsdel",
    "fa_region", "start_date", "end_date",
]  # fmt: skip


def _optional(module: str, name: str) -> Any:
    """A function from a source module, or None when that module is not installed in this version."""
    try:
        return getattr(importlib.import_module(module), name, None)
    except ModuleNotFoundError:
        return None


def _context(sites: pd.DataFrame, groupings: pd.DataFrame) -> pd.DataFrame:
    frame = pd.DataFrame(
        {
            "site_id": sites["site_id"].astype(int),
            "site_label": [site_label(r) for r in sites.to_dict("records")],
            "pilot_id": sites["pilot_id"],
            "pilot_name": sites["pilot_name"],
            "is_demo": sites["is_demo"],
            "municipality_code": sites["municipality_code"],
            "municipality_name": sites["municipality_name"],
            "population": sites["population"],
            "size_class": sites["size_class"],
            "skr_group_2017": sites["skr_group_2017_code"],
            "skr_group_2023": sites["skr_group_2023_code"],
            "county_code": sites["county_code"],
            "county": sites["county_name"],
            "landsdel": sites["landsdel"],
            "fa_region": sites["fa_name"],
            "start_date": sites["start_date"],
            "end_date": sites["end_date"],
        },
        columns=CONTEXT_COLUMNS,
    ).reset_index(drop=True)
    for name, part in groupings.groupby("grouping", sort=True):
        lookup = dict(zip(part["municipality_code"], part["region"], strict=True))
        frame[f"{REGION_PREFIX}{name}"] = frame["municipality_code"].map(lookup)
    return frame


def _meeting_counts(session: Session, sites: pd.DataFrame, today: date) -> pd.DataFrame:
    """Meetings in the site's period (all when the site has no own period) and in the last 90 days, counted
    by the database: one row per site, whatever the number of meetings."""
    from sqlalchemy import and_, case, func, or_

    from pilots.models import Site

    ids = [int(i) for i in sites["site_id"]]
    since = today - timedelta(days=90)
    in_period = or_(Site.start_date.is_(None), Site.end_date.is_(None),
                    and_(Meeting.meeting_date >= Site.start_date, Meeting.meeting_date <= Site.end_date))
    recent = and_(Meeting.meeting_date >= since, Meeting.meeting_date <= today)
    rows = session.execute(
        select(Forum.site_id, func.sum(case((in_period, 1), else_=0)), func.sum(case((recent, 1), else_=0)))
        .join(Forum, Forum.id == Meeting.forum_id)
        .join(Site, Site.id == Forum.site_id)
        .where(Forum.site_id.in_(ids), Meeting.deleted_at.is_(None), Forum.deleted_at.is_(None))
        .group_by(Forum.site_id)
    ).all()
    counts = {int(site_id): (int(n or 0), int(r or 0)) for site_id, n, r in rows}
    out = [{"site_id": i, "meeting_count": counts.get(i, (0, 0))[0],
            "meetings_last_90_days": counts.get(i, (0, 0))[1]} for i in ids]
    return pd.DataFrame(out, columns=["site_id", "meeting_count", "meetings_last_90_days"])


def _network_and_systematicity(session: Session, user: CurrentUser, sites: pd.DataFrame) -> pd.DataFrame:
    network_frames = _optional("pilots.meetings", "network_frames")
    columns = ["site_id", "systematicity", "network_density", "network_centralisation"]
    if network_frames is None:
        return pd.DataFrame(columns=columns)
    out = []
    for row in sites.to_dict("records"):
        # Derived per site and period: computed once, cached until a write or the TTL (pilots.derived_cache).
        key = ("site_network_measures", int(row["site_id"]), row["start_date"], row["end_date"])
        compute = lambda r=row: _site_network_measures(session, user, r, network_frames)  # noqa: E731
        out.append(cached(session, key, compute, site_id=int(row["site_id"])))
    return pd.DataFrame(out, columns=columns)


def _site_network_measures(session: Session, user: CurrentUser, row: dict[str, Any], network_frames: Any
                           ) -> dict[str, Any]:
    from cooperation_model.network import co_attendance_graph, graph_metrics, in_window
    from cooperation_model.systematicity import forum_systematicity

    start, end = row["start_date"], row["end_date"]
    # One read per site; no upper bound so the meeting after the period shows follow-up (as site_network).
    f = network_frames(session, user, int(row["site_id"]), start, None)
    in_period = in_window(f.meetings, start, end, column="date") if len(f.meetings) else f.meetings
    metrics = graph_metrics(co_attendance_graph(f.actors, f.meetings, f.attendance, start, end))
    forums = forum_systematicity(f.forums, f.meetings, f.attendance, f.actions, start, end)
    scores = pd.to_numeric(forums["score"], errors="coerce").dropna() if len(forums) else pd.Series([])
    has_meetings = len(in_period) > 0
    return {
        "site_id": int(row["site_id"]),
        "systematicity": float(scores.mean()) if len(scores) else np.nan,
        "network_density": float(metrics["density"]) if has_meetings else np.nan,
        "network_centralisation": float(metrics["degree_centralisation"]) if has_meetings else np.nan,
    }


def _indicator_values(session: Session, sites: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, Measure]]:
    ids = [int(i) for i in sites["site_id"]]
    rows = session.execute(
        select(
            IndicatorValue.site_id,
            IndicatorValue.indicator_code,
            IndicatorValue.period_start,
            IndicatorValue.value,
        )
        .where(IndicatorValue.site_id.in_(ids), IndicatorValue.deleted_at.is_(None))
        .order_by(IndicatorValue.site_id, IndicatorValue.indicator_code, IndicatorValue.period_start)
    ).all()
    values = pd.DataFrame(rows, columns=["site_id", "code", "period_start", "value"])
    if values.empty:
        return pd.DataFrame({"site_id": ids}), {}
    latest = values.groupby(["site_id", "code"]).tail(1)
    wide = latest.pivot(index="site_id", columns="code", values="value")
    wide.columns = [f"{INDICATOR_PREFIX}{c}" for c in wide.columns]
    definitions = {d.code: d for d in session.scalars(select(IndicatorDefinition))}
    measures = {}
    for code in latest["code"].unique():
        d = definitions.get(code)
        unit = f" ({d.unit})" if d is not None and d.unit else ""
        measures[f"{INDICATOR_PREFIX}{code}"] = Measure(
            f"{INDICATOR_PREFIX}{code}",
            (d.name_sv if d else code) + unit,
            (d.name_en if d else code) + unit,
            f"Indikator {code}, senaste rapporterade period per plats. Källa: {d.source if d else 'okänd'}.",
            f"Indicator {code}, latest reported period per site. Source: {d.source if d else 'unknown'}.",
        )
    return wide.reset_index().rename(columns={"index": "site_id"}), measures


def _instrument_values(
    session: Session, user: CurrentUser, sites: pd.DataFrame
) -> tuple[pd.DataFrame, dict[str, Measure]]:
    round_answers_frame = _optional("instruments.answers", "round_answers_frame")
    get_instrument = _optional("instruments.store", "get_instrument")
    derived_indicators = _optional("instruments.scoring", "derived_indicators")
    ids = [int(i) for i in sites["site_id"]]
    if round_answers_frame is None or get_instrument is None or derived_indicators is None:
        return pd.DataFrame({"site_id": ids}), {}
    from pilots.models import AssessmentRound, InstrumentVersion, Response

    # The latest round per site and instrument that has a submitted response; only that one is scored.
    rounds = session.execute(
        select(AssessmentRound.site_id, InstrumentVersion.instrument_id, AssessmentRound.id,
               AssessmentRound.instrument_version_id, AssessmentRound.due_date)
        .join(InstrumentVersion, InstrumentVersion.id == AssessmentRound.instrument_version_id)
        .where(AssessmentRound.site_id.in_(ids), AssessmentRound.deleted_at.is_(None),
               AssessmentRound.id.in_(select(Response.round_id).where(Response.status == "submitted")))
        .order_by(AssessmentRound.site_id, InstrumentVersion.instrument_id, AssessmentRound.due_date,
                  AssessmentRound.id)
    ).all()  # fmt: skip
    latest: dict[tuple[int, str], tuple[int, int]] = {}
    for site_id, instrument_id, round_id, version_id, _ in rounds:
        latest[(int(site_id), instrument_id)] = (int(round_id), int(version_id))
    rows: dict[int, dict[str, float]] = {}
    measures: dict[str, Measure] = {}
    for (site_id, instrument_id), (round_id, version_id) in sorted(latest.items()):
        def score(round_id: int = round_id, version_id: int = version_id) -> list[dict[str, Any]]:
            answers = round_answers_frame(session, user, round_id)
            if answers.empty:
                return []
            instrument = get_instrument(session, version_id)
            cols = ["respondent", "item_id", "value", "dont_know"]
            return list(derived_indicators(instrument, answers[cols]).to_dict("records"))

        # Rounds of the user's readable sites only (above); the scores are cached until a write or the TTL.
        for ind in cached(session, ("round_indicators", round_id, version_id), score, site_id=site_id):
            key = f"{INSTRUMENT_PREFIX}{instrument_id}:{ind['id']}"
            rows.setdefault(site_id, {})[key] = float(ind["value"])
            measures.setdefault(
                key,
                Measure(
                    key,
                    f"{ind['label_sv']} ({instrument_id})",
                    f"{ind['label_en']} ({instrument_id})",
                    f"Självskattning med instrumentet {instrument_id}: härledd indikator {ind['id']} "
                    "från platsens senaste omgång med inskickade svar (provisoriskt tills instrumentet "
                    "är verifierat).",
                    f"Self-assessment with instrument {instrument_id}: derived indicator {ind['id']} "
                    "from the site's latest round with submitted answers (provisional until the "
                    "instrument is verified).",
                ),
            )
    frame = pd.DataFrame([{"site_id": s, **v} for s, v in rows.items()])
    return (frame if len(frame) else pd.DataFrame({"site_id": ids})), measures


def _measures_for(
    session: Session, user: CurrentUser, sites: pd.DataFrame, today: date | None
) -> pd.DataFrame:
    today = today or date.today()
    frame = _context(sites, region_groupings_frame(session))
    measures: dict[str, Measure] = {}
    if len(frame):
        for part in (
            _meeting_counts(session, sites, today),
            _network_and_systematicity(session, user, sites),
        ):
            frame = frame.merge(part, on="site_id", how="left")
        measures.update({k: v for k, v in LOG_MEASURES.items() if k in frame.columns})
        for part, found in (_instrument_values(session, user, sites), _indicator_values(session, sites)):
            frame = frame.merge(part, on="site_id", how="left")
            measures.update(found)
    frame.attrs["measures"] = measures
    return frame


def site_measures(
    session: Session, user: CurrentUser, pilot_id: int | None = None, *, today: date | None = None
) -> pd.DataFrame:
    """One row per site ``user`` may read: context groupings and every available measure.

    Context columns: see ``CONTEXT_COLUMNS`` plus ``region:<name>`` per user-defined grouping.
    Measure columns: ``LOG_MEASURES`` keys, ``instrument:<instrument>:<indicator>`` and
    ``indicator:<code>``; ``frame.attrs["measures"]`` maps each to its ``Measure``. Presenters get no
    rows (they see aggregates only, through ``group_summary``).
    """
    if not user.sees_site_level_data:
        empty = pd.DataFrame(columns=CONTEXT_COLUMNS)
        empty.attrs["measures"] = {}
        return empty
    # The whole table per reader scope and day, cached until a write or the TTL (pilots.derived_cache).
    key = ("site_measures", scope_key(user), pilot_id, today or date.today())
    frame = cached(session, key, lambda: _measures_for(session, user, sites_frame(session, user, pilot_id),
                                                       today))
    return frame.copy()


def _presenter_site_measures(session: Session, user: CurrentUser, pilot_id: int | None) -> pd.DataFrame:
    """The sites behind a presenter's aggregates: every site of the pilots the presenter may read.

    Private on purpose: these rows never leave the workbench; only suppressed aggregates built from them
    (``group_summary``, ``dashboard.map_frames``) do. Refused for every role but presenter.
    """
    from pilots.access import SYSTEM_USER, require_role

    require_role(user, "presenter")

    visible = set(pilots_frame(session, user)["id"])

    def compute() -> pd.DataFrame:
        sites = sites_frame(session, SYSTEM_USER, pilot_id)
        return _measures_for(session, SYSTEM_USER, sites[sites["pilot_id"].isin(visible)], None)

    # The whole table per set of visible pilots and day, cached until a write (pilots.derived_cache).
    key = ("presenter_site_measures", tuple(sorted(visible)), pilot_id, date.today())
    frame = cached(session, key, compute)
    out = frame.copy()
    out.attrs["measures"] = frame.attrs.get("measures", {})
    return out


def measure_catalogue(frame: pd.DataFrame, lang: str = "sv") -> pd.DataFrame:
    """The measures that have at least one value in ``frame``: key, label and provenance."""
    measures: dict[str, Measure] = frame.attrs.get("measures", {})
    rows = [
        {
            "key": key,
            "label": m.label(lang),
            "provenance": m.provenance(lang),
            "n_sites": int(pd.to_numeric(frame[key], errors="coerce").notna().sum()),
        }
        for key, m in measures.items()
        if key in frame.columns and pd.to_numeric(frame[key], errors="coerce").notna().any()
    ]
    return pd.DataFrame(rows, columns=["key", "label", "provenance", "n_sites"])


def grouping_options(frame: pd.DataFrame, lang: str = "sv") -> dict[str, str]:
    """Groupings that can be chosen for ``frame``: key → label (built-in first, then user-defined regions)."""
    i = 1 if lang == "en" else 0
    options = {key: labels[i] for key, labels in GROUPINGS.items()}
    for col in frame.columns:
        if str(col).startswith(REGION_PREFIX):
            name = str(col)[len(REGION_PREFIX) :]
            options[str(col)] = f"{name} ({'own grouping' if lang == 'en' else 'egen indelning'})"
    return options


def grouping_label(key: str, lang: str = "sv") -> str:
    if key in GROUPINGS:
        return GROUPINGS[key][1 if lang == "en" else 0]
    return key[len(REGION_PREFIX) :] if key.startswith(REGION_PREFIX) else key


def _categories(grouping: str) -> Sequence[object] | None:
    return SIZE_CLASS_CODES if grouping == "size_class" else None


def size_class_label(code: object, lang: str = "sv") -> str:
    for c in SIZE_CLASSES:
        if c.code == code:
            return c.label(lang)
    return str(code)


def _check_choice(frame: pd.DataFrame, measure: str, grouping: str) -> None:
    problems = []
    if measure not in frame.columns or measure not in frame.attrs.get("measures", {}):
        known = ", ".join(frame.attrs.get("measures", {})) or "(inga)"
        problems.append(
            Problem("--measure", f"okänt mått {measure!r}; tillgängliga: {known} (unknown measure)")
        )
    if grouping not in GROUPINGS and not (grouping.startswith(REGION_PREFIX) and grouping in frame.columns):
        known = ", ".join(grouping_options(frame))
        problems.append(
            Problem("--by", f"okänd gruppering {grouping!r}; tillgängliga: {known} (unknown grouping)")
        )
    if problems:
        raise ValidationError(problems)


def compare_measure(
    frame: pd.DataFrame, measure: str, grouping: str, *, min_n: int = MIN_N_FLOOR, seed: int = 0
) -> ComparisonResult:
    """Compare one measure across one grouping with ``compare_groups`` (too few: no test).

    Size classes are always listed in full, so a size class without sites shows as an empty group.
    """
    _check_choice(frame, measure, grouping)
    return compare_groups(frame, grouping, measure, min_n=min_n, seed=seed, categories=_categories(grouping))


SUMMARY_COLUMNS = ["group", "n", "median"]


def group_summary(
    session: Session,
    user: CurrentUser,
    measure: str,
    grouping: str,
    *,
    pilot_id: int | None = None,
    threshold: int | None = None,
    lang: str = "sv",
) -> tuple[pd.DataFrame, str]:
    """Aggregated view for any role (presenters included): sites and median per group, small counts hidden.

    Returns the table (``group``, ``n``, ``median``; a group with fewer than the threshold's sites shows
    ``..`` for both, and a complementary cell is hidden when a total would reveal it) and the rule text.
    """
    frame = (
        site_measures(session, user, pilot_id)
        if user.sees_site_level_data
        else _presenter_site_measures(session, user, pilot_id)
    )
    _check_choice(frame, measure, grouping)
    values = pd.to_numeric(frame[measure], errors="coerce")
    usable = frame[values.notna() & frame[grouping].notna()].assign(_v=values)
    table = usable.groupby(grouping, sort=True)["_v"].agg(["count", "median"]).reset_index()
    table.columns = SUMMARY_COLUMNS
    table["n"] = table["n"].astype(int)
    table = table.set_index("group")
    shown, _ = suppress_small_counts(
        table, ["n"], resolve_threshold(threshold), totals={"row": False}, share_cols={"median": "n"}
    )
    return shown.reset_index(), rule_text(threshold, lang)


DEFAULT_FACTORS: tuple[str, ...] = ("meeting_count", "network_density")
DEFAULT_OUTCOMES: tuple[str, ...] = ("systematicity",)


def consistency_for(
    frame: pd.DataFrame,
    factors: Sequence[str],
    outcomes: Sequence[str],
    context: str,
    *,
    min_n: int = MIN_N_FLOOR,
    lang: str = "sv",
) -> pd.DataFrame:
    """``consistency_matrix`` over the measures table: factors × outcomes within each group of ``context``.

    Measures that are missing from ``frame`` or have no value are left out; an empty table means no
    pair could be formed. Size classes are listed in full so an empty size class is reported.
    """
    from cooperation_model.compare import consistency_matrix

    available = set(measure_catalogue(frame)["key"])
    if context not in GROUPINGS and context not in frame.columns:
        raise ValidationError(Problem("context", f"okänd gruppering {context!r} (unknown grouping)"))
    f = [m for m in factors if m in available]
    o = [m for m in outcomes if m in available and m not in f]
    if not f or not o:
        return pd.DataFrame()
    return consistency_matrix(frame, f, o, context, min_n=min_n, contexts=_categories(context), lang=lang)


def consistency_for_report(
    session: Session,
    user: CurrentUser,
    pilot_id: int | None = None,
    *,
    factors: Sequence[str] = DEFAULT_FACTORS,
    outcomes: Sequence[str] = DEFAULT_OUTCOMES,
    context: str = "size_class",
    lang: str = "sv",
) -> pd.DataFrame:
    """The "does it hold across contexts" table for the cooperation model report, n behind every cell.

    Uses the sites ``user`` may read (all pilots when ``pilot_id`` is None, since a factor is judged
    across sites beyond one pilot); empty when the measures are not available.
    """
    return consistency_for(site_measures(session, user, pilot_id), factors, outcomes, context, lang=lang)
