"""`workbench report`, `workbench charts`, `workbench model` and `workbench model adopt` on the demo database."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

from click.testing import CliRunner
from docx import Document
from pptx import Presentation

from workbench.cli import cli


def run(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def test_report_docx_of_the_demo_reads_as_a_draft_with_commentary(demo_url: str, tmp_path: Path) -> None:
    out = tmp_path / "tryggvaxt.docx"
    result = run("report", "--pilot", "tryggvaxt", "--format", "docx", "--out", str(out))
    assert result.exit_code == 0, result.output
    doc = Document(str(out))
    text = "\n".join(p.text for p in doc.paragraphs)
    fingerprint = result.output.split("SHA-256 för underlaget: ")[1].split(")")[0]
    assert fingerprint in text
    assert "Samverkansmodell: TryggVäxt" in text and "Exempeldata" in text
    headings3 = [p.text for p in doc.paragraphs if p.style.name == "Heading 3"]
    assert "Forskarens kommentar: Läsanvisning för utkastet" in headings3
    assert len(doc.inline_shapes) > 0


def test_report_html_in_english(demo_url: str, tmp_path: Path) -> None:
    out = tmp_path / "r.html"
    assert run("report", "--pilot", "tryggvaxt", "--out", str(out), "--lang", "en").exit_code == 0
    html = out.read_text(encoding="utf-8")
    assert '<html lang="en">' in html and "Example data" in html


def test_unknown_pilot_is_a_clear_error(demo_url: str, tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["report", "--pilot", "finns-inte", "--out", str(tmp_path / "x.pdf")])
    assert result.exit_code == 1
    assert "finns-inte" in result.output
    assert not (tmp_path / "x.pdf").exists()


def test_charts_pptx_and_png_zip(demo_url: str, tmp_path: Path) -> None:
    result = run(
        "charts",
        "--pilot",
        "tryggvaxt",
        "--format",
        "pptx",
        "--out",
        str(tmp_path / "deck"),
        "--chart",
        "sektorer",
        "--chart",
        "forumklassning",
    )
    assert result.exit_code == 0, result.output
    prs = Presentation(str(tmp_path / "deck" / "tryggvaxt.pptx"))
    assert len(prs.slides) == 4
    assert [s.shapes.title.text for s in prs.slides][1:3] == [
        "Forum per klassificering",
        "Sektorer som deltar i mötena",
    ]
    result = run(
        "charts",
        "--pilot",
        "tryggvaxt",
        "--format",
        "png",
        "--out",
        str(tmp_path / "png"),
        "--chart",
        "sektorer",
    )
    assert result.exit_code == 0, result.output
    with zipfile.ZipFile(tmp_path / "png" / "tryggvaxt_png.zip") as zf:
        assert "sektorer.png" in zf.namelist() and "LÄSMIG.txt" in zf.namelist()


def test_model_file_and_adoption_at_another_site(demo_url: str, tmp_path: Path) -> None:
    out = tmp_path / "modell.json"
    assert run("model", "--pilot", "tryggvaxt", "--out", str(out)).exit_code == 0
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["schema_version"] == "1.0" and len(data["fingerprint"]) == 64
    assert data["forums"], "the demo's forums give templates"
    result = run("model", "adopt", "--site", "2422", "--pilot", "jamforelse-fou", str(out))
    assert result.exit_code == 0, result.output
    assert "Modellen antagen" in result.output
    assert "quarter" in result.output
