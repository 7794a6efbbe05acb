"""The model report as PDF (fpdf2 with DejaVu Sans so å ä ö and "–" print), with outline, TOC and alt texts."""

from __future__ import annotations

from io import BytesIO
from pathlib import Path

from fpdf import FPDF
from fpdf.fonts import FontFace

from cooperation_model.report.content import Bullets, Figure, Paragraph, ReportContent, Table
from pilots.errors import WorkbenchError

FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
FONT_FILES = {"": "DejaVuSans.ttf", "B": "DejaVuSans-Bold.ttf", "I": "DejaVuSans-Oblique.ttf"}
_WORDS = {
    "sv": {
        "toc": "Innehåll",
        "figure": "Figur",
        "table": "Tabell",
        "page": "Sida",
        "no_image": "Diagrammet kunde inte ritas",
        "demo": "Exempeldata – inte verkliga uppgifter",
    },
    "en": {
        "toc": "Contents",
        "figure": "Figure",
        "table": "Table",
        "page": "Page",
        "no_image": "The chart could not be drawn",
        "demo": "Example data – not real records",
    },
}


def font_paths(directory: Path | None = None) -> dict[str, Path]:
    """The DejaVu Sans files; a clear error naming the Debian package when they are missing."""
    folder = directory or FONT_DIR
    paths = {style: folder / name for style, name in FONT_FILES.items()}
    lacking = [str(p) for p in paths.values() if not p.is_file()]
    if lacking:
        raise WorkbenchError(
            f"Typsnittet DejaVu Sans saknas ({', '.join(lacking)}). Installera Debian-paketet fonts-dejavu-core: "
            "apt-get install fonts-dejavu-core. The DejaVu Sans font is missing; install the Debian package "
            "fonts-dejavu-core."
        )
    return paths


class _ReportPDF(FPDF):
    header_text = ""
    page_word = "Sida"

    def header(self) -> None:
        if self.page_no() == 1:
            return
        self.set_font("DejaVu", "I", 8)
        self.set_text_color(90, 90, 90)
        self.cell(0, 6, self.header_text, new_x="LMARGIN", new_y="NEXT")
        self.set_text_color(0, 0, 0)
        self.ln(2)

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font("DejaVu", "", 8)
        self.cell(0, 6, f"{self.page_word} {self.page_no()}", align="C")


def _render_toc(pdf: FPDF, outline: list) -> None:  # noqa: ANN001
    pdf.set_font("DejaVu", "B", 16)
    pdf.cell(0, 10, pdf.toc_title, new_x="LMARGIN", new_y="NEXT")  # type: ignore[attr-defined]
    pdf.set_font("DejaVu", "", 10)
    for entry in outline:
        if entry.level > 0:
            continue
        indent = "    " * entry.level
        link = pdf.add_link(page=entry.page_number)
        pdf.cell(170, 6, f"{indent}{entry.name}", link=link)
        pdf.cell(0, 6, str(entry.page_number), align="R", new_x="LMARGIN", new_y="NEXT", link=link)


def write_pdf(content: ReportContent, path: str | Path, *, font_dir: Path | None = None) -> Path:
    """Write the report as PDF; the fingerprint is printed and stored in the document's keywords."""
    words = _WORDS[content.lang]
    fonts = font_paths(font_dir)
    pdf = _ReportPDF(format="A4")
    pdf.header_text = f"{content.demo_label} – {content.title}" if content.is_demo else content.title
    pdf.page_word = words["page"]
    for style, file in fonts.items():
        pdf.add_font("DejaVu", style, str(file))
    pdf.set_title(content.title)
    pdf.set_subject(content.subtitle)
    pdf.set_keywords(f"fingerprint:{content.fingerprint}")
    pdf.set_creator(f"pilot-workbench {content.software_version}")
    pdf.set_lang("en" if content.lang == "en" else "sv")
    pdf.set_auto_page_break(True, margin=18)
    pdf.set_margins(18, 16, 18)

    pdf.add_page()
    pdf.set_font("DejaVu", "B", 22)
    pdf.multi_cell(0, 11, content.title, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "", 13)
    pdf.multi_cell(0, 7, content.subtitle, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(6)
    if content.is_demo:
        pdf.set_font("DejaVu", "B", 16)
        pdf.set_text_color(213, 94, 0)
        pdf.cell(0, 10, words["demo"], new_x="LMARGIN", new_y="NEXT")
        pdf.set_text_color(0, 0, 0)
    pdf.set_font("DejaVu", "", 9)
    pdf.multi_cell(
        0,
        5,
        f"{content.report_version} · {content.generated_on.isoformat()} · SHA-256 {content.fingerprint}",
        new_x="LMARGIN",
        new_y="NEXT",
    )

    pdf.add_page()
    pdf.toc_title = words["toc"]  # type: ignore[attr-defined]
    pdf.insert_toc_placeholder(_render_toc, pages=1)

    n_fig = n_tab = 0
    first = True
    for sec in content.sections:
        if sec.level == 1:
            if not first:
                pdf.add_page()
            first = False
        pdf.start_section(sec.title, level=sec.level - 1)
        pdf.set_font("DejaVu", "B", 16 if sec.level == 1 else 13)
        pdf.multi_cell(0, 8, sec.title, new_x="LMARGIN", new_y="NEXT")
        pdf.ln(1)
        for block in sec.blocks:
            if isinstance(block, Paragraph):
                style = {"note": "I", "commentary_title": "B", "commentary": "I"}.get(block.style, "")
                pdf.set_font("DejaVu", style, 10)
                pdf.multi_cell(0, 5, block.text, new_x="LMARGIN", new_y="NEXT")
                pdf.ln(2)
            elif isinstance(block, Bullets):
                pdf.set_font("DejaVu", "", 10)
                for item in block.items:
                    pdf.multi_cell(0, 5, f"• {item}", new_x="LMARGIN", new_y="NEXT")
                pdf.ln(2)
            elif isinstance(block, Table):
                n_tab += 1
                pdf.set_font("DejaVu", "B", 9)
                pdf.multi_cell(
                    0, 5, f"{words['table']} {n_tab}. {block.caption}", new_x="LMARGIN", new_y="NEXT"
                )
                _table(
                    pdf,
                    [list(map(str, block.frame.columns))]
                    + [[str(v) for v in row] for row in block.frame.itertuples(index=False)],
                )
                if block.note:
                    pdf.set_font("DejaVu", "I", 8)
                    pdf.multi_cell(0, 4, block.note, new_x="LMARGIN", new_y="NEXT")
                pdf.ln(3)
            elif isinstance(block, Figure):
                n_fig += 1
                if block.png is not None:
                    if pdf.get_y() > 170:
                        pdf.add_page()
                    pdf.image(BytesIO(block.png), w=170, alt_text=block.alt_text, title=block.caption)
                else:
                    pdf.set_font("DejaVu", "I", 9)
                    pdf.multi_cell(0, 5, f"{words['no_image']}: {block.error}", new_x="LMARGIN", new_y="NEXT")
                    table = block.table.astype(object).astype(str)
                    _table(
                        pdf,
                        [list(map(str, table.columns))] + [list(r) for r in table.itertuples(index=False)],
                    )
                pdf.set_font("DejaVu", "I", 9)
                pdf.multi_cell(
                    0, 5, f"{words['figure']} {n_fig}. {block.caption}", new_x="LMARGIN", new_y="NEXT"
                )
                pdf.ln(3)
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    pdf.output(str(target))
    return target


def _table(pdf: FPDF, rows: list[list[str]]) -> None:
    if not rows or not rows[0]:
        return
    pdf.set_font("DejaVu", "", 8)
    with pdf.table(headings_style=FontFace(emphasis="BOLD"), line_height=4.5, text_align="LEFT") as table:
        for values in rows:
            row = table.row()
            for v in values:
                row.cell(v)
