"""ORM models: the whole record of the workbench (organisations, roles, meetings, assessments; no personal data)."""

from __future__ import annotations

from datetime import date, datetime, timezone
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, declared_attr, mapped_column, relationship


def utcnow() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


class Base(DeclarativeBase):
    type_annotation_map = {dict[str, Any]: JSON, list[Any]: JSON}


class Versioned:
    """Optimistic locking: a save whose version no longer matches is refused (no lost updates)."""

    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    @declared_attr.directive
    def __mapper_args__(cls) -> dict[str, Any]:  # noqa: N805
        return {"version_id_col": cls.__table__.c.version}  # type: ignore[attr-defined]


class SoftDeletable:
    """Nothing is hard-deleted from the app: rows are marked deleted and an admin can restore them."""

    deleted_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True, index=True)


class Timestamped:
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, nullable=False)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow, nullable=False)


# --- reference data -------------------------------------------------------------------------------


class Municipality(Base):
    """One of Sweden's 290 municipalities (code kept as a 4-character string)."""

    __tablename__ = "municipality"
    code: Mapped[str] = mapped_column(String(4), primary_key=True)
    name: Mapped[str] = mapped_column(String(100), nullable=False)
    county_code: Mapped[str] = mapped_column(String(2), nullable=False, index=True)
    county_name: Mapped[str] = mapped_column(String(100), nullable=False)
    landsdel: Mapped[str] = mapped_column(String(20), nullable=False)
    fa_code: Mapped[str | None] = mapped_column(String(4))
    fa_name: Mapped[str | None] = mapped_column(String(100))
    population: Mapped[int | None] = mapped_column(Integer)
    population_year: Mapped[int | None] = mapped_column(Integer)
    skr_group_2017_code: Mapped[str | None] = mapped_column(String(4))
    skr_group_2017_name: Mapped[str | None] = mapped_column(String(100))
    skr_group_2023_code: Mapped[str | None] = mapped_column(String(4))
    skr_group_2023_name: Mapped[str | None] = mapped_column(String(100))


class ReferenceSource(Base):
    """Where a piece of reference data came from, and for which year; shown wherever it is used."""

    __tablename__ = "reference_source"
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(40), nullable=False, index=True)
    source: Mapped[str] = mapped_column(Text, nullable=False)
    year: Mapped[int | None] = mapped_column(Integer)
    file_name: Mapped[str | None] = mapped_column(String(300))
    rows: Mapped[int] = mapped_column(Integer, default=0)
    imported_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)


class RegionGrouping(Base):
    """A user-defined grouping of municipalities, e.g. FoU regions."""

    __tablename__ = "region_grouping"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True, nullable=False)
    description: Mapped[str | None] = mapped_column(Text)
    members: Mapped[list[RegionMember]] = relationship(cascade="all, delete-orphan")


class RegionMember(Base):
    __tablename__ = "region_member"
    grouping_id: Mapped[int] = mapped_column(ForeignKey("region_grouping.id"), primary_key=True)
    municipality_code: Mapped[str] = mapped_column(ForeignKey("municipality.code"), primary_key=True)
    region_name: Mapped[str] = mapped_column(String(100), nullable=False)


# --- users ----------------------------------------------------------------------------------------


class UserAccount(Versioned, Timestamped, Base):
    """A login with one role; municipality users are tied to their municipality."""

    __tablename__ = "user_account"
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(100), unique=True, nullable=False)
    display_name: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    email: Mapped[str | None] = mapped_column(String(200), unique=True)
    role: Mapped[str] = mapped_column(String(20), nullable=False)
    municipality_code: Mapped[str | None] = mapped_column(ForeignKey("municipality.code"))
    password_hash: Mapped[str | None] = mapped_column(String(300))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True, nullable=False)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0, nullable=False)
    locked_until: Mapped[datetime | None] = mapped_column(DateTime)
    last_login_at: Mapped[datetime | None] = mapped_column(DateTime)


class PilotResearcher(Base):
    __tablename__ = "pilot_researcher"
    pilot_id: Mapped[int] = mapped_column(ForeignKey("pilot.id"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), primary_key=True)


# --- pilots, sites, plans, log, indicators --------------------------------------------------------


class Pilot(Versioned, SoftDeletable, Timestamped, Base):
    """A pilot (e.g. TryggVäxt) with a purpose, a period and participating sites."""

    __tablename__ = "pilot"
    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(60), unique=True, nullable=False)
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    kind: Mapped[str] = mapped_column(String(40), nullable=False, default="pilot")
    purpose: Mapped[str] = mapped_column(Text, nullable=False, default="")
    start_date: Mapped[date] = mapped_column(Date, nullable=False)
    end_date: Mapped[date] = mapped_column(Date, nullable=False)
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False, nullable=False)
    sites: Mapped[list[Site]] = relationship(back_populates="pilot")


class Site(Versioned, SoftDeletable, Timestamped, Base):
    """One municipality taking part in one pilot."""

    __tablename__ = "site"
    __table_args__ = (UniqueConstraint("pilot_id", "municipality_code", name="uq_site_pilot_municipality"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    pilot_id: Mapped[int] = mapped_column(ForeignKey("pilot.id"), nullable=False, index=True)
    municipality_code: Mapped[str] = mapped_column(ForeignKey("municipality.code"), nullable=False, index=True)
    contact_role: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    project_organisation: Mapped[str] = mapped_column(Text, nullable=False, default="")
    start_date: Mapped[date | None] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date)
    context_notes: Mapped[str] = mapped_column(Text, nullable=False, default="")
    pilot: Mapped[Pilot] = relationship(back_populates="sites")
    municipality: Mapped[Municipality] = relationship()


class Phase(Versioned, SoftDeletable, Base):
    __tablename__ = "phase"
    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("site.id"), nullable=False, index=True)
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    position: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    planned_start: Mapped[date | None] = mapped_column(Date)
    planned_end: Mapped[date | None] = mapped_column(Date)
    actual_start: Mapped[date | None] = mapped_column(Date)
    actual_end: Mapped[date | None] = mapped_column(Date)


class Milestone(Versioned, SoftDeletable, Base):
    __tablename__ = "milestone"
    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("site.id"), nullable=False, index=True)
    phase_id: Mapped[int | None] = mapped_column(ForeignKey("phase.id"))
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    planned_date: Mapped[date] = mapped_column(Date, nullable=False)
    actual_date: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20), nullable=False, default="planned")
    notes: Mapped[str] = mapped_column(Text, nullable=False, default="")


class LogEntry(Versioned, SoftDeletable, Timestamped, Base):
    """A follow-research log entry: what was observed, heard, read or decided at a site."""

    __tablename__ = "log_entry"
    __table_args__ = (
        Index("ix_log_entry_site_date", "site_id", "entry_date"),
        # The log page lists every readable entry newest first, 50 at a time: read along this index.
        Index("ix_log_entry_date_id", "entry_date", "id"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("site.id"), nullable=False)
    entry_date: Mapped[date] = mapped_column(Date, nullable=False)
    kind: Mapped[str] = mapped_column(String(30), nullable=False)
    source_type: Mapped[str] = mapped_column(String(100), nullable=False, default="")
    text: Mapped[str] = mapped_column(Text, nullable=False)
    author_user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    tags: Mapped[list[LogTag]] = relationship(cascade="all, delete-orphan", lazy="selectin")


class LogTag(Base):
    """Links a log entry to a success factor or an instrument item (e.g. 'samverkan-systematik:3')."""

    __tablename__ = "log_tag"
    entry_id: Mapped[int] = mapped_column(ForeignKey("log_entry.id"), primary_key=True)
    tag: Mapped[str] = mapped_column(String(120), primary_key=True, index=True)


class IndicatorDefinition(Versioned, Base):
    """A defined indicator (data, not code): definition, unit and source."""

    __tablename__ = "indicator_definition"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(60), unique=True, nullable=False)
    name_sv: Mapped[str] = mapped_column(String(200), nullable=False)
    name_en: Mapped[str] = mapped_column(String(200), nullable=False)
    definition_sv: Mapped[str] = mapped_column(Text, nullable=False, default="")
    definition_en: Mapped[str] = mapped_column(Text, nullable=False, default="")
    unit: Mapped[str] = mapped_column(String(30), nullable=False)
    source: Mapped[str] = mapped_column(Text, nullable=False, default="")
    min_value: Mapped[float | None] = mapped_column(Float)
    max_value: Mapped[float | None] = mapped_column(Float)
    status: Mapped[str] = mapped_column(String(20), nullable=False, default="provisional")


class IndicatorValue(Versioned, SoftDeletable, Base):
    __tablename__ = "indicator_value"
    __table_args__ = (Index("ix_indicator_value_site_code_period", "site_id", "indicator_code", "period_start"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("site.id"), nullable=False)
    indicator_code: Mapped[str] = mapped_column(ForeignKey("indicator_definition.code"), nullable=False)
    period_start: Mapped[date] = mapped_column(Date, nullable=False)
    period_end: Mapped[date | None] = mapped_column(Date)
    value: Mapped[float] = mapped_column(Float, nullable=False)
    note: Mapped[str] = mapped_column(Text, nullable=False, default="")


# --- cooperation: actors, forums, meetings ------------------------------------------------------


class Actor(Versioned, SoftDeletable, Base):
    """An organisation or function at a site (never a named private person)."""

    __tablename__ = "actor"
    __table_args__ = (UniqueConstraint("site_id", "name", name="uq_actor_site_name"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("site.id"), nullable=False, index=True)
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    organisation: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    sector: Mapped[str] = mapped_column(String(40), nullable=False)
    level: Mapped[str] = mapped_column(String(20), nullable=False)


class Forum(Versioned, SoftDeletable, Base):
    """A recurring cooperation group at a site, with purpose, cadence and who convenes, documents, follows up."""

    __tablename__ = "forum"
    __table_args__ = (UniqueConstraint("site_id", "name", name="uq_forum_site_name"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("site.id"), nullable=False, index=True)
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    purpose: Mapped[str] = mapped_column(Text, nullable=False, default="")
    level: Mapped[str] = mapped_column(String(20), nullable=False)
    cadence: Mapped[str] = mapped_column(String(20), nullable=False)
    convener_actor_id: Mapped[int | None] = mapped_column(ForeignKey("actor.id"))
    documenter_actor_id: Mapped[int | None] = mapped_column(ForeignKey("actor.id"))
    follow_up_actor_id: Mapped[int | None] = mapped_column(ForeignKey("actor.id"))


class ForumMember(Base):
    """A forum's usual attendees: logging a routine meeting starts from them."""

    __tablename__ = "forum_member"
    forum_id: Mapped[int] = mapped_column(ForeignKey("forum.id"), primary_key=True)
    actor_id: Mapped[int] = mapped_column(ForeignKey("actor.id"), primary_key=True)


class Meeting(Versioned, SoftDeletable, Timestamped, Base):
    __tablename__ = "meeting"
    __table_args__ = (Index("ix_meeting_forum_date", "forum_id", "meeting_date"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    forum_id: Mapped[int] = mapped_column(ForeignKey("forum.id"), nullable=False)
    meeting_date: Mapped[date] = mapped_column(Date, nullable=False, index=True)
    purpose: Mapped[str] = mapped_column(Text, nullable=False, default="")
    agenda: Mapped[str] = mapped_column(Text, nullable=False, default="")
    convened_by_actor_id: Mapped[int | None] = mapped_column(ForeignKey("actor.id"))
    documented_by_actor_id: Mapped[int | None] = mapped_column(ForeignKey("actor.id"))
    decisions: Mapped[str] = mapped_column(Text, nullable=False, default="")
    notes: Mapped[str] = mapped_column(Text, nullable=False, default="")


class MeetingAttendance(Base):
    __tablename__ = "meeting_attendance"
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id"), primary_key=True)
    actor_id: Mapped[int] = mapped_column(ForeignKey("actor.id"), primary_key=True, index=True)
    invited: Mapped[bool] = mapped_column(Boolean, default=True, nullable=False)
    attended: Mapped[bool] = mapped_column(Boolean, default=True, nullable=False)


class MeetingAction(Versioned, SoftDeletable, Base):
    """An action decided at a meeting: owner actor, due date, status, and where it was followed up."""

    __tablename__ = "meeting_action"
    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id"), nullable=False, index=True)
    description: Mapped[str] = mapped_column(Text, nullable=False)
    owner_actor_id: Mapped[int] = mapped_column(ForeignKey("actor.id"), nullable=False)
    due_date: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20), nullable=False, default="open")
    followed_up_at_meeting_id: Mapped[int | None] = mapped_column(ForeignKey("meeting.id"))


class ActorRating(Base):
    """A pairwise rating on the Levels of Collaboration scale (0 none … 5 collaboration)."""

    __tablename__ = "actor_rating"
    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("site.id"), nullable=False, index=True)
    meeting_id: Mapped[int | None] = mapped_column(ForeignKey("meeting.id"))
    rated_on: Mapped[date] = mapped_column(Date, nullable=False)
    actor_a_id: Mapped[int] = mapped_column(ForeignKey("actor.id"), nullable=False)
    actor_b_id: Mapped[int] = mapped_column(ForeignKey("actor.id"), nullable=False)
    level: Mapped[int] = mapped_column(Integer, nullable=False)


class ActorFlow(Base):
    """A directed information or referral flow between two actors."""

    __tablename__ = "actor_flow"
    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("site.id"), nullable=False, index=True)
    meeting_id: Mapped[int | None] = mapped_column(ForeignKey("meeting.id"))
    flow_date: Mapped[date] = mapped_column(Date, nullable=False)
    from_actor_id: Mapped[int] = mapped_column(ForeignKey("actor.id"), nullable=False)
    to_actor_id: Mapped[int] = mapped_column(ForeignKey("actor.id"), nullable=False)
    kind: Mapped[str] = mapped_column(String(20), nullable=False)


# --- instruments, rounds, responses ---------------------------------------------------------------


class InstrumentVersion(Base):
    """One version of an instrument definition, stored as the exact YAML it was given in."""

    __tablename__ = "instrument_version"
    __table_args__ = (UniqueConstraint("instrument_id", "version", name="uq_instrument_version"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    instrument_id: Mapped[str] = mapped_column(String(80), nullable=False, index=True)
    version: Mapped[str] = mapped_column(String(30), nullable=False)
    status: Mapped[str] = mapped_column(String(20), nullable=False)
    title_sv: Mapped[str] = mapped_column(String(300), nullable=False, default="")
    definition_yaml: Mapped[str] = mapped_column(Text, nullable=False)
    sha256: Mapped[str] = mapped_column(String(64), nullable=False)
    added_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    added_by: Mapped[str] = mapped_column(String(100), nullable=False, default="")


class AssessmentRound(Versioned, SoftDeletable, Base):
    """A measurement round for one site on one instrument version (baseline, follow-ups)."""

    __tablename__ = "assessment_round"
    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("site.id"), nullable=False, index=True)
    instrument_version_id: Mapped[int] = mapped_column(ForeignKey("instrument_version.id"), nullable=False)
    label: Mapped[str] = mapped_column(String(100), nullable=False)
    due_date: Mapped[date] = mapped_column(Date, nullable=False)
    closes_on: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20), nullable=False, default="planned")


class Response(Versioned, Base):
    """One respondent's (or one workshop's consensus) answers in a round."""

    __tablename__ = "response"
    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("assessment_round.id"), nullable=False, index=True)
    respondent_label: Mapped[str] = mapped_column(String(100), nullable=False)
    mode: Mapped[str] = mapped_column(String(20), nullable=False, default="individual")
    status: Mapped[str] = mapped_column(String(20), nullable=False, default="draft")
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    invitation_id: Mapped[int | None] = mapped_column(ForeignKey("invitation.id"))
    started_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(DateTime)


class Answer(Base):
    __tablename__ = "answer"
    __table_args__ = (UniqueConstraint("response_id", "item_id", name="uq_answer_item"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(ForeignKey("response.id"), nullable=False, index=True)
    item_id: Mapped[str] = mapped_column(String(80), nullable=False)
    value: Mapped[float | None] = mapped_column(Float)
    dont_know: Mapped[bool] = mapped_column(Boolean, default=False, nullable=False)
    evidence: Mapped[str] = mapped_column(Text, nullable=False, default="")
    comment: Mapped[str] = mapped_column(Text, nullable=False, default="")


class Invitation(Base):
    """A single-use, expiring link for answering a round without an account (only the token's hash is kept)."""

    __tablename__ = "invitation"
    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("assessment_round.id"), nullable=False, index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)
    respondent_label: Mapped[str] = mapped_column(String(100), nullable=False)
    expires_at: Mapped[datetime] = mapped_column(DateTime, nullable=False)
    used_at: Mapped[datetime | None] = mapped_column(DateTime)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    created_by: Mapped[str] = mapped_column(String(100), nullable=False, default="")


# --- national survey ------------------------------------------------------------------------------


class Survey(Base):
    __tablename__ = "survey"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True, nullable=False)
    year: Mapped[int] = mapped_column(Integer, nullable=False)
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False, nullable=False)
    file_name: Mapped[str] = mapped_column(String(300), nullable=False, default="")
    imported_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class SurveyUnit(Base):
    """One responding unit (a municipal service or a regional health service) in the national survey."""

    __tablename__ = "survey_unit"
    __table_args__ = (UniqueConstraint("survey_id", "kommunkod", "verksamhet", name="uq_survey_unit"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("survey.id"), nullable=False, index=True)
    kommunkod: Mapped[str] = mapped_column(String(4), nullable=False)
    verksamhet: Mapped[str] = mapped_column(String(30), nullable=False)
    beslut: Mapped[str | None] = mapped_column(String(10))
    rutiner_forebyggande: Mapped[str | None] = mapped_column(String(10))
    kartlaggning_3ar: Mapped[str | None] = mapped_column(String(10))
    utbildningsplan: Mapped[str | None] = mapped_column(String(10))
    samordnare: Mapped[str | None] = mapped_column(String(10))
    rutiner_samverkan: Mapped[str | None] = mapped_column(String(10))


# --- reports, the model, audit ------------------------------------------------------------------


class ReportCommentary(Versioned, Base):
    """A researcher's own commentary section, saved with the report version it belongs to."""

    __tablename__ = "report_commentary"
    id: Mapped[int] = mapped_column(primary_key=True)
    pilot_id: Mapped[int] = mapped_column(ForeignKey("pilot.id"), nullable=False, index=True)
    section_key: Mapped[str] = mapped_column(String(80), nullable=False)
    title: Mapped[str] = mapped_column(String(200), nullable=False)
    text: Mapped[str] = mapped_column(Text, nullable=False)
    report_version: Mapped[str] = mapped_column(String(30), nullable=False, default="utkast")
    author: Mapped[str] = mapped_column(String(100), nullable=False, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class ModelAdoption(Base):
    """A municipality site that adopted the transferable cooperation model (the model file kept as given)."""

    __tablename__ = "model_adoption"
    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("site.id"), nullable=False, index=True)
    model_json: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False)
    model_fingerprint: Mapped[str] = mapped_column(String(64), nullable=False)
    adopted_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class AuditEvent(Base):
    """Who changed what, when, before and after, and through which face. Never edited by the workbench."""

    __tablename__ = "audit_event"
    # The audit page lists events newest first (at, then id: one flush stamps all its events with the same
    # time) filtered by one of username, entity or face; each filter has an index in that order, so a page
    # reads 50 entries of the index instead of sorting or walking the trail. The username index also
    # gives the filter list its distinct usernames. (entity, entity_id) finds one record's history.
    __table_args__ = (
        Index("ix_audit_entity", "entity", "entity_id"),
        Index("ix_audit_event_at_id", "at", "id"),
        Index("ix_audit_event_username_at", "username", "at", "id"),
        Index("ix_audit_event_entity_at", "entity", "at", "id"),
        Index("ix_audit_event_face_at", "face", "at", "id"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, nullable=False)
    username: Mapped[str] = mapped_column(String(100), nullable=False, default="")
    face: Mapped[str] = mapped_column(String(20), nullable=False)
    action: Mapped[str] = mapped_column(String(20), nullable=False)
    entity: Mapped[str] = mapped_column(String(60), nullable=False)
    entity_id: Mapped[str] = mapped_column(String(60), nullable=False, default="")
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON)
