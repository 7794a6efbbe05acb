"""Demo part: self-assessment rounds at every demo site (baseline early 2025, follow-up late 2025) with answers.

Each round has 2–4 respondents who partly disagree and sometimes answer "Vet ej"; some rounds have a
workshop consensus; the follow-up shows improvement. Skellefteå also has an open round with a draft.
"""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta
from statistics import median
from typing import Any

from sqlalchemy.orm import Session

from instruments.answers import save_answers, start_response, submit_response
from instruments.rounds import create_round
from instruments.schema import DONT_KNOW, Instrument
from instruments.store import find_version, get_instrument, sync_builtin_instruments
from pilots.access import SYSTEM_USER, load_current_user

INSTRUMENTS_BY_PILOT = {
    "tryggvaxt": ("mfof-sju-steg", "stodjande-organisation", "samverkan-systematik"),
    "bra-lagesbild": ("lagesbild-foraldraperspektiv", "bra-samverkansprocess", "samverkan-systematik"),
    "jamforelse-fou": ("samverkan-systematik", "stodjande-organisation", "hrv-rutiner-kompetens"),
}
ROUNDS = (
    ("Nollmätning", date(2025, 3, 14), date(2025, 4, 11)),
    ("Uppföljning 1", date(2025, 11, 14), date(2025, 12, 12)),
)
RESPONDENTS = (
    "Samordnare",
    "Socialchef",
    "Rektor",
    "Enhetschef IFO",
    "Folkhälsostrateg",
    "Förskolechef",
    "Kommunpolis (samverkanspart)",
    "Fritidsgårdschef",
)
MEASURES = (
    "Föräldraträffar på modersmål",
    "Trygghetsvandring med föräldrar",
    "Utbildning för skolpersonal",
    "Samtalsgrupper för unga",
    "Information till nyanlända familjer",
)
WORKSHOPS = {
    ("tryggvaxt", "mfof-sju-steg", "Uppföljning 1"),
    ("bra-lagesbild", "bra-samverkansprocess", "Nollmätning"),
    ("jamforelse-fou", "samverkan-systematik", "Uppföljning 1"),
}


def _levels(instrument: Instrument, rng: random.Random) -> tuple[dict[str, int], dict[str, int]]:
    """A site's 'true' step per item at baseline and at follow-up (same or higher)."""
    base: dict[str, int] = {}
    follow: dict[str, int] = {}
    for item in instrument.items():
        steps = len(instrument.scale(item.scale).allowed_values())
        b = rng.randint(0, max(0, steps // 2))
        base[item.id] = b
        follow[item.id] = min(steps - 1, b + rng.choice((0, 1, 1, 2)))
    return base, follow


def _answer_as(
    instrument: Instrument, levels: dict[str, int], rng: random.Random, noisy: bool
) -> dict[str, object]:
    out: dict[str, object] = {}
    for item in instrument.items():
        values = instrument.scale(item.scale).allowed_values()
        if noisy and rng.random() < 0.08:
            out[item.id] = DONT_KNOW
            continue
        step = levels[item.id] + (rng.choice((-1, 0, 0, 0, 1)) if noisy else 0)
        step = max(0, min(len(values) - 1, step))
        if item.repeatable:
            for n in range(1, 4):
                entry = max(0, min(len(values) - 1, step + rng.choice((-1, 0, 1))))
                out[f"{item.id}#{n}"] = values[entry]
        else:
            out[item.id] = values[step]
    return out


def _consensus(answers: list[dict[str, object]]) -> dict[str, object]:
    keys = {k for a in answers for k in a}
    out: dict[str, object] = {}
    for key in sorted(keys):
        numbers = [v for a in answers if isinstance(v := a.get(key), int)]
        out[key] = int(round(median(numbers))) if numbers else DONT_KNOW
    return out


def _submit(
    session: Session,
    round_id: int,
    label: str,
    answers: dict[str, object],
    mode: str,
    when: date,
    instrument: Instrument,
) -> None:
    resp = start_response(session, SYSTEM_USER, round_id, label, mode)
    comments = {
        f"{i.id}#{n}": MEASURES[(n - 1) % len(MEASURES)]
        for i in instrument.items()
        if i.repeatable
        for n in range(1, 4)
    }
    save_answers(
        session, SYSTEM_USER, resp.id, answers, comments={k: v for k, v in comments.items() if k in answers}
    )
    submit_response(session, SYSTEM_USER, resp.id)
    resp.started_at = datetime.combine(when - timedelta(days=10), time(9, 0))
    resp.submitted_at = datetime.combine(when - timedelta(days=3), time(14, 30))


def build(session: Session, demo: Any) -> None:
    rng = random.Random(demo.seed + 5)
    sync_builtin_instruments(session)
    for key, site in demo.sites.items():
        slug = key.split(":")[0]
        for instrument_id in INSTRUMENTS_BY_PILOT.get(slug, ()):
            version = find_version(session, instrument_id)
            instrument = get_instrument(session, version.id)
            levels = _levels(instrument, rng)
            people = rng.sample(RESPONDENTS, rng.randint(2, 4))
            for (label, due, closes), lv in zip(ROUNDS, levels, strict=True):
                rnd = create_round(session, SYSTEM_USER, site.id, version.id, label, due)
                given = []
                for n, person in enumerate(people):
                    answers = _answer_as(instrument, lv, rng, noisy=True)
                    if n == 0 and label == "Nollmätning":  # one clear disagreement on the first item
                        first = instrument.item_ids()[0]
                        values = instrument.scale_of(first).allowed_values()
                        answers[first] = values[-1] if lv[first] < len(values) // 2 else values[0]
                    given.append(answers)
                    _submit(session, rnd.id, person, answers, "individual", due, instrument)
                if (slug, instrument_id, label) in WORKSHOPS:
                    _submit(
                        session,
                        rnd.id,
                        "Workshop (konsensus)",
                        _consensus(given),
                        "workshop",
                        due,
                        instrument,
                    )
                rnd.status = "closed"
                rnd.closes_on = closes
            demo.extra.setdefault("assessment_levels", {})[(key, instrument_id)] = levels
    _open_round_with_draft(session, demo, rng)
    session.flush()


def _open_round_with_draft(session: Session, demo: Any, rng: random.Random) -> None:
    """Skellefteå's next round is open now; the municipality user has started a draft."""
    site = demo.sites["tryggvaxt:2482"]
    version = find_version(session, "mfof-sju-steg")
    instrument = get_instrument(session, version.id)
    today = date.today()
    rnd = create_round(
        session,
        SYSTEM_USER,
        site.id,
        version.id,
        "Uppföljning 2",
        today + timedelta(days=30),
        closes_on=today + timedelta(days=60),
    )
    municipality_user = load_current_user(session, demo.users["skelleftea"])
    draft = start_response(session, municipality_user, rnd.id, "Samordnare TryggVäxt")
    _base, follow = demo.extra["assessment_levels"][("tryggvaxt:2482", "mfof-sju-steg")]
    answers = _answer_as(instrument, follow, rng, noisy=False)
    half = dict(list(answers.items())[: len(answers) // 2])
    save_answers(
        session,
        municipality_user,
        draft.id,
        half,
        evidence={next(iter(half)): "Kunskapsöversikt från FoU Västerbotten (exempel)"},
    )
    demo.extra["open_round_id"] = rnd.id
