"""The model report as an editable Word document: real heading styles, a table of contents, captions, alt text."""

from __future__ import annotations

from io import BytesIO
from pathlib import Path

import pandas as pd
from docx import Document
from docx.enum.text import WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

from cooperation_model.report.content import Bullets, Figure, Paragraph, ReportContent, Table

_WORDS = {
    "sv": {
        "toc": "Innehåll",
        "toc_hint": "Högerklicka och välj Uppdatera fält för att visa innehållsförteckningen.",
        "figure": "Figur",
        "table": "Tabell",
        "no_image": "Diagrammet kunde inte ritas",
        "version": "Version",
        "generated": "Skapad",
        "demo": "Exempeldata – inte verkliga uppgifter",
        "data": "Diagrammets värden",
    },
    "en": {
        "toc": "Contents",
        "toc_hint": "Right-click and choose Update field to show the table of contents.",
        "figure": "Figure",
        "table": "Table",
        "no_image": "The chart could not be drawn",
        "version": "Version",
        "generated": "Generated",
        "demo": "Example data – not real records",
        "data": "The chart's values",
    },
}


def _field(paragraph, instruction: str, placeholder: str = "") -> None:  # noqa: ANN001
    """A complex field (begin, instruction, separate, placeholder, end) that Word updates."""
    run = paragraph.add_run()
    begin = OxmlElement("w:fldChar")
    begin.set(qn("w:fldCharType"), "begin")
    begin.set(qn("w:dirty"), "true")
    run._r.append(begin)
    run = paragraph.add_run()
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = f" {instruction} "
    run._r.append(instr)
    run = paragraph.add_run()
    sep = OxmlElement("w:fldChar")
    sep.set(qn("w:fldCharType"), "separate")
    run._r.append(sep)
    paragraph.add_run(placeholder)
    run = paragraph.add_run()
    end = OxmlElement("w:fldChar")
    end.set(qn("w:fldCharType"), "end")
    run._r.append(end)


def _caption(doc, label: str, number: int, text: str):  # noqa: ANN001, ANN202
    p = doc.add_paragraph(style="Caption")
    p.add_run(f"{label} ")
    _field(p, f"SEQ {label} \\* ARABIC", str(number))
    p.add_run(f". {text}")
    return p


def _word_table(doc, frame: pd.DataFrame) -> None:  # noqa: ANN001
    table = doc.add_table(rows=1, cols=max(len(frame.columns), 1))
    table.style = "Table Grid"
    for cell, name in zip(table.rows[0].cells, frame.columns, strict=False):
        cell.text = str(name)
        for run in cell.paragraphs[0].runs:
            run.font.bold = True
    # the header row repeats on every page
    tr_pr = table.rows[0]._tr.get_or_add_trPr()
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    tr_pr.append(header)
    for row in frame.itertuples(index=False):
        cells = table.add_row().cells
        for cell, value in zip(cells, row, strict=False):
            cell.text = "" if value is None else str(value)


def write_docx(content: ReportContent, path: str | Path) -> Path:
    """Write the report as DOCX: Title page, TOC field, Heading 1–3, captioned figures with alt text, Word tables."""
    words = _WORDS[content.lang]
    doc = Document()
    styles = doc.styles
    styles["Normal"].font.name = "Calibri"
    styles["Normal"].font.size = Pt(11)
    doc.core_properties.title = content.title
    doc.core_properties.subject = content.subtitle
    doc.core_properties.keywords = f"fingerprint:{content.fingerprint}"
    doc.core_properties.comments = (
        f"SHA-256 {content.fingerprint}; {words['version']} {content.report_version}"
    )

    section = doc.sections[0]
    header = section.header.paragraphs[0]
    header.text = f"{content.demo_label} – {content.title}" if content.is_demo else content.title

    doc.add_paragraph(content.title, style="Title")
    doc.add_paragraph(content.subtitle, style="Subtitle")
    if content.is_demo:
        p = doc.add_paragraph()
        run = p.add_run(words["demo"])
        run.font.bold = True
        run.font.size = Pt(16)
        run.font.color.rgb = RGBColor(0xD5, 0x5E, 0x00)
    doc.add_paragraph(
        f"{words['version']}: {content.report_version}. {words['generated']}: "
        f"{content.generated_on.isoformat()}. SHA-256: {content.fingerprint}"
    )
    doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)

    doc.add_paragraph(
        words["toc"], style="TOC Heading" if "TOC Heading" in [s.name for s in styles] else "Heading 1"
    )
    toc = doc.add_paragraph()
    _field(toc, 'TOC \\o "1-3" \\h \\z \\u', words["toc_hint"])
    doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)

    n_fig = n_tab = 0
    picture_id = 0
    for sec in content.sections:
        doc.add_heading(sec.title, level=min(sec.level, 3))
        for block in sec.blocks:
            if isinstance(block, Paragraph):
                if block.style == "commentary_title":
                    doc.add_heading(block.text, level=3)
                elif block.style == "note":
                    p = doc.add_paragraph()
                    p.add_run(block.text).italic = True
                elif block.style == "commentary":
                    p = doc.add_paragraph(
                        block.text, style="Quote" if "Quote" in [s.name for s in styles] else None
                    )
                else:
                    doc.add_paragraph(block.text)
            elif isinstance(block, Bullets):
                for item in block.items:
                    doc.add_paragraph(item, style="List Bullet")
            elif isinstance(block, Table):
                n_tab += 1
                _caption(doc, words["table"], n_tab, block.caption)
                _word_table(doc, block.frame)
                if block.note:
                    p = doc.add_paragraph()
                    run = p.add_run(block.note)
                    run.italic = True
                    run.font.size = Pt(9)
            elif isinstance(block, Figure):
                n_fig += 1
                if block.png is not None:
                    doc.add_picture(BytesIO(block.png), width=Cm(16))
                    picture_id += 1
                    inline = doc.paragraphs[-1].runs[-1]._r.xpath(".//wp:docPr")[0]
                    inline.set("descr", block.alt_text)
                    inline.set("title", block.caption)
                else:
                    p = doc.add_paragraph()
                    p.add_run(f"{words['no_image']}: {block.error}").italic = True
                    _word_table(doc, block.table.astype(object).astype(str))
                _caption(doc, words["figure"], n_fig, block.caption)
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    doc.save(str(target))
    return target
