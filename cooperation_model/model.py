"""The transferable cooperation model: a deterministic synthesis of a pilot's evidence, and its JSON form.

``synthesise_model(evidence)`` takes plain DataFrames (forums with their systematicity, actors,
self-assessed success factors, step stages, the tagged follow-research log) and returns a
``CooperationModel``: structure, roles, routines, success factors with the strength of their
evidence, implementation steps, adaptations per size class and limits. The same evidence always
gives the same model (sorted inputs, no clocks, no randomness). ``model_to_json`` writes the
machine-readable file a municipality adopts (``cooperation_model.adoption``).
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import pandas as pd

from cooperation_model.compare import MIN_N_FLOOR, consistency_matrix
from pilots.errors import Problem, ValidationError

SCHEMA_VERSION = "1.0"
PRESENT_SHARE = 0.5
"""A success factor counts as present at a site when its score is at least half the scale."""

STRENGTH_ORDER = ("stark", "måttlig", "svag", "saknas")
STRENGTH_LABELS = {
    "sv": {"stark": "Stark", "måttlig": "Måttlig", "svag": "Svag", "saknas": "Underlag saknas"},
    "en": {"stark": "Strong", "måttlig": "Moderate", "svag": "Weak", "saknas": "No evidence"},
}
CADENCE_LABELS = {
    "veckovis": ("varje vecka", "weekly"),
    "varannan_vecka": ("varannan vecka", "every other week"),
    "manadsvis": ("varje månad", "monthly"),
    "kvartalsvis": ("varje kvartal", "quarterly"),
}
LEVEL_LABELS = {
    "strategisk": ("strategisk nivå", "strategic level"),
    "arendeniva": ("ärendenivå", "case level"),
    "operativ": ("operativ nivå", "operational level"),
}
SIZE_LABELS = {
    "lt15k": ("under 15 000 invånare", "under 15,000 inhabitants"),
    "15k-50k": ("15 000–50 000 invånare", "15,000–50,000 inhabitants"),
    "50k-200k": ("50 000–200 000 invånare", "50,000–200,000 inhabitants"),
    "gt200k": ("över 200 000 invånare", "over 200,000 inhabitants"),
}
MISSING = {"sv": "saknas", "en": "missing"}

# Brå, the Police and SKR: the five-step samverkansprocess (domain research §6.2, labels verified).
BRA_STEPS: tuple[tuple[str, str, str], ...] = (
    ("f1-status", "Steg 1 – Initiera samverkan", "Step 1 – Initiate cooperation"),
    ("f2-status", "Steg 2 – Egna förberedelser", "Step 2 – Own preparations"),
    ("f3-status", "Steg 3 – Gemensamma förberedelser", "Step 3 – Joint preparations"),
    ("f4-status", "Steg 4 – Genomförande", "Step 4 – Implementation"),
    ("f5-status", "Steg 5 – Uppföljning och återkoppling", "Step 5 – Follow-up and feedback"),
)

SITE_COLUMNS = ["site_id", "municipality_code", "municipality_name", "size_class", "landsdel", "population"]
FORUM_COLUMNS = [
    "site_id",
    "forum_id",
    "name",
    "level",
    "cadence",
    "n_meetings",
    "score",
    "classification",
    "regularity",
    "share_convener",
    "share_documenter",
    "share_decisions",
    "share_followed_up",
    "convener",
    "documenter",
    "follow_up",
]
ACTOR_COLUMNS = ["site_id", "actor_id", "sector", "level"]
FACTOR_COLUMNS = [
    "site_id",
    "instrument_id",
    "instrument_version",
    "instrument_status",
    "factor_id",
    "label_sv",
    "label_en",
    "share",
]
STEP_COLUMNS = ["site_id", "instrument_id", "item_id", "label_sv", "label_en", "share"]
STEP_CATALOGUE_COLUMNS = ["instrument_id", "item_id", "label_sv", "label_en", "label_status"]
LOG_COLUMNS = ["site_id", "entry_id", "entry_date", "kind", "text", "tags"]
INSTRUMENT_COLUMNS = ["instrument_id", "version", "status", "title_sv", "title_en", "n_rounds"]


def _empty(columns: Sequence[str]) -> pd.DataFrame:
    return pd.DataFrame(columns=list(columns))


@dataclass
class ModelEvidence:
    """Everything the model is synthesised from, as plain tables (any of them may be empty).

    ``share`` columns are scores scaled to 0..1 (a factor's value divided by its scale's maximum).
    ``missing`` lists (source, what is missing) for sources that could not be read.
    """

    pilot_slug: str
    pilot_name: str
    is_demo: bool = False
    lagesbild: bool = False
    sites: pd.DataFrame = field(default_factory=lambda: _empty(SITE_COLUMNS))
    forums: pd.DataFrame = field(default_factory=lambda: _empty(FORUM_COLUMNS))
    actors: pd.DataFrame = field(default_factory=lambda: _empty(ACTOR_COLUMNS))
    factors: pd.DataFrame = field(default_factory=lambda: _empty(FACTOR_COLUMNS))
    steps: pd.DataFrame = field(default_factory=lambda: _empty(STEP_COLUMNS))
    step_catalogue: pd.DataFrame = field(default_factory=lambda: _empty(STEP_CATALOGUE_COLUMNS))
    log: pd.DataFrame = field(default_factory=lambda: _empty(LOG_COLUMNS))
    instruments: pd.DataFrame = field(default_factory=lambda: _empty(INSTRUMENT_COLUMNS))
    missing: list[tuple[str, str]] = field(default_factory=list)

    def frames(self) -> dict[str, pd.DataFrame]:
        return {
            "sites": self.sites,
            "forums": self.forums,
            "actors": self.actors,
            "factors": self.factors,
            "steps": self.steps,
            "step_catalogue": self.step_catalogue,
            "log": self.log,
            "instruments": self.instruments,
        }


def _plain(value: Any) -> Any:
    """A JSON-stable scalar: NaN/NA → None, numpy numbers → Python, floats rounded, dates → ISO."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        value = value.item()
    if isinstance(value, float):
        return None if math.isnan(value) else round(value, 6)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in sorted(value.items(), key=lambda kv: str(kv[0]))}
    return value


def frame_records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows of a frame as JSON-stable dicts, sorted so that row order in the input does not matter."""
    rows = [{str(k): _plain(v) for k, v in row.items()} for row in frame.to_dict("records")]
    return sorted(rows, key=lambda r: json.dumps(r, sort_keys=True, ensure_ascii=False, default=str))


def canonical_json(data: Any) -> str:
    return json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)


def evidence_fingerprint(evidence: ModelEvidence, extra: Any = None) -> str:
    """SHA-256 of the evidence (and ``extra``, e.g. commentary): same data, same fingerprint."""
    payload = {
        "pilot": [evidence.pilot_slug, evidence.pilot_name, evidence.is_demo, evidence.lagesbild],
        "frames": {name: frame_records(f) for name, f in evidence.frames().items()},
        "missing": sorted(evidence.missing),
        "extra": _plain(extra) if extra is not None else None,
    }
    return hashlib.sha256(canonical_json(payload).encode("utf-8")).hexdigest()


# --- the model ----------------------------------------------------------------------------------------


@dataclass
class ForumTemplate:
    """A forum the model recommends: level, cadence, sectors around the table, the three roles."""

    key: str
    name: str
    level: str
    cadence: str
    sectors: list[str]
    roles: dict[str, str]
    n_sites: int


@dataclass
class SuccessFactor:
    factor_id: str
    label: str
    n_sites: int
    n_present: int
    contexts: list[str]
    consistency: str
    strength: str
    illustrations: list[dict[str, Any]]


@dataclass
class ImplementationStep:
    number: int
    item_id: str
    label: str
    label_status: str
    n_sites: int
    median_share: float | None


@dataclass
class Adaptation:
    size_class: str
    label: str
    n_sites: int
    forums_per_site: float | None
    typical_cadence: str | None
    median_score: float | None
    advice: str


@dataclass
class CooperationModel:
    """The synthesised model; ``to_dict`` is its JSON content (without fingerprint)."""

    pilot_slug: str
    pilot_name: str
    lang: str
    is_demo: bool
    n_sites: int
    structure: dict[str, Any]
    forums: list[ForumTemplate]
    roles: dict[str, Any]
    routines: dict[str, Any]
    success_factors: list[SuccessFactor]
    steps_source: str
    steps: list[ImplementationStep]
    adaptations: list[Adaptation]
    limits: list[str]

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        return _plain(data)


def _lbl(pair: tuple[str, str] | None, lang: str, fallback: str) -> str:
    if pair is None:
        return fallback
    return pair[1] if lang == "en" else pair[0]


def _mean(values: pd.Series) -> float | None:
    v = pd.to_numeric(values, errors="coerce").dropna()
    return None if v.empty else round(float(v.mean()), 4)


def _median(values: pd.Series) -> float | None:
    v = pd.to_numeric(values, errors="coerce").dropna()
    return None if v.empty else round(float(v.median()), 4)


def _mode(values: pd.Series) -> str | None:
    v = values.dropna().astype(str)
    if v.empty:
        return None
    counts = v.value_counts()
    best = counts.max()
    return sorted(counts[counts == best].index)[0]


def _pct(value: float | None, lang: str) -> str:
    if value is None:
        return MISSING[lang]
    return f"{round(100 * value)} %"


def _structure(ev: ModelEvidence, lang: str) -> tuple[dict[str, Any], list[ForumTemplate]]:
    forums, actors = ev.forums, ev.actors
    n_sites_with_forums = int(forums["site_id"].nunique()) if len(forums) else 0
    levels = sorted(forums["level"].dropna().astype(str).unique()) if len(forums) else []
    templates: list[ForumTemplate] = []
    sector_sites = actors.groupby("sector")["site_id"].nunique() if len(actors) else pd.Series(dtype=int)
    n_sites = max(int(ev.sites["site_id"].nunique()) if len(ev.sites) else 0, 1)
    common_sectors = sorted(s for s, k in sector_sites.items() if k / n_sites >= 0.5)
    for level in levels:
        part = forums[forums["level"].astype(str) == level]
        cadence = _mode(part["cadence"]) or "manadsvis"
        name = (_lbl(LEVEL_LABELS.get(level), "sv", level)).capitalize()
        name = (
            f"Samverkansforum – {name}"
            if lang != "en"
            else f"Cooperation forum – {_lbl(LEVEL_LABELS.get(level), 'en', level)}"
        )
        level_actors = actors[actors["level"].astype(str) == level] if len(actors) else actors
        sectors = sorted(level_actors["sector"].dropna().astype(str).unique()) if len(level_actors) else []
        roles = {
            "convener": "Sammankallande: namnges vid antagande"
            if lang != "en"
            else "Convener: named on adoption",
            "documenter": "Dokumenterar: namnges vid antagande"
            if lang != "en"
            else "Documenter: named on adoption",
            "follow_up": "Följer upp: namnges vid antagande"
            if lang != "en"
            else "Follows up: named on adoption",
        }
        templates.append(
            ForumTemplate(
                key=f"forum-{level}",
                name=name,
                level=level,
                cadence=cadence,
                sectors=sectors or common_sectors,
                roles=roles,
                n_sites=int(part["site_id"].nunique()),
            )
        )
    structure = {
        "n_forums": int(len(forums)),
        "n_sites_with_forums": n_sites_with_forums,
        "levels": levels,
        "cadences": {str(k): int(v) for k, v in sorted(forums["cadence"].astype(str).value_counts().items())}
        if len(forums)
        else {},
        "sectors": {str(k): int(v) for k, v in sorted(sector_sites.items())},
        "common_sectors": common_sectors,
    }
    return structure, templates


def _roles(ev: ModelEvidence) -> dict[str, Any]:
    f = ev.forums
    if f.empty:
        return {
            "n_forums": 0,
            "share_forums_convener_named": None,
            "share_forums_documenter_named": None,
            "share_forums_follow_up_named": None,
            "share_meetings_convener": None,
            "share_meetings_documenter": None,
        }

    def named(col: str) -> float | None:
        return round(float(f[col].notna().mean()), 4) if len(f) else None

    return {
        "n_forums": int(len(f)),
        "share_forums_convener_named": named("convener"),
        "share_forums_documenter_named": named("documenter"),
        "share_forums_follow_up_named": named("follow_up"),
        "share_meetings_convener": _mean(f["share_convener"]),
        "share_meetings_documenter": _mean(f["share_documenter"]),
    }


def _routines(ev: ModelEvidence) -> dict[str, Any]:
    f = ev.forums
    met = f[pd.to_numeric(f["n_meetings"], errors="coerce").fillna(0) > 0] if len(f) else f
    classes = (
        {str(k): int(v) for k, v in sorted(f["classification"].astype(str).value_counts().items())}
        if len(f)
        else {}
    )
    return {
        "n_meetings": int(pd.to_numeric(f["n_meetings"], errors="coerce").fillna(0).sum()) if len(f) else 0,
        "share_decisions": _mean(met["share_decisions"]) if len(met) else None,
        "share_followed_up": _mean(met["share_followed_up"]) if len(met) else None,
        "regularity": _mean(met["regularity"]) if len(met) else None,
        "median_score": _median(met["score"]) if len(met) else None,
        "classifications": classes,
    }


def _site_outcomes(ev: ModelEvidence) -> pd.DataFrame:
    """Per site: the mean systematicity score of its forums that met (the outcome for consistency)."""
    f = ev.forums
    if f.empty:
        return pd.DataFrame(columns=["site_id", "systematicity"])
    scores = f.assign(score=pd.to_numeric(f["score"], errors="coerce")).dropna(subset=["score"])
    return (
        scores.groupby("site_id", as_index=False)["score"].mean().rename(columns={"score": "systematicity"})
    )


def _illustrations(log: pd.DataFrame, factor_id: str, limit: int = 3) -> list[dict[str, Any]]:
    if log.empty:
        return []
    hits = []
    for row in log.to_dict("records"):
        tags = {t.strip() for t in str(row.get("tags") or "").split(",") if t.strip()}
        if factor_id in tags or any(t.split(":", 1)[-1] == factor_id for t in tags):
            hits.append(
                {
                    "site_id": _plain(row["site_id"]),
                    "entry_id": _plain(row["entry_id"]),
                    "date": _plain(row["entry_date"]),
                    "kind": row["kind"],
                    "text": str(row["text"]),
                }
            )
    hits.sort(key=lambda r: (str(r["date"]), r["entry_id"] or 0))
    return hits[:limit]


def _strength(n_sites: int, n_present: int, n_contexts: int, k_consistent: int, m_contexts: int) -> str:
    """Stark: ≥ 5 sites, present in most, in ≥ 2 contexts and consistent where testable; måttlig: ≥ 3
    sites present in ≥ 2 contexts; svag: any site; saknas: none."""
    if n_sites == 0:
        return "saknas"
    if (
        n_sites >= MIN_N_FLOOR
        and n_present * 2 > n_sites
        and n_contexts >= 2
        and (m_contexts == 0 or k_consistent == m_contexts)
    ):
        return "stark"
    if n_sites >= 3 and n_contexts >= 2:
        return "måttlig"
    return "svag"


def _success_factors(ev: ModelEvidence, lang: str) -> list[SuccessFactor]:
    fac = ev.factors
    if fac.empty:
        return []
    fac = fac.assign(share=pd.to_numeric(fac["share"], errors="coerce"))
    per_site = fac.dropna(subset=["share"]).groupby(["factor_id", "site_id"], as_index=False)["share"].mean()
    labels = fac.drop_duplicates("factor_id").set_index("factor_id")
    ctx = (
        ev.sites[["site_id", "size_class", "landsdel"]]
        if len(ev.sites)
        else _empty(["site_id", "size_class", "landsdel"])
    )
    wide = per_site.pivot(index="site_id", columns="factor_id", values="share").reset_index()
    wide = wide.merge(_site_outcomes(ev), on="site_id", how="left").merge(ctx, on="site_id", how="left")
    consistency: dict[str, str] = {}
    factor_ids = sorted(per_site["factor_id"].unique())
    if wide["systematicity"].notna().any():
        parts = []
        for context in ("size_class", "landsdel"):
            try:
                m = consistency_matrix(wide, factor_ids, ["systematicity"], context, lang=lang)
            except ValidationError:
                continue
            parts.append(m[m["row_type"] == "summary"].assign(context_col=context))
        for fid in factor_ids:
            texts = []
            for p in parts:
                row = p[p["factor"] == fid]
                if len(row):
                    r = row.iloc[0]
                    what = (
                        ("storleksklass" if r["context_col"] == "size_class" else "landsdel")
                        if lang != "en"
                        else ("size class" if r["context_col"] == "size_class" else "region")
                    )
                    texts.append(f"{what}: {r['summary']}")
            consistency[fid] = "; ".join(texts)
    out = []
    for fid in factor_ids:
        sites = per_site[per_site["factor_id"] == fid]
        n = int(sites["site_id"].nunique())
        present = int((sites["share"] >= PRESENT_SHARE).sum())
        site_ctx = ctx[ctx["site_id"].isin(sites["site_id"])]
        contexts = sorted({str(v) for v in site_ctx["size_class"].dropna()})
        text = consistency.get(fid) or (
            "för få platser för att pröva konsekvens (minst 5 per grupp)"
            if lang != "en"
            else "too few sites to test consistency (at least 5 per group)"
        )
        k = m = 0
        for piece in text.split(";"):
            nums = [int(x) for x in piece.replace("/", " ").split() if x.isdigit()]
            if len(nums) >= 2:
                k, m = k + nums[0], m + nums[1]
        label = (
            str(labels.at[fid, "label_en" if lang == "en" else "label_sv"]) if fid in labels.index else fid
        )
        out.append(
            SuccessFactor(
                factor_id=fid,
                label=label,
                n_sites=n,
                n_present=present,
                contexts=[_lbl(SIZE_LABELS.get(c), lang, c) for c in contexts],
                consistency=text,
                strength=_strength(n, present, len(contexts), k, m),
                illustrations=_illustrations(ev.log, fid),
            )
        )
    out.sort(key=lambda s: (STRENGTH_ORDER.index(s.strength), -s.n_present, s.factor_id))
    return out


def _steps(ev: ModelEvidence, lang: str) -> tuple[str, list[ImplementationStep]]:
    source = "bra-samverkansprocess" if ev.lagesbild else "mfof-sju-steg"
    cat = (
        ev.step_catalogue[ev.step_catalogue["instrument_id"] == source]
        if len(ev.step_catalogue)
        else ev.step_catalogue
    )
    if cat.empty and ev.lagesbild:
        cat = pd.DataFrame(
            [
                {
                    "instrument_id": source,
                    "item_id": i,
                    "label_sv": sv,
                    "label_en": en,
                    "label_status": "verified",
                }
                for i, sv, en in BRA_STEPS
            ]
        )
    answers = ev.steps[ev.steps["instrument_id"] == source] if len(ev.steps) else ev.steps
    out = []
    for number, row in enumerate(cat.to_dict("records"), start=1):
        part = answers[answers["item_id"] == row["item_id"]] if len(answers) else answers
        out.append(
            ImplementationStep(
                number=number,
                item_id=row["item_id"],
                label=row["label_en" if lang == "en" else "label_sv"],
                label_status=str(row.get("label_status") or "provisional"),
                n_sites=int(part["site_id"].nunique()) if len(part) else 0,
                median_share=_median(part["share"]) if len(part) else None,
            )
        )
    return source, out


def _advice(size: str, forums_per_site: float | None, cadence: str | None, lang: str) -> str:
    sv = {
        "lt15k": "Färre forum med bredare uppdrag; samverka gärna med grannkommuner och regionen.",
        "15k-50k": "Ett strategiskt och ett operativt forum brukar räcka; samma personer bär ofta flera roller.",
        "50k-200k": "Skilj strategisk och operativ nivå; namnge sammankallande, dokumentation och uppföljning per forum.",
        "gt200k": "Lokala operativa forum per stadsdel under ett gemensamt strategiskt forum; tydlig återkoppling uppåt.",
    }
    en = {
        "lt15k": "Fewer forums with a broader remit; cooperate with neighbouring municipalities and the region.",
        "15k-50k": "One strategic and one operational forum usually suffice; the same people often hold several roles.",
        "50k-200k": "Keep strategic and operational levels apart; name convener, documenter and follow-up per forum.",
        "gt200k": "Local operational forums per district under one strategic forum; clear feedback upwards.",
    }
    base = (en if lang == "en" else sv).get(size, "")
    if forums_per_site is not None and cadence:
        c = _lbl(CADENCE_LABELS.get(cadence), lang, cadence)
        base += (
            f" In the pilot: {forums_per_site:.1f} forums per site, most often meeting {c}."
            if lang == "en"
            else f" I piloten: {str(round(forums_per_site, 1)).replace('.', ',')} forum per plats, oftast möten {c}."
        )
    return base


def _adaptations(ev: ModelEvidence, lang: str) -> list[Adaptation]:
    out = []
    sites = ev.sites
    for size, labels in SIZE_LABELS.items():
        ids = set(sites.loc[sites["size_class"] == size, "site_id"]) if len(sites) else set()
        f = ev.forums[ev.forums["site_id"].isin(ids)] if len(ev.forums) else ev.forums
        n = len(ids)
        per_site = round(len(f) / n, 2) if n else None
        cadence = _mode(f["cadence"]) if len(f) else None
        score = _median(f["score"]) if len(f) else None
        out.append(
            Adaptation(
                size_class=size,
                label=_lbl(labels, lang, size),
                n_sites=n,
                forums_per_site=per_site if n and len(f) else None,
                typical_cadence=cadence,
                median_score=score,
                advice=_advice(size, per_site if len(f) else None, cadence, lang),
            )
        )
    return out


def _limits(ev: ModelEvidence, lang: str, n_sites: int) -> list[str]:
    en = lang == "en"
    out = []
    if n_sites < MIN_N_FLOOR:
        out.append(
            f"Small n: the model rests on {n_sites} site(s); comparisons need at least {MIN_N_FLOOR} per group."
            if en
            else f"Litet underlag: modellen bygger på {n_sites} plats(er); jämförelser kräver minst "
            f"{MIN_N_FLOOR} per grupp."
        )
    prov = (
        sorted(set(ev.instruments.loc[ev.instruments["status"] != "verified", "instrument_id"].astype(str)))
        if len(ev.instruments)
        else []
    )
    if prov:
        out.append(
            ("Provisional instruments: " if en else "Preliminära instrument: ")
            + ", ".join(prov)
            + (
                " (labels and criteria not yet verified against the sources)."
                if en
                else " (etiketter och kriterier ännu inte kontrollerade mot källorna)."
            )
        )
    for source, what in ev.missing:
        out.append(f"{source}: {what}")
    if ev.forums.empty:
        out.append(
            "No forums or meetings recorded: structure, roles and routines are missing."
            if en
            else "Inga forum eller möten registrerade: struktur, roller och rutiner saknas."
        )
    if ev.factors.empty:
        out.append(
            "No self-assessments scored: success factors are missing."
            if en
            else "Inga självskattningar: framgångsfaktorer saknas."
        )
    if ev.log.empty:
        out.append(
            "No follow-research log entries: illustrations are missing."
            if en
            else "Inga loggposter från följeforskningen: illustrationer saknas."
        )
    return out


def synthesise_model(evidence: ModelEvidence, lang: str = "sv") -> CooperationModel:
    """Synthesise the transferable model from a pilot's evidence (deterministic; see module doc)."""
    lg = "en" if lang == "en" else "sv"
    problems = []
    for name, frame in evidence.frames().items():
        cols = {
            "sites": SITE_COLUMNS,
            "forums": FORUM_COLUMNS,
            "actors": ACTOR_COLUMNS,
            "factors": FACTOR_COLUMNS,
            "steps": STEP_COLUMNS,
            "step_catalogue": STEP_CATALOGUE_COLUMNS,
            "log": LOG_COLUMNS,
            "instruments": INSTRUMENT_COLUMNS,
        }[name]
        lacking = [c for c in cols if c not in frame.columns]
        if lacking:
            problems.append(Problem(f"evidence.{name}", f"kolumner saknas: {', '.join(lacking)}"))
    if problems:
        raise ValidationError(problems)
    n_sites = int(evidence.sites["site_id"].nunique()) if len(evidence.sites) else 0
    structure, templates = _structure(evidence, lg)
    source, steps = _steps(evidence, lg)
    return CooperationModel(
        pilot_slug=evidence.pilot_slug,
        pilot_name=evidence.pilot_name,
        lang=lg,
        is_demo=evidence.is_demo,
        n_sites=n_sites,
        structure=structure,
        forums=templates,
        roles=_roles(evidence),
        routines=_routines(evidence),
        success_factors=_success_factors(evidence, lg),
        steps_source=source,
        steps=steps,
        adaptations=_adaptations(evidence, lg),
        limits=_limits(evidence, lg, n_sites),
    )


def model_fingerprint(data: dict[str, Any]) -> str:
    """SHA-256 of the model content (the ``fingerprint`` key itself left out)."""
    body = {k: v for k, v in data.items() if k != "fingerprint"}
    return hashlib.sha256(canonical_json(body).encode("utf-8")).hexdigest()


def model_to_dict(model: CooperationModel, evidence_fingerprint: str | None = None) -> dict[str, Any]:
    data = {
        "schema_version": SCHEMA_VERSION,
        "kind": "pilot-workbench/cooperation-model",
        "evidence_fingerprint": evidence_fingerprint,
        **model.to_dict(),
    }
    data["fingerprint"] = model_fingerprint(data)
    return data


def model_to_json(model: CooperationModel, evidence_fingerprint: str | None = None) -> str:
    """The machine-readable model: schema version, content and a SHA-256 fingerprint of the content."""
    return (
        json.dumps(model_to_dict(model, evidence_fingerprint), ensure_ascii=False, indent=2, sort_keys=True)
        + "\n"
    )


def read_model_json(text: str, source: str = "model.json") -> dict[str, Any]:
    """Parse and check a model file: JSON object, known schema version, forums with name, level, cadence.

    An edited file is accepted (MFoF edits the model); ``model_fingerprint(data)`` then differs from
    the stored ``fingerprint`` and adoption records the fingerprint of what was actually adopted.
    """
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValidationError(
            [Problem(f"{source}: rad {exc.lineno}", f"ingen giltig JSON ({exc.msg})")]
        ) from None
    problems = []
    if not isinstance(data, dict):
        raise ValidationError(
            [Problem(source, "ska vara ett JSON-objekt (en modellfil från workbench model)")]
        )
    if str(data.get("schema_version", "")).split(".")[0] != SCHEMA_VERSION.split(".")[0]:
        problems.append(
            Problem(
                f"{source}: schema_version",
                f"{data.get('schema_version')!r} stöds inte; förväntat {SCHEMA_VERSION}",
            )
        )
    forums = data.get("forums")
    if not isinstance(forums, list):
        problems.append(Problem(f"{source}: forums", "saknas eller är ingen lista"))
    else:
        for i, f in enumerate(forums):
            for key in ("name", "level", "cadence"):
                if not isinstance(f, dict) or not str(f.get(key) or "").strip():
                    problems.append(Problem(f"{source}: forums[{i}].{key}", "saknas"))
    if problems:
        raise ValidationError(problems)
    return data
