"""The sites list every page reads: kept in the derived-data cache per reader scope, never stale or shared."""

from __future__ import annotations

from datetime import date

from sqlalchemy import event

from pilots import db
from pilots.access import SYSTEM_USER, CurrentUser
from pilots.derived_cache import invalidate
from pilots.sites import add_site, create_pilot, get_pilot_by_slug, site_names, sites_frame, update_site


def _two_pilots(engine) -> None:
    with db.session_scope(engine, user=SYSTEM_USER) as s:
        for slug, codes in (("a", ("2482", "1880")), ("b", ("1280",))):
            pilot = create_pilot(s, SYSTEM_USER, slug=slug, name=f"Pilot {slug.upper()}", purpose="",
                                 start_date=date(2025, 1, 1), end_date=date(2025, 12, 31))
            for code in codes:
                add_site(s, SYSTEM_USER, pilot, code)


def _selects(engine) -> list[str]:
    seen: list[str] = []
    event.listen(engine, "before_cursor_execute",
                 lambda _c, _cur, statement, *_a: seen.append(statement) if "FROM site" in statement else None)
    return seen


def test_sites_are_read_once_per_scope_until_a_write_and_an_edit_shows_at_once(engine) -> None:
    invalidate()
    _two_pilots(engine)
    seen = _selects(engine)
    with db.session_scope(engine, user=SYSTEM_USER) as s:
        first = sites_frame(s, SYSTEM_USER)
        again = sites_frame(s, SYSTEM_USER)
        assert len(first) == 3 and first.equals(again)
        reads = len(seen)
        again["contact_role"] = "ändrad i en kopia"  # a caller changing its frame changes no one else's
        assert (sites_frame(s, SYSTEM_USER)["contact_role"] != "ändrad i en kopia").all()
        assert len(seen) == reads  # served from the cache
        row = first[first["municipality_code"] == "2482"].iloc[0]
    with db.session_scope(engine, user=SYSTEM_USER) as s:
        update_site(s, SYSTEM_USER, int(row["site_id"]), int(row["version"]), {"contact_role": "Samordnare för våld"})
    with db.session_scope(engine, user=SYSTEM_USER) as s:
        after = sites_frame(s, SYSTEM_USER)
    assert after.loc[after["site_id"] == row["site_id"], "contact_role"].item() == "Samordnare för våld"


def test_each_reader_scope_gets_its_own_sites(engine) -> None:
    invalidate()
    _two_pilots(engine)
    with db.session_scope(engine, user=SYSTEM_USER) as s:
        a = get_pilot_by_slug(s, SYSTEM_USER, "a")
        everything = sites_frame(s, SYSTEM_USER)  # cached first, for every site
        researcher = CurrentUser(id=5, username="r", role="researcher", pilot_ids=frozenset({a.id}))
        municipality = CurrentUser(id=6, username="m", role="municipality", municipality_code="1280")
        assert len(everything) == 3
        assert set(sites_frame(s, researcher)["pilot_slug"]) == {"a"}
        assert list(sites_frame(s, municipality)["municipality_code"]) == ["1280"]
        assert len(sites_frame(s, SYSTEM_USER, a.id)) == 2


def test_sites_read_in_a_transaction_that_is_rolled_back_are_not_kept(engine) -> None:
    invalidate()
    _two_pilots(engine)
    try:
        with db.session_scope(engine, user=SYSTEM_USER) as s:
            add_site(s, SYSTEM_USER, get_pilot_by_slug(s, SYSTEM_USER, "b"), "0180")
            assert len(sites_frame(s, SYSTEM_USER)) == 4  # the transaction sees its own new site
            raise RuntimeError("the user cancels")
    except RuntimeError:
        pass
    with db.session_scope(engine, user=SYSTEM_USER) as s:
        assert len(sites_frame(s, SYSTEM_USER)) == 3


def test_site_names_label_each_site_with_municipality_and_pilot(engine) -> None:
    invalidate()
    _two_pilots(engine)
    with db.session_scope(engine, user=SYSTEM_USER) as s:
        frame = sites_frame(s, SYSTEM_USER)
    names = site_names(frame)
    assert list(names) == [int(i) for i in frame["site_id"]]
    assert sorted(names.values()) == ["Malmö (Pilot B)", "Skellefteå (Pilot A)", "Örebro (Pilot A)"]
