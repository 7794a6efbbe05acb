"""Scoping: what each role may read and write, asked in one place (pilots.access)."""

from __future__ import annotations

from datetime import date

import pytest

from pilots.access import SYSTEM_USER, CurrentUser, require_pilot, require_site
from pilots.errors import AccessDenied
from pilots.sites import add_site, create_pilot, pilots_frame, sites_frame


@pytest.fixture
def two_pilots(session):
    a = create_pilot(session, SYSTEM_USER, slug="a", name="Pilot A", purpose="", start_date=date(2025, 1, 1),
                     end_date=date(2025, 12, 31))
    b = create_pilot(session, SYSTEM_USER, slug="b", name="Pilot B", purpose="", start_date=date(2025, 1, 1),
                     end_date=date(2025, 12, 31))
    sites = {
        "a-skelleftea": add_site(session, SYSTEM_USER, a, "2482"),
        "a-orebro": add_site(session, SYSTEM_USER, a, "1880"),
        "b-skelleftea": add_site(session, SYSTEM_USER, b, "2482"),
        "b-malmo": add_site(session, SYSTEM_USER, b, "1280"),
    }
    return a, b, sites


def _user(role: str, **kw) -> CurrentUser:
    return CurrentUser(id=99, username=role, role=role, **kw)


def test_municipality_user_reads_only_its_own_municipality(session, two_pilots) -> None:
    _a, _b, sites = two_pilots
    skelleftea = _user("municipality", municipality_code="2482")
    frame = sites_frame(session, skelleftea)
    assert set(frame["municipality_code"]) == {"2482"} and len(frame) == 2
    assert set(pilots_frame(session, skelleftea)["slug"]) == {"a", "b"}
    with pytest.raises(AccessDenied):
        require_site(session, skelleftea, sites["a-orebro"].id)
    with pytest.raises(AccessDenied):
        require_site(session, skelleftea, sites["b-malmo"].id)
    assert require_site(session, skelleftea, sites["a-skelleftea"].id).municipality_code == "2482"
    with pytest.raises(AccessDenied):
        require_site(session, skelleftea, sites["a-skelleftea"].id, write=True)


def test_researcher_reads_and_writes_assigned_pilots_only(session, two_pilots) -> None:
    a, b, sites = two_pilots
    researcher = _user("researcher", pilot_ids=frozenset({a.id}))
    assert set(sites_frame(session, researcher)["pilot_slug"]) == {"a"}
    assert require_site(session, researcher, sites["a-orebro"].id, write=True)
    with pytest.raises(AccessDenied):
        require_site(session, researcher, sites["b-malmo"].id)
    with pytest.raises(AccessDenied):
        require_pilot(session, researcher, b.id)
    with pytest.raises(AccessDenied):
        add_site(session, researcher, b, "0180")


def test_mfof_reads_everything_but_writes_no_pilot(session, two_pilots) -> None:
    a, _b, sites = two_pilots
    mfof = _user("mfof")
    assert len(sites_frame(session, mfof)) == 4
    with pytest.raises(AccessDenied):
        require_site(session, mfof, sites["a-orebro"].id, write=True)


def test_presenter_sees_no_site_rows(session, two_pilots) -> None:
    _a, _b, sites = two_pilots
    presenter = _user("presenter")
    with pytest.raises(AccessDenied, match="sammanställda"):
        require_site(session, presenter, sites["a-orebro"].id)
    assert len(sites_frame(session, presenter)) == 0


def test_user_without_scope_sees_nothing(session, two_pilots) -> None:
    stranger = _user("researcher")
    assert sites_frame(session, stranger).empty and pilots_frame(session, stranger).empty
    municipality_without_code = _user("municipality")
    assert sites_frame(session, municipality_without_code).empty
