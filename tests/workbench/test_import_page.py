"""The import page: upload, preview, confirmed import; the writes are audited with face 'import'."""

from __future__ import annotations

from pilots import db
from pilots.audit import audit_frame
from pilots.log import log_frame
from pilots.access import SYSTEM_USER


def test_upload_preview_and_confirm_imports_and_audits_as_import(app_as, demo_url: str) -> None:
    at = app_as("forskare")
    at.switch_page("pages/data_import.py").run()
    at.selectbox[0].set_value("log").run()
    engine = db.make_engine(demo_url)
    with db.session_scope(engine) as s:
        before = len(log_frame(s, SYSTEM_USER))
    csv = (
        "kommunkod;pilot;datum;typ;kalltyp;text;taggar\n"
        "2482;tryggvaxt;2025-06-12;observation;Styrgruppsmöte;Styrgruppen beslutade om en gemensam rutin;\n"
    ).encode("utf-8")
    at.file_uploader[0].upload("logg.csv", csv, "text/csv").run()
    assert not at.exception
    assert not at.error, [e.value for e in at.error]
    at.button(key="confirm_import").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    with db.session_scope(engine) as s:
        assert len(log_frame(s, SYSTEM_USER)) == before + 1
        trail = audit_frame(s, entity="log_entry", face="import")
    engine.dispose()
    assert len(trail) >= 1


def test_template_and_export_are_built_only_when_their_button_is_clicked(app_as, monkeypatch) -> None:
    # A national export holds every site or meeting a user can read: a rerun of the page must not build it,
    # nor the template; both buttons are still there and build their file on click.
    import pilots.importing
    import pilots.templates

    built: list[str] = []
    real_export, real_template = pilots.importing.SimpleImporter.export, pilots.templates.write_template
    monkeypatch.setattr(pilots.importing.SimpleImporter, "export",
                        lambda self, *a: built.append("export") or real_export(self, *a))
    monkeypatch.setattr(pilots.templates, "write_template",
                        lambda *a, **k: built.append("template") or real_template(*a, **k))
    at = app_as("forskare")
    at.switch_page("pages/data_import.py").run()
    at.selectbox[0].set_value("sites").run()
    assert not at.exception, at.exception
    buttons = {b.key: b.proto for b in at.get("download_button")}
    assert {"template_download", "export_download"} <= set(buttons)
    assert buttons["template_download"].label == "Ladda ner mall"
    assert built == []


def test_a_kind_without_export_says_so_instead_of_offering_a_download(app_as) -> None:
    # Meetings have no export here: the page says so (a button would fail only when clicked).
    at = app_as("forskare")
    at.switch_page("pages/data_import.py").run()
    at.selectbox[0].set_value("meetings").run()
    assert not at.exception, at.exception
    assert "export_download" not in {b.key for b in at.get("download_button")}
    assert "Den här typen av uppgifter kan inte exporteras här." in [i.value for i in at.info]
    at.selectbox[0].set_value("log").run()
    assert "export_download" in {b.key for b in at.get("download_button")}
