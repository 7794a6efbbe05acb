"""The model report: the DOCX, PDF and HTML files are opened and their structure checked."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from docx import Document

from cooperation_model.model import ModelEvidence
from cooperation_model.report import build_report, write_report
from cooperation_model.report.content import (
    COMMENTARY_COLUMNS,
    SECTION_TITLES,
    build_report_content,
    render_figures,
    save_commentary,
)
from cooperation_model.report.pdf_writer import font_paths
from pilots.access import SYSTEM_USER
from pilots.errors import PersonalDataError, WorkbenchError
from pilots.sites import create_pilot
from tests.cooperation_model.model_evidence import sample_evidence

HOSTILE = "<script>alert('x')</script> & Åsa"


def _commentary() -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "commentary_id": 1,
                "section_key": "sammanfattning",
                "title": "Läsanvisning",
                "text": HOSTILE,
                "report_version": "utkast",
                "author": "forskare",
                "version": 1,
            }
        ],
        columns=COMMENTARY_COLUMNS,
    )


@pytest.fixture(scope="module")
def content():
    c = build_report_content(sample_evidence(), commentary=_commentary(), generated_on=date(2026, 3, 1))
    render_figures(c)
    assert all(f.png for f in c.figures())
    return c


@pytest.fixture(scope="module")
def docx_path(content, tmp_path_factory) -> Path:
    return write_report(content, tmp_path_factory.mktemp("r") / "rapport.docx")


def test_docx_has_real_headings_in_report_order(docx_path: Path) -> None:
    doc = Document(str(docx_path))
    h1 = [p.text for p in doc.paragraphs if p.style.name == "Heading 1"]
    expected = [sv for sv, _ in SECTION_TITLES.values()]
    assert [h for h in h1 if h in expected] == expected
    assert any(p.style.name == "Heading 2" for p in doc.paragraphs)
    assert "Forskarens kommentar: Läsanvisning" in [
        p.text for p in doc.paragraphs if p.style.name == "Heading 3"
    ]
    assert doc.paragraphs[0].style.name == "Title"


def test_docx_has_a_toc_field_captions_for_every_figure_and_alt_text_on_every_picture(
    docx_path: Path, content
) -> None:
    doc = Document(str(docx_path))
    xml = doc.element.xml
    assert re.search(r"<w:instrText[^>]*> TOC \\o", xml)
    pictures = doc.inline_shapes
    captions = [p.text for p in doc.paragraphs if p.style.name == "Caption" and p.text.startswith("Figur ")]
    assert len(pictures) == len(content.figures()) == len(captions) > 0
    assert captions[0].startswith("Figur 1. ")
    for shape in pictures:
        descr = shape._inline.docPr.get("descr")
        assert descr and descr.startswith("Diagram: ")
    assert len(doc.tables) >= len(content.tables())


def test_docx_states_fingerprint_and_demo_label_in_header(docx_path: Path, content) -> None:
    doc = Document(str(docx_path))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert content.fingerprint in text
    assert len(content.fingerprint) == 64
    assert "Exempeldata" in text
    assert doc.sections[0].header.paragraphs[0].text.startswith("Exempeldata – ")


def test_pdf_has_pages_text_with_swedish_characters_and_the_fingerprint(content, tmp_path: Path) -> None:
    path = write_report(content, tmp_path / "rapport.pdf")
    data = path.read_bytes()
    assert data.startswith(b"%PDF")
    pypdf = pytest.importorskip("pypdf")
    reader = pypdf.PdfReader(str(path))
    assert len(reader.pages) > 1
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert content.fingerprint in text.replace("\n", "")
    assert "Begränsningar" in text and "Jämförelser mellan sammanhang" in text
    assert "Exempeldata" in text
    assert content.fingerprint in str(reader.metadata.get("/Keywords"))


def test_pdf_without_dejavu_names_the_debian_package(tmp_path: Path) -> None:
    with pytest.raises(WorkbenchError, match="fonts-dejavu-core"):
        font_paths(tmp_path)


def test_html_is_self_contained_escaped_and_in_swedish(content, tmp_path: Path) -> None:
    html = write_report(content, tmp_path / "rapport.html").read_text(encoding="utf-8")
    assert '<html lang="sv">' in html
    assert "<script>" not in html
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; &amp; Åsa" in html
    assert html.count('src="data:image/png;base64,') == len(content.figures())
    assert 'src="http' not in html
    assert all('alt="' in html for _ in content.figures())


def test_english_report_has_english_headings() -> None:
    c = build_report_content(sample_evidence(), lang="en", generated_on=date(2026, 3, 1))
    assert [s.title for s in c.sections if s.level == 1][:2] == ["Summary", "The model"]
    assert c.lang == "en"


def test_small_count_rule_is_applied_and_stated_in_count_tables() -> None:
    c = build_report_content(sample_evidence(), generated_on=date(2026, 3, 1))
    table = next(t for t in c.tables() if t.caption.startswith("Antal forum per kommun"))
    assert "Antal under 5 visas inte" in table.note
    cells = set(table.frame.drop(columns=table.frame.columns[0]).to_numpy().ravel())
    assert "1" not in cells and "2" not in cells and ".." in cells


def test_same_evidence_twice_gives_identical_text_and_fingerprint() -> None:
    a = build_report_content(sample_evidence(), commentary=_commentary(), generated_on=date(2026, 3, 1))
    b = build_report_content(sample_evidence(), commentary=_commentary(), generated_on=date(2026, 3, 1))
    assert a.fingerprint == b.fingerprint
    assert a.text_lines() == b.text_lines()
    later = build_report_content(sample_evidence(), commentary=_commentary(), generated_on=date(2027, 1, 1))
    assert later.fingerprint == a.fingerprint  # generation date is not part of the fingerprint


def test_commentary_changes_the_fingerprint() -> None:
    a = build_report_content(sample_evidence(), generated_on=date(2026, 3, 1))
    b = build_report_content(sample_evidence(), commentary=_commentary(), generated_on=date(2026, 3, 1))
    assert a.fingerprint != b.fingerprint


def test_report_without_chromium_keeps_the_data_table_and_says_why(monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setenv("BROWSER_PATH", str(tmp_path / "no-such-browser"))
    c = build_report_content(sample_evidence(), generated_on=date(2026, 3, 1))
    html = write_report(c, tmp_path / "r.html").read_text(encoding="utf-8")
    assert "chromium" in html and "Diagrammet kunde inte ritas" in html


# --- from the database ---------------------------------------------------------------------------


def test_empty_pilot_still_gives_a_report_that_says_what_is_missing(session, tmp_path: Path) -> None:
    pilot = create_pilot(
        session,
        SYSTEM_USER,
        slug="tom",
        name="Tom pilot",
        purpose="",
        start_date=date(2025, 1, 1),
        end_date=date(2025, 12, 31),
    )
    content = build_report(session, SYSTEM_USER, pilot.id, generated_on=date(2026, 3, 1))
    text = "\n".join(content.text_lines())
    assert "saknas" in text
    assert "Platsprofiler saknas" in text
    path = write_report(content, tmp_path / "tom.docx")
    assert content.fingerprint in "\n".join(p.text for p in Document(str(path)).paragraphs)
    again = build_report(session, SYSTEM_USER, pilot.id, generated_on=date(2026, 3, 1))
    assert again.fingerprint == content.fingerprint and again.text_lines() == content.text_lines()


def test_saved_commentary_is_included_with_its_report_version_and_refuses_personal_numbers(session) -> None:
    pilot = create_pilot(
        session,
        SYSTEM_USER,
        slug="kom",
        name="Kommentarer",
        purpose="",
        start_date=date(2025, 1, 1),
        end_date=date(2025, 12, 31),
    )
    save_commentary(
        session, SYSTEM_USER, pilot.id, "metod", "Om urvalet", "Urvalet är litet.", report_version="v1"
    )
    with pytest.raises(PersonalDataError):
        save_commentary(session, SYSTEM_USER, pilot.id, "metod", "Fel", "Gäller 19121212-1212.")
    v1 = build_report(session, SYSTEM_USER, pilot.id, report_version="v1")
    draft = build_report(session, SYSTEM_USER, pilot.id)
    assert "Urvalet är litet." in v1.text_lines()
    assert "Urvalet är litet." not in draft.text_lines()


def test_empty_evidence_content_is_complete() -> None:
    c = build_report_content(ModelEvidence(pilot_slug="x", pilot_name="X"), generated_on=date(2026, 3, 1))
    assert [s.key for s in c.sections if s.level == 1] == list(SECTION_TITLES)
    assert c.figures() == []
