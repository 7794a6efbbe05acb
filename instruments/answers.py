"""Responses and answers: saved as they go (a resumable draft), checked against the scale, locked on submit.

A response is one respondent's answers in a round (``mode="individual"``) or one workshop's consensus
(``mode="workshop"``, counted as one respondent). "Vet ej" is stored as ``dont_know=True`` with no value,
never as 0. A repeatable item (e.g. one traffic light per measure) stores its entries under
``"<item id>#<n>"`` with the entry's name in the comment. Answers stay tied to the instrument version
of their round, so a newer version never changes how old answers read or score.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import flag_modified

from instruments.revisions import change_across_versions
from instruments.rounds import get_round, require_answerable, require_may_answer
from instruments.schema import Instrument, validate_answer
from instruments.scoring import (
    change_between_rounds,
    derived_indicators,
    development_areas,
    factor_profile,
    item_summary,
)
from instruments.store import get_instrument
from pilots.access import CurrentUser, require_site
from pilots.derived_cache import cached
from pilots.errors import ConflictError, NotFound, PersonalDataError, Problem, ValidationError, WorkbenchError
from pilots.models import Answer, AssessmentRound, InstrumentVersion, Invitation, Response, utcnow
from pilots.privacy import problems_in

MODES = ("individual", "workshop")
MODE_LABELS = {
    "individual": ("Enskild", "Individual"),
    "workshop": ("Workshop (konsensus)", "Workshop (consensus)"),
}
_ENTRY = re.compile(r"^(?P<item>[^#]+)#(?P<n>[1-9]\d{0,2})$")
Actor = CurrentUser | Invitation


def split_key(key: str) -> tuple[str, int | None]:
    """``"f-atgard#2"`` → ("f-atgard", 2); a plain item id → (id, None)."""
    m = _ENTRY.match(key)
    return (m.group("item"), int(m.group("n"))) if m else (key, None)


# ----------------------------------------------------------------------------- access


def invitation_expired(invitation: Invitation, now: datetime | None = None) -> bool:
    return invitation.expires_at <= (now or utcnow())


def _response(session: Session, response_id: int) -> Response:
    row = session.get(Response, response_id)
    if row is None:
        raise NotFound(f"Det finns inget svar med id {response_id}.")
    return row


def _round_for(session: Session, actor: Actor, response: Response, *, write: bool) -> AssessmentRound:
    """Check that ``actor`` may read (or, with ``write``, answer) ``response``; return its round."""
    if isinstance(actor, Invitation):
        if response.invitation_id != actor.id:
            raise WorkbenchError("Länken gäller inte det här svaret.")
        if write and invitation_expired(actor):
            raise WorkbenchError("Länken har gått ut; svaren kan inte längre ändras. Be om en ny länk.")
        row = session.get(AssessmentRound, response.round_id)
        assert row is not None
        return row
    row = get_round(session, actor, response.round_id)
    if write:
        require_may_answer(session, actor, row)
    return row


# ----------------------------------------------------------------------------- writing


def start_response(
    session: Session,
    user: CurrentUser,
    round_id: int,
    respondent_label: str,
    mode: str = "individual",
    *,
    invitation: Invitation | None = None,
    today: date | None = None,
) -> Response:
    """Start a draft response in an open round (municipality users for their own site, admins, researchers)."""
    row = get_round(session, user, round_id)
    require_may_answer(session, user, row)
    return _new_response(
        session, row, respondent_label, mode, user_id=user.id, invitation=invitation, today=today
    )


def _new_response(
    session: Session,
    row: AssessmentRound,
    respondent_label: str,
    mode: str,
    *,
    user_id: int | None = None,
    invitation: Invitation | None = None,
    today: date | None = None,
) -> Response:
    require_answerable(row, today)
    label = (respondent_label or "").strip()
    problems: list[Problem] = []
    if mode not in MODES:
        problems.append(Problem("mode", f"okänt svarssätt {mode!r}; välj {', '.join(MODES)}"))
    if not label:
        problems.append(
            Problem(
                "respondent_label", "ange en etikett för den som svarar (en funktion eller roll, inget namn)"
            )
        )
    elif len(label) > 100:
        problems.append(Problem("respondent_label", "etiketten får vara högst 100 tecken"))
    elif session.scalar(
        select(Response.id).where(Response.round_id == row.id, Response.respondent_label == label)
    ):
        problems.append(
            Problem(
                "respondent_label",
                f"omgången har redan ett svar från {label!r}; fortsätt på det eller välj en annan etikett",
            )
        )
    problems.extend(problems_in([("respondent_label", label)]))
    if problems:
        raise ValidationError(problems)
    response = Response(
        round_id=row.id,
        respondent_label=label,
        mode=mode,
        status="draft",
        user_id=user_id,
        invitation_id=invitation.id if invitation is not None else None,
    )
    session.add(response)
    session.flush()
    return response


def _check_unlocked(response: Response, expected_version: int | None) -> None:
    if response.status == "submitted":
        raise WorkbenchError(
            f"Svaret från {response.respondent_label!r} är inskickat och låst"
            + (f" sedan {response.submitted_at:%Y-%m-%d %H:%M}" if response.submitted_at else "")
            + "; det kan inte ändras. Kontakta följeforskaren om något behöver rättas."
        )
    if expected_version is not None and response.version != expected_version:
        raise ConflictError(
            "Svaret har sparats från ett annat fönster sedan du öppnade det. Ladda om sidan för att se de senaste "
            "svaren innan du sparar igen."
        )


def save_answers(
    session: Session,
    actor: Actor,
    response_id: int,
    answers: Mapping[str, object],
    *,
    evidence: Mapping[str, str] | None = None,
    comments: Mapping[str, str] | None = None,
    expected_version: int | None = None,
) -> Response:
    """Save (part of) a draft: each value is checked against its item's scale; all problems are listed at once.

    ``answers`` maps item id (or ``"<item>#<n>"`` for a repeatable item's entries) to a scale value,
    "vet_ej", or None (clears the answer). ``evidence``/``comments`` map the same keys to free text,
    which passes the personal-data guard. With ``expected_version`` a save over someone else's newer
    save is refused.
    """
    response = _response(session, response_id)
    row = _round_for(session, actor, response, write=True)
    require_answerable(row)
    _check_unlocked(response, expected_version)
    instrument = get_instrument(session, row.instrument_version_id)
    evidence = evidence or {}
    comments = comments or {}
    problems: list[Problem] = []
    privacy: list[Problem] = []
    parsed: dict[str, tuple[float | None, bool]] = {}
    for key in sorted(set(answers) | set(evidence) | set(comments)):
        item_id, entry = split_key(key)
        try:
            item = instrument.item(item_id)
        except KeyError:
            problems.append(Problem(key, f"ingen fråga {item_id!r} i {instrument.id} {instrument.version}"))
            continue
        if entry is not None and not item.repeatable:
            problems.append(Problem(key, f"frågan {item_id} har inte flera poster; använd {item_id!r}"))
            continue
        value = answers.get(key)
        if value is None or (isinstance(value, float) and math.isnan(value)):
            parsed[key] = (None, False)
        else:
            try:
                parsed[key] = validate_answer(instrument, item_id, value)
            except ValidationError as err:
                problems.extend(Problem(key, p.message) for p in err.problems)
        privacy.extend(
            problems_in([(f"{key}: underlag", evidence.get(key)), (f"{key}: kommentar", comments.get(key))])
        )
    if privacy:
        raise PersonalDataError(problems + privacy)
    if problems:
        raise ValidationError(problems)
    stored = {a.item_id: a for a in session.scalars(select(Answer).where(Answer.response_id == response.id))}
    for key, (value, dont_know) in parsed.items():
        ev = (evidence.get(key) or "").strip() if key in evidence else None
        com = (comments.get(key) or "").strip() if key in comments else None
        current = stored.get(key)
        if current is None:
            if value is None and not dont_know and not ev and not com:
                continue
            current = Answer(response_id=response.id, item_id=key)
            session.add(current)
        current.value = value
        current.dont_know = dont_know
        if ev is not None:
            current.evidence = ev
        if com is not None:
            current.comment = com
        if current.value is None and not current.dont_know and not current.evidence and not current.comment:
            session.delete(current)
    flag_modified(response, "status")  # bumps the response's version: the next save must have seen this one
    session.flush()
    return response


def submit_response(
    session: Session, actor: Actor, response_id: int, *, expected_version: int | None = None
) -> Response:
    """Lock a response: it now counts in the round's results and can no longer be changed."""
    response = _response(session, response_id)
    row = _round_for(session, actor, response, write=True)
    require_answerable(row)
    _check_unlocked(response, expected_version)
    answered = session.scalar(
        select(Answer.id)
        .where(Answer.response_id == response.id, (Answer.value.is_not(None)) | (Answer.dont_know.is_(True)))
        .limit(1)
    )
    if answered is None:
        raise ValidationError(
            Problem(
                "", "inga frågor är besvarade; svara på minst en fråga (eller Vet ej) innan du skickar in"
            )
        )
    response.status = "submitted"
    response.submitted_at = utcnow()
    if response.invitation_id is not None:
        invitation = session.get(Invitation, response.invitation_id)
        if invitation is not None:
            invitation.used_at = response.submitted_at
    session.flush()
    return response


# ----------------------------------------------------------------------------- reading


ANSWER_DETAIL_COLUMNS = ["key", "item_id", "entry", "value", "dont_know", "evidence", "comment"]


def response_answers(session: Session, actor: Actor, response_id: int) -> pd.DataFrame:
    """The stored answers of one response (to resume a draft or show a submitted one)."""
    response = _response(session, response_id)
    _round_for(session, actor, response, write=False)
    rows = []
    for a in session.scalars(
        select(Answer).where(Answer.response_id == response.id).order_by(Answer.item_id)
    ):
        item_id, entry = split_key(a.item_id)
        rows.append(
            {
                "key": a.item_id,
                "item_id": item_id,
                "entry": entry,
                "value": a.value,
                "dont_know": a.dont_know,
                "evidence": a.evidence,
                "comment": a.comment,
            }
        )
    return pd.DataFrame(rows, columns=ANSWER_DETAIL_COLUMNS)


RESPONSE_COLUMNS = [
    "response_id",
    "respondent_label",
    "mode",
    "status",
    "n_answered",
    "n_dont_know",
    "started_at",
    "submitted_at",
    "user_id",
    "via_invitation",
    "version",
]


def responses_frame(session: Session, user: CurrentUser, round_id: int) -> pd.DataFrame:
    """The responses in a round with how many items each has answered."""
    get_round(session, user, round_id)
    out = []
    for r in session.scalars(select(Response).where(Response.round_id == round_id).order_by(Response.id)):
        answers = session.scalars(select(Answer).where(Answer.response_id == r.id)).all()
        out.append(
            {
                "response_id": r.id,
                "respondent_label": r.respondent_label,
                "mode": r.mode,
                "status": r.status,
                "n_answered": sum(1 for a in answers if a.value is not None),
                "n_dont_know": sum(1 for a in answers if a.dont_know),
                "started_at": r.started_at,
                "submitted_at": r.submitted_at,
                "user_id": r.user_id,
                "via_invitation": r.invitation_id is not None,
                "version": r.version,
            }
        )
    return pd.DataFrame(out, columns=RESPONSE_COLUMNS)


def round_answers_frame(session: Session, user: CurrentUser, round_id: int) -> pd.DataFrame:
    """Submitted answers of a round as scoring.py expects them (respondent, item_id, value, dont_know).

    Also carries ``mode`` (a workshop consensus counts as one respondent), ``response_id`` and ``key``.
    Drafts are left out. Respondent labels that repeat in a round are made unique with the response id.
    """
    get_round(session, user, round_id)
    rows = session.execute(
        select(Response, Answer)
        .join(Answer, Answer.response_id == Response.id)
        .where(Response.round_id == round_id, Response.status == "submitted")
        .order_by(Response.id, Answer.item_id)
    ).all()
    labels: dict[str, set[int]] = {}
    for resp, _ in rows:
        labels.setdefault(resp.respondent_label, set()).add(resp.id)
    records = []
    for resp, a in rows:
        if a.value is None and not a.dont_know:
            continue
        name = (
            resp.respondent_label
            if len(labels[resp.respondent_label]) == 1
            else f"{resp.respondent_label} ({resp.id})"
        )
        item_id, _entry = split_key(a.item_id)
        records.append(
            {
                "respondent": name,
                "item_id": item_id,
                "value": a.value,
                "dont_know": bool(a.dont_know),
                "mode": resp.mode,
                "response_id": resp.id,
                "key": a.item_id,
            }
        )
    frame = pd.DataFrame(
        records, columns=["respondent", "item_id", "value", "dont_know", "mode", "response_id", "key"]
    )
    frame["value"] = frame["value"].astype("float64")
    frame["dont_know"] = frame["dont_know"].astype(bool)
    return frame


# ----------------------------------------------------------------------------- scores


@dataclass
class RoundScore:
    """One round's results: the instrument version it was answered on and every summary of it."""

    round_id: int
    label: str
    due_date: date
    status: str
    instrument: Instrument
    answers: pd.DataFrame
    items: pd.DataFrame
    factors: pd.DataFrame
    indicators: pd.DataFrame
    development: pd.DataFrame
    n_respondents: int
    n_workshops: int


@dataclass
class SiteScores:
    """A site's rounds on one instrument (oldest first) and the change between consecutive rounds."""

    site_id: int
    instrument_id: str
    rounds: list[RoundScore] = field(default_factory=list)
    changes: list[tuple[str, str, pd.DataFrame]] = field(default_factory=list)

    @property
    def provisional(self) -> bool:
        return any(r.instrument.status != "verified" for r in self.rounds)


def _score_round(session: Session, user: CurrentUser, row: AssessmentRound) -> RoundScore:
    instrument = get_instrument(session, row.instrument_version_id)
    answers = round_answers_frame(session, user, row.id)
    scoring_input = answers[["respondent", "item_id", "value", "dont_know"]]
    per_response = answers.drop_duplicates("response_id")
    return RoundScore(
        round_id=row.id,
        label=row.label,
        due_date=row.due_date,
        status=row.status,
        instrument=instrument,
        answers=answers,
        items=item_summary(instrument, scoring_input),
        factors=factor_profile(instrument, scoring_input),
        indicators=derived_indicators(instrument, scoring_input),
        development=development_areas(instrument, scoring_input),
        n_respondents=int(len(per_response)),
        n_workshops=int((per_response["mode"] == "workshop").sum()),
    )


def site_scores(session: Session, user: CurrentUser, site_id: int, instrument_id: str) -> SiteScores:
    """Every round of ``instrument_id`` at a site, scored, with change between consecutive rounds.

    Within one version the change covers items, factors and indicators; across versions only the
    items declared comparable (revisions.comparable_items), and nothing else.
    """
    require_site(session, user, site_id)
    # Scores are derived from the site's records only (the same for everyone who may read the site):
    # kept until a round, response or answer of the site changes.
    return cached(
        session, ("site_scores", instrument_id), lambda: _site_scores(session, user, site_id, instrument_id),
        site_id=site_id,
    )


def _site_scores(session: Session, user: CurrentUser, site_id: int, instrument_id: str) -> SiteScores:
    rounds = session.scalars(
        select(AssessmentRound)
        .join(InstrumentVersion, InstrumentVersion.id == AssessmentRound.instrument_version_id)
        .where(
            AssessmentRound.site_id == site_id,
            AssessmentRound.deleted_at.is_(None),
            InstrumentVersion.instrument_id == instrument_id,
        )
        .order_by(AssessmentRound.due_date, AssessmentRound.id)
    ).all()
    out = SiteScores(site_id=site_id, instrument_id=instrument_id)
    out.rounds = [_score_round(session, user, r) for r in rounds]
    scored = [r for r in out.rounds if r.n_respondents > 0]
    for a, b in zip(scored, scored[1:], strict=False):
        cols = ["respondent", "item_id", "value", "dont_know"]
        if a.instrument.version == b.instrument.version:
            change = change_between_rounds(b.instrument, a.answers[cols], b.answers[cols])
        else:
            change = change_across_versions(a.instrument, b.instrument, a.answers[cols], b.answers[cols])
            change.insert(0, "level", "item")
            change = change.rename(columns={"item_id": "id"})
        out.changes.append((a.label, b.label, change))
    return out


SCORE_COLUMNS = [
    "round", "due_date", "instrument_id", "instrument_version", "instrument_status", "level", "id", "label_sv",
    "label_en", "value", "median", "min", "max", "iqr", "n_answers", "n_dont_know", "disagreement",
    "development_area", "classification", "n_respondents",
]  # fmt: skip


def scores_table(scores: SiteScores, round_label: str | None = None) -> pd.DataFrame:
    """One long table of a site's scores (item, factor and indicator rows per round): what the CLI prints."""
    frames = []
    for r in scores.rounds:
        if round_label is not None and r.label != round_label:
            continue
        base = {
            "round": r.label,
            "due_date": r.due_date,
            "instrument_id": r.instrument.id,
            "instrument_version": r.instrument.version,
            "instrument_status": r.instrument.status,
            "n_respondents": r.n_respondents,
        }
        items = r.items.rename(columns={"item_id": "id", "n_answers": "n_answers"}).assign(
            level="item", value=r.items["median"], classification=None
        )
        factors = r.factors.rename(columns={"factor_id": "id"}).assign(level="factor", classification=None)
        inds = r.indicators.rename(columns={"n_answered": "n_answers"}).assign(level="indicator")
        for part in (items, factors, inds):
            if len(part):
                frames.append(part.assign(**base))
    if round_label is not None and not frames and not any(r.label == round_label for r in scores.rounds):
        known = ", ".join(repr(r.label) for r in scores.rounds) or "(inga)"
        raise NotFound(f"Ingen omgång {round_label!r} för {scores.instrument_id}; omgångar: {known}.")
    if not frames:
        return pd.DataFrame(columns=SCORE_COLUMNS)
    table = pd.concat(frames, ignore_index=True)
    for col in SCORE_COLUMNS:
        if col not in table.columns:
            table[col] = None
    return table[SCORE_COLUMNS]


def answer_value_label(
    instrument: Instrument, item_id: str, value: Any, dont_know: bool, lang: str = "sv"
) -> str:
    """How one stored answer reads ("2 Pågår", "Vet ej", "")."""
    item = instrument.item(item_id)
    scale = instrument.scale(item.scale)
    if dont_know:
        return scale.dont_know.get(lang)
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return f"{int(value)} {scale.label_of(int(value), lang)}"
