"""The transferable cooperation model report: typed content, and DOCX, PDF and HTML writers over it."""

from __future__ import annotations

from pathlib import Path

from cooperation_model.report.content import (
    SECTION_KEYS,
    ReportContent,
    build_report,
    build_report_content,
    commentary_frame,
    gather_evidence,
    render_figures,
    save_commentary,
)
from pilots.errors import Problem, ValidationError

REPORT_FORMATS = ("docx", "pdf", "html")
MEDIA_TYPES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
    "html": "text/html",
}


def write_report(content: ReportContent, path: str | Path, format: str | None = None) -> Path:
    """Render figures (one browser) and write the report as docx, pdf or html (format from the suffix if None)."""
    fmt = (format or Path(path).suffix.lstrip(".")).lower()
    if fmt not in REPORT_FORMATS:
        raise ValidationError(
            [Problem("--format", f"{fmt!r} stöds inte; välj en av {', '.join(REPORT_FORMATS)}")]
        )
    render_figures(content)
    if fmt == "docx":
        from cooperation_model.report.docx_writer import write_docx

        return write_docx(content, path)
    if fmt == "pdf":
        from cooperation_model.report.pdf_writer import write_pdf

        return write_pdf(content, path)
    from cooperation_model.report.html_writer import write_html

    return write_html(content, path)


__all__ = [
    "MEDIA_TYPES",
    "REPORT_FORMATS",
    "SECTION_KEYS",
    "ReportContent",
    "build_report",
    "build_report_content",
    "commentary_frame",
    "gather_evidence",
    "render_figures",
    "save_commentary",
    "write_report",
]
