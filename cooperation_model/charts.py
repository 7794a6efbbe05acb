"""A pilot's chart catalogue: every chart the app shows for a pilot, as (key, title, figure), for pages, reports and packs.

``evidence_charts`` builds the charts from a pilot's ``ModelEvidence`` (pure); ``pilot_charts`` reads
the evidence (and, for site-level viewers, each site's network) and returns the catalogue. Charts
marked ``aggregated`` show no single site; with ``presenter=True`` only those are returned, and
every value resting on fewer sites (or counts) than the small-count threshold is left out, with the
rule stated in the chart's source line.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go
from sqlalchemy.orm import Session

from cooperation_model.disclosure import resolve_threshold, rule_text
from cooperation_model.figures import bar_chart, network_figure, strip_box_chart, timeline_chart
from cooperation_model.model import SIZE_LABELS, ModelEvidence
from cooperation_model.systematicity import classification_label
from pilots.access import CurrentUser
from pilots.derived_cache import cached, scope_key
from pilots.errors import Problem, ValidationError

SOURCE_SV = "Arbetsverktyget för pilotutvärdering"
SOURCE_EN = "Pilot workbench"


@dataclass
class ChartEntry:
    """One chart of the catalogue."""

    key: str
    title: str
    figure: go.Figure
    aggregated: bool = False


def _w(lang: str, sv: str, en: str) -> str:
    return en if lang == "en" else sv


def _source(lang: str, what: str, presenter: bool, threshold: int) -> str:
    base = f"{_w(lang, SOURCE_SV, SOURCE_EN)}, {what}"
    return f"{base}. {rule_text(threshold, lang)}" if presenter else base


# Above this many forums a bar per forum cannot be read (a national pilot has 870): the chart shows how many
# forums fall in each tenth of the systematicity scale instead.
MAX_FORUM_BARS = 40


def systematicity_bands(scores: pd.Series, lang: str = "sv") -> pd.DataFrame:
    """How many scores (0–1) fall in each tenth of the scale: "0,0–0,1" … "0,9–1,0" (1 counts in the last)."""
    bands = (pd.to_numeric(scores) * 10).clip(0, 9.999).astype(int)
    counts = bands.value_counts().reindex(range(10), fill_value=0)
    sep = "." if lang == "en" else ","
    labels = [f"{b / 10:.1f}–{(b + 1) / 10:.1f}".replace(".", sep) for b in range(10)]
    return pd.DataFrame({
        _w(lang, "Systematik (0–1)", "Systematicity (0–1)"): labels,
        _w(lang, "Antal forum", "Forums"): counts.to_numpy(),
    })


def _site_names(ev: ModelEvidence) -> dict[int, str]:
    return {int(r["site_id"]): str(r["municipality_name"]) for r in ev.sites.to_dict("records")}


def evidence_charts(
    evidence: ModelEvidence,
    *,
    lang: str = "sv",
    timeline: pd.DataFrame | None = None,
    presenter: bool = False,
    threshold: int | None = None,
) -> list[ChartEntry]:
    """The charts built from a pilot's evidence; sources without data give no chart."""
    lg = "en" if lang == "en" else "sv"
    t = resolve_threshold(threshold)
    demo = evidence.is_demo
    names = _site_names(evidence)
    out: list[ChartEntry] = []
    forums = evidence.forums

    def add(key: str, title: str, fig: go.Figure, aggregated: bool) -> None:
        if presenter and not aggregated:
            return
        out.append(ChartEntry(key, title, fig, aggregated))

    log_src = _w(lg, "mötesloggen", "the meeting log")
    if len(forums):
        scored = forums.assign(score=pd.to_numeric(forums["score"], errors="coerce")).dropna(subset=["score"])
        if len(scored) > MAX_FORUM_BARS and not presenter:
            title = _w(
                lg,
                f"Systematik per forum: fördelning över {len(scored)} forum",
                f"Systematicity per forum: distribution of {len(scored)} forums",
            )
            add(
                "systematik_per_forum",
                title,
                bar_chart(
                    bands := systematicity_bands(scored["score"], lg),
                    bands.columns[0],
                    bands.columns[1],
                    title=title,
                    source=_source(lg, log_src, presenter, t),
                    demo=demo,
                    lang=lg,
                ),
                False,
            )
        elif len(scored) and not presenter:
            df = scored.assign(
                forum=[
                    f"{n} ({names.get(int(s), s)})"
                    for n, s in zip(scored["name"], scored["site_id"], strict=True)
                ]
            )
            df = df.sort_values(["score", "forum"])[["forum", "score"]].rename(
                columns={
                    "forum": _w(lg, "Forum", "Forum"),
                    "score": _w(lg, "Systematik (0–1)", "Systematicity (0–1)"),
                }
            )
            title = _w(lg, "Systematik per forum", "Systematicity per forum")
            add(
                "systematik_per_forum",
                title,
                bar_chart(
                    df,
                    df.columns[0],
                    df.columns[1],
                    title=title,
                    horizontal=True,
                    source=_source(lg, log_src, presenter, t),
                    demo=demo,
                    lang=lg,
                ),
                False,
            )
        classes = forums["classification"].astype(str).value_counts()
        df = pd.DataFrame({"key": classes.index, "n": classes.to_numpy()})
        if presenter:
            df = df[df["n"] >= t]
        if len(df):
            df = df.assign(label=[classification_label(k, lg) for k in df["key"]]).sort_values("key")
            df = df[["label", "n"]].rename(
                columns={
                    "label": _w(lg, "Klassificering", "Classification"),
                    "n": _w(lg, "Antal forum", "Forums"),
                }
            )
            title = _w(lg, "Forum per klassificering", "Forums per classification")
            add(
                "forumklassning",
                title,
                bar_chart(
                    df,
                    df.columns[0],
                    df.columns[1],
                    title=title,
                    source=_source(lg, log_src, presenter, t),
                    demo=demo,
                    lang=lg,
                ),
                True,
            )
        site_scores = (
            scored.groupby("site_id", as_index=False)["score"].mean() if len(scored) else pd.DataFrame()
        )
        if len(site_scores) and not presenter:
            ctx = evidence.sites[["site_id", "size_class"]]
            df = site_scores.merge(ctx, on="site_id", how="left")
            df = df.assign(
                size=[
                    SIZE_LABELS.get(str(c), (str(c), str(c)))[1 if lg == "en" else 0]
                    for c in df["size_class"]
                ],
                site=[names.get(int(s), str(s)) for s in df["site_id"]],
            )
            df = df[["size", "site", "score"]].rename(
                columns={
                    "size": _w(lg, "Storleksklass", "Size class"),
                    "site": _w(lg, "Kommun", "Municipality"),
                    "score": _w(lg, "Systematik (0–1)", "Systematicity (0–1)"),
                }
            )
            order = [
                v[1 if lg == "en" else 0]
                for v in SIZE_LABELS.values()
                if v[1 if lg == "en" else 0] in set(df.iloc[:, 0])
            ]
            title = _w(lg, "Systematik per plats och storleksklass", "Systematicity per site and size class")
            add(
                "systematik_per_storleksklass",
                title,
                strip_box_chart(
                    df,
                    df.columns[0],
                    df.columns[2],
                    point_label=df.columns[1],
                    title=title,
                    order=order,
                    source=_source(lg, log_src, presenter, t),
                    demo=demo,
                    lang=lg,
                ),
                False,
            )
    if len(evidence.actors):
        per = evidence.actors.groupby("sector")["site_id"].nunique()
        df = pd.DataFrame({"sector": per.index.astype(str), "n": per.to_numpy()})
        if presenter:
            df = df[df["n"] >= t]
        if len(df):
            df = df.sort_values(["n", "sector"], ascending=[False, True])
            df = df.rename(columns={"sector": _w(lg, "Sektor", "Sector"), "n": _w(lg, "Platser", "Sites")})
            title = _w(lg, "Sektorer som deltar i mötena", "Sectors taking part in meetings")
            add(
                "sektorer",
                title,
                bar_chart(
                    df,
                    df.columns[0],
                    df.columns[1],
                    title=title,
                    source=_source(lg, log_src, presenter, t),
                    demo=demo,
                    lang=lg,
                ),
                True,
            )
    if len(evidence.factors):
        fac = evidence.factors.assign(share=pd.to_numeric(evidence.factors["share"], errors="coerce")).dropna(
            subset=["share"]
        )
        label_col = "label_en" if lg == "en" else "label_sv"
        agg = fac.groupby(["factor_id", label_col], as_index=False).agg(
            share=("share", "mean"), n=("site_id", "nunique")
        )
        if presenter:
            agg = agg[agg["n"] >= t]
        if len(agg):
            agg = agg.sort_values(["share", "factor_id"])
            df = agg[[label_col, "share", "n"]].rename(
                columns={
                    label_col: _w(lg, "Framgångsfaktor", "Success factor"),
                    "n": _w(lg, "Platser", "Sites"),
                    "share": _w(lg, "Andel av skalan (medel)", "Share of scale (mean)"),
                }
            )
            title = _w(lg, "Framgångsfaktorer enligt självskattning", "Success factors by self-assessment")
            add(
                "framgangsfaktorer",
                title,
                bar_chart(
                    df,
                    df.columns[0],
                    df.columns[1],
                    title=title,
                    horizontal=True,
                    source=_source(lg, _w(lg, "självskattningar", "self-assessments"), presenter, t),
                    demo=demo,
                    lang=lg,
                ),
                True,
            )
    if len(evidence.steps):
        label_col = "label_en" if lg == "en" else "label_sv"
        stp = evidence.steps.assign(share=pd.to_numeric(evidence.steps["share"], errors="coerce")).dropna(
            subset=["share"]
        )
        agg = stp.groupby(["instrument_id", "item_id", label_col], as_index=False, sort=False).agg(
            share=("share", "median"), n=("site_id", "nunique")
        )
        if presenter:
            agg = agg[agg["n"] >= t]
        if len(agg):
            df = agg[[label_col, "share", "n"]].rename(
                columns={
                    label_col: _w(lg, "Steg", "Step"),
                    "share": _w(
                        lg,
                        "Genomförandegrad (median, andel av skalan)",
                        "Implementation stage (median, share of scale)",
                    ),
                    "n": _w(lg, "Platser", "Sites"),
                }
            )
            title = _w(lg, "Genomförandegrad per steg", "Implementation stage per step")
            add(
                "genomforandesteg",
                title,
                bar_chart(
                    df,
                    df.columns[0],
                    df.columns[1],
                    title=title,
                    source=_source(lg, _w(lg, "självskattningar", "self-assessments"), presenter, t),
                    demo=demo,
                    lang=lg,
                ),
                True,
            )
    if len(evidence.log):
        kinds = evidence.log["kind"].astype(str).value_counts()
        df = pd.DataFrame({"kind": kinds.index, "n": kinds.to_numpy()}).sort_values("kind")
        if presenter:
            df = df[df["n"] >= t]
        if len(df):
            from pilots.log import kind_label

            df = df.assign(kind=[kind_label(k, lg) for k in df["kind"]]).rename(
                columns={"kind": _w(lg, "Slag", "Kind"), "n": _w(lg, "Loggposter", "Log entries")}
            )
            title = _w(lg, "Följeforskningens loggposter per slag", "Follow-research log entries per kind")
            add(
                "loggposter",
                title,
                bar_chart(
                    df,
                    df.columns[0],
                    df.columns[1],
                    title=title,
                    source=_source(
                        lg, _w(lg, "följeforskningens logg", "the follow-research log"), presenter, t
                    ),
                    demo=demo,
                    lang=lg,
                ),
                True,
            )
    if timeline is not None and len(timeline) and not presenter:
        status = {
            "done": "done",
            "late": "late",
            "on_time": "on_time",
            "upcoming": "planned",
            "cancelled": "planned",
        }
        df = timeline.assign(
            label=[
                f"{n} ({m})" for n, m in zip(timeline["name"], timeline["municipality_name"], strict=True)
            ],
            status_key=[status.get(str(s), "planned") for s in timeline["state"]],
        )
        df = df.sort_values(["planned_date", "label"])
        title = _w(lg, "Milstolpar", "Milestones")
        add(
            "tidslinje",
            title,
            timeline_chart(
                df[["label", "planned_date", "actual_date", "status_key"]],
                label="label",
                planned="planned_date",
                actual="actual_date",
                status="status_key",
                title=title,
                source=_source(lg, _w(lg, "planen", "the plan"), presenter, t),
                demo=demo,
                lang=lg,
            ),
            False,
        )
    return out


def pilot_charts(
    session: Session,
    user: CurrentUser,
    pilot_id: int,
    lang: str = "sv",
    *,
    threshold: int | None = None,
    networks: bool = True,
) -> list[ChartEntry]:
    """Every chart the app shows for a pilot. Presenters get the aggregated charts with the small-count rule."""
    from cooperation_model.report.content import _timeline, gather_evidence
    from pilots.access import require_pilot

    lg = "en" if lang == "en" else "sv"
    presenter = not user.sees_site_level_data
    require_pilot(session, user, pilot_id)
    reader = user
    if presenter:
        # Presenters may see aggregates; the evidence is read with aggregate-only intent and only
        # aggregated charts (with the small-count rule) leave this function.
        reader = CurrentUser(id=None, username=f"{user.username} (aggregat)", role="mfof")

    def catalogue() -> tuple[list[ChartEntry], Any]:
        evidence = gather_evidence(session, reader, pilot_id)
        timeline = None if presenter else _timeline(session, user, pilot_id)
        entries = evidence_charts(evidence, lang=lg, timeline=timeline, presenter=presenter, threshold=threshold)
        return entries, evidence.sites

    # The catalogue per pilot, reader scope, language and rule, kept until a write (pilots.derived_cache):
    # a national pilot's evidence and figures take seconds to assemble, and the page reruns on every click.
    key = ("pilot_charts", pilot_id, presenter, scope_key(reader), lg, resolve_threshold(threshold))
    cached_charts, sites = cached(session, key, catalogue)
    charts = list(cached_charts)  # the caller may add entries; the cached list stays as it was
    if networks and not presenter:
        for site in sites.to_dict("records"):
            entry = site_network_chart(session, user, int(site["site_id"]), lg, threshold=threshold)
            if entry is not None:
                charts.append(entry)
    return charts


def site_network_chart(
    session: Session, user: CurrentUser, site_id: int, lang: str = "sv", *, threshold: int | None = None
) -> ChartEntry | None:
    """The co-attendance network of one site as a catalogue entry (None when the site has no shared
    meetings or the user may not read it). Drawn on demand: a national pilot has hundreds of sites."""
    from cooperation_model.site_network import site_network
    from pilots.errors import WorkbenchError
    from pilots.models import Pilot, Site

    lg = "en" if lang == "en" else "sv"
    if not user.sees_site_level_data:
        return None
    try:
        net = site_network(session, user, site_id)
    except WorkbenchError:
        return None
    if net.co_attendance.number_of_nodes() == 0:
        return None
    site = session.get(Site, site_id)
    assert site is not None  # site_network checked access to it
    pilot = session.get(Pilot, site.pilot_id)
    name = site.municipality.name if site.municipality is not None else site.municipality_code
    title = _w(lg, f"Samverkansnätverk – {name}", f"Cooperation network – {name}")
    fig = network_figure(
        net.co_attendance,
        title=title,
        demo=bool(pilot is not None and pilot.is_demo),
        lang=lg,
        source=_source(
            lg,
            _w(lg, "mötesloggen (gemensamma möten)", "the meeting log (shared meetings)"),
            False,
            resolve_threshold(threshold),
        ),
    )
    return ChartEntry(f"natverk_{site.municipality_code}", title, fig, False)


PACK_FORMATS = ("png", "svg", "pdf", "pptx")


def select_charts(entries: list[ChartEntry], keys: Sequence[str] | None) -> list[ChartEntry]:
    """The entries named by ``keys`` in catalogue order (all when None); unknown keys are an error."""
    if keys is None:
        return list(entries)
    known = {e.key for e in entries}
    unknown = [k for k in keys if k not in known]
    if unknown:
        raise ValidationError(
            [
                Problem("--chart", f"{k!r} finns inte; diagram: {', '.join(sorted(known)) or '(inga)'}")
                for k in unknown
            ]
        )
    wanted = set(keys)
    return [e for e in entries if e.key in wanted]


def write_chart_pack(
    entries: list[ChartEntry],
    out_dir: Path,
    fmt: str,
    *,
    title: str,
    lang: str = "sv",
    keys: Sequence[str] | None = None,
    stem: str = "diagram",
    threshold: int | None = None,
) -> list[Path]:
    """Write the charts: pptx → one deck (a chart per slide, title, source line, the small-count rule);
    png/svg/pdf → one file per chart plus a ZIP with a LÄSMIG.txt stating the rule. One browser in all."""
    from cooperation_model.export import export_chart_pack, safe_file_name, zip_chart_pack
    from cooperation_model.slides import ChartSlide, build_conference_deck

    if fmt not in PACK_FORMATS:
        raise ValidationError(
            [Problem("--format", f"{fmt!r} stöds inte; välj en av {', '.join(PACK_FORMATS)}")]
        )
    chosen = select_charts(entries, keys)
    if not chosen:
        raise ValidationError(
            [Problem("diagram", "inga diagram att exportera: underlaget saknas för piloten")]
        )
    demo = any(bool((e.figure.layout.meta or {}).get("demo")) for e in chosen)
    rule = rule_text(threshold, lang)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    if fmt == "pptx":
        deck = build_conference_deck(
            [ChartSlide(e.figure, title=e.title) for e in chosen],
            out_dir / f"{safe_file_name(stem)}.pptx",
            title=title,
            subtitle=_w(lang, "Diagram ur arbetsverktyget", "Charts from the workbench"),
            demo=demo,
            lang=lang,
            rule_statement=rule,
        )
        return [deck]
    paths = export_chart_pack([(e.key, e.figure) for e in chosen], out_dir, [fmt])
    readme = "\n".join(
        [
            title,
            _w(lang, "Exempeldata – inte verkliga uppgifter.", "Example data – not real records.")
            if demo
            else "",
            rule,
            *[f"{e.key}: {e.title}" for e in chosen],
        ]
    )
    archive = zip_chart_pack(paths, out_dir / f"{safe_file_name(stem)}_{fmt}.zip", readme=readme)
    return [*paths, archive]
