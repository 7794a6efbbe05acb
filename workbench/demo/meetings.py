"""Demo part: actors, forums and a year (2025) of cooperation meetings for every demo site, with change over time.

Skellefteå's TryggVäxt network starts thin (few actors, forums without documenters, little follow-up) and
after the first quarter widens to civil society, leisure and child health care and gets more systematic.
Sorsele stays small. The other sites mature slowly. Fictitious; deterministic (random.Random(demo.seed)).
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any

from sqlalchemy.orm import Session

from pilots.access import SYSTEM_USER
from pilots.meetings import (
    ActionInput,
    FlowInput,
    MeetingInput,
    RatingInput,
    create_actor,
    create_forum,
    log_meeting,
    open_actions,
    set_action_status,
    update_forum,
)

# (name, sector, level); the first eight every site has, the rest are added in order up to the site's size.
ACTORS: list[tuple[str, str, str]] = [
    ("Socialtjänsten, barn och unga", "socialtjänst", "operativ"),
    ("Socialtjänsten, förebyggande enheten", "socialtjänst", "strategisk"),
    ("Grundskolan, rektorsgruppen", "skola", "strategisk"),
    ("Elevhälsan", "elevhälsa", "operativ"),
    ("Lokalpolisområdet", "polis", "operativ"),
    ("Förskolan, områdeschef", "förskola", "operativ"),
    ("Fritidsgårdarna", "fritid", "operativ"),
    ("Barnavårdscentralen (BVC)", "bvc_mvc", "operativ"),
    ("Föreningen Kvinno- och tjejjouren", "civilsamhalle", "operativ"),
    ("Svenska kyrkan, församlingen", "trossamfund", "operativ"),
    ("Regionens barn- och ungdomspsykiatri", "region", "operativ"),
    ("Studieförbundet, föräldragrupper", "civilsamhalle", "operativ"),
    ("Mödravårdscentralen (MVC)", "bvc_mvc", "operativ"),
    ("Moskéföreningen", "trossamfund", "operativ"),
]

# Per site: number of actors, maturity at the start and end of the year, and the quarter it turns.
PROFILES: dict[str, dict[str, Any]] = {
    "tryggvaxt:2482": {"actors": 14, "m0": 0.15, "m1": 0.95, "turn": date(2025, 4, 1)},
    "jamforelse-fou:2422": {"actors": 8, "m0": 0.45, "m1": 0.5, "turn": date(2025, 7, 1)},
}
DEFAULT_PROFILE = {"actors": 11, "m0": 0.4, "m1": 0.7, "turn": date(2025, 7, 1)}


def _forums(slug: str) -> list[dict[str, Any]]:
    prefix = "TryggVäxt" if slug == "tryggvaxt" else "Trygghet"
    return [
        {
            "name": f"{prefix} styrgrupp",
            "level": "strategisk",
            "cadence": "manadsvis",
            "step": 30,
            "purpose": "Strategisk styrning: mål, resurser och uppföljning av arbetet mot hedersrelaterat våld och "
            "förtryck.",
            "members": [1, 2, 4],
            "wide": [7],
        },
        {
            "name": f"{prefix} operativ grupp",
            "level": "operativ",
            "cadence": "varannan_vecka",
            "step": 14,
            "purpose": "Samordna insatser, stöd till föräldrar och lägesbild i skola, socialtjänst och polis.",
            "members": [0, 3, 4, 5],
            "wide": [6, 7, 8, 10, 12],
        },
        {
            "name": "Nätverk civilsamhälle",
            "level": "operativ",
            "cadence": "kvartalsvis",
            "step": 91,
            "purpose": "Dialog med föreningar och trossamfund om föräldrastöd och förebyggande arbete.",
            "members": [1, 6, 8, 9],
            "wide": [11, 13],
        },
    ]


PURPOSES = [
    "Lägesbild och planering",
    "Föräldraträffar: planering",
    "Uppföljning av åtgärder",
    "Gemensam handlingsplan",
    "Kompetensinsatser för personal",
    "Rutin vid oro för hedersrelaterat våld",
]
DECISIONS = [
    "Två föräldraträffar under nästa period",
    "Rutinen skickas på remiss till skolorna",
    "Gemensam utbildningsdag planeras",
    "Lägesbilden uppdateras kvartalsvis",
    "Kontaktvägar mellan skola och socialtjänst förtydligas",
]
ACTIONS = [
    "Boka lokal för föräldraträff",
    "Ta fram lägesbild",
    "Sprida rutinen till rektorerna",
    "Kontakta föreningarna",
    "Sammanställa utvärderingen",
    "Planera utbildningsdag",
]


def _maturity(profile: dict[str, Any], day: date) -> float:
    """Low before the turn, rising quickly to the end value after it."""
    m0, m1, turn = profile["m0"], profile["m1"], profile["turn"]
    if day < turn:
        return m0
    weeks = (day - turn).days / 7
    return m0 + (m1 - m0) * min(1.0, 0.4 + weeks / 20)


def build(session: Session, demo: Any) -> None:
    rng = random.Random(demo.seed)
    for key, site in sorted(demo.sites.items()):
        slug = key.split(":")[0]
        profile = PROFILES.get(key, DEFAULT_PROFILE)
        _build_site(session, rng, site, slug, profile)


def _build_site(session: Session, rng: random.Random, site: Any, slug: str, profile: dict[str, Any]) -> None:
    actors = [
        create_actor(session, SYSTEM_USER, site.id, name=n, sector=s, level=lv).id
        for n, s, lv in ACTORS[: profile["actors"]]
    ]
    n = len(actors)
    forums = _forums(slug)[: 2 if n <= 8 else 3]
    start, end = site.start_date or date(2025, 1, 1), site.end_date or date(2025, 12, 31)
    for spec in forums:
        members = [actors[i] for i in spec["members"] if i < n]
        immature = profile["m0"] < 0.3
        forum = create_forum(
            session,
            SYSTEM_USER,
            site.id,
            name=spec["name"],
            level=spec["level"],
            cadence=spec["cadence"],
            purpose=spec["purpose"],
            convener_actor_id=members[0],
            documenter_actor_id=None if immature else members[-1],
            follow_up_actor_id=None if immature else members[0],
            member_ids=members,
        )
        widened = False
        day = start + timedelta(days=rng.randrange(3, 10))
        while day <= end:
            m = _maturity(profile, day)
            if not widened and m > 0.5:
                # The forum widens: more sectors become usual attendees, and a documenter is named.
                members = members + [actors[i] for i in spec["wide"] if i < n]
                update_forum(
                    session,
                    SYSTEM_USER,
                    forum.id,
                    name=forum.name,
                    level=forum.level,
                    cadence=forum.cadence,
                    purpose=forum.purpose,
                    convener_actor_id=members[0],
                    documenter_actor_id=members[-1],
                    follow_up_actor_id=members[0],
                    member_ids=members,
                )
                widened = True
            summer = day.month == 7
            if not summer and rng.random() > 0.3 * (1 - m):
                _log(session, rng, forum.id, day, members, actors, m)
            day += timedelta(
                days=spec["step"] + rng.choice((-2, 0, 0, 1, 3)) if spec["step"] > 14 else spec["step"]
            )


def _log(
    session: Session,
    rng: random.Random,
    forum_id: int,
    day: date,
    members: list[int],
    actors: list[int],
    m: float,
) -> None:
    attended = [a for a in members if rng.random() < 0.55 + 0.4 * m]
    if len(attended) < 2:
        attended = members[:2]
    absent = [a for a in members if a not in attended]
    pending = open_actions(session, SYSTEM_USER, forum_id, before=day)
    followed = [int(i) for i in pending["action_id"] if rng.random() < 0.25 + 0.75 * m]
    actions = [
        ActionInput(rng.choice(ACTIONS), rng.choice(attended), day + timedelta(days=rng.choice((14, 21, 30))))
        for _ in range(rng.choice((0, 1, 1, 2)))
    ]
    flows = []
    if rng.random() < 0.2 + 0.3 * m:
        senders = [a for a in attended if a != actors[0]]
        if senders:
            flows.append(
                FlowInput(rng.choice(senders), actors[0], rng.choice(("referral", "referral", "information")))
            )
    ratings = []
    if day.month in (2, 11) and day.day <= 14 and len(attended) >= 3:
        base = 1 + round(3 * m)
        ratings = [
            RatingInput(attended[0], b, max(0, min(5, base + rng.choice((-1, 0, 0, 1)))))
            for b in attended[1:4]
        ]
    log_meeting(
        session,
        SYSTEM_USER,
        MeetingInput(
            forum_id=forum_id,
            meeting_date=day,
            attended=attended,
            invited_absent=absent,
            convened_by=members[0] if rng.random() < 0.55 + 0.45 * m else None,
            documented_by=members[-1] if rng.random() < 0.2 + 0.8 * m else None,
            purpose=rng.choice(PURPOSES) if rng.random() < 0.5 + 0.5 * m else "",
            decisions=rng.choice(DECISIONS) if rng.random() < 0.45 + 0.5 * m else "",
            actions=actions,
            followed_up_action_ids=followed,
            flows=flows,
            ratings=ratings,
        ),
    )
    for action_id in followed:
        if rng.random() < 0.7:
            set_action_status(session, SYSTEM_USER, action_id, "done")
