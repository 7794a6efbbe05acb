"""Presenter packs: a PowerPoint deck with one house-style chart per slide, alt text and source lines."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path

import plotly.graph_objects as go
from pptx import Presentation
from pptx.dml.color import RGBColor
from pptx.util import Emu, Inches, Pt

from cooperation_model.export import figures_to_images
from cooperation_model.figures import figure_alt_text
from pilots.errors import PersonalDataError
from pilots.privacy import problems_in

SLIDE_WIDTH = Inches(13.333)
SLIDE_HEIGHT = Inches(7.5)
_LAYOUT_TITLE, _LAYOUT_TITLE_ONLY = 0, 5
_TEXT = {
    "sv": {
        "demo": "Exempeldata",
        "demo_long": "Exempeldata – inte verkliga uppgifter",
        "source": "Källa",
        "rule": "Om siffrorna",
    },
    "en": {
        "demo": "Example data",
        "demo_long": "Example data – not real records",
        "source": "Source",
        "rule": "About the numbers",
    },
}


@dataclass
class ChartSlide:
    """One chart slide. Title, source and alt text default to what the figure builder recorded."""

    figure: go.Figure
    title: str | None = None
    source: str | None = None
    alt_text: str | None = None
    notes: str | None = None
    png: bytes | None = None  # pre-rendered image; rendered from ``figure`` when None


def _meta(fig: go.Figure) -> dict[str, object]:
    meta = fig.layout.meta
    return dict(meta) if isinstance(meta, dict) else {}


def _text_box(
    slide,
    left: int,
    top: int,
    width: int,
    height: int,
    text: str,
    size: int,
    *,
    bold: bool = False,
    colour: RGBColor | None = None,
    name: str | None = None,
):  # noqa: ANN001, ANN202 - python-pptx types
    box = slide.shapes.add_textbox(left, top, width, height)
    if name:
        box.name = name
    frame = box.text_frame
    frame.word_wrap = True
    run = frame.paragraphs[0].add_run()
    run.text = text
    run.font.size = Pt(size)
    run.font.bold = bold
    if colour is not None:
        run.font.color.rgb = colour
    return box


def _place_title(slide, text: str) -> None:  # noqa: ANN001
    title = slide.shapes.title
    title.left, title.top, title.width, title.height = Inches(0.6), Inches(0.3), Inches(11.2), Inches(0.9)
    title.text = text
    for paragraph in title.text_frame.paragraphs:
        for run in paragraph.runs:
            run.font.size = Pt(28)


def build_conference_deck(
    charts: Sequence[ChartSlide],
    path: str | Path,
    *,
    title: str,
    subtitle: str = "",
    demo: bool = False,
    lang: str = "sv",
    rule_statement: str | None = None,
) -> Path:
    """Write a 16:9 deck: title slide, one chart per slide, and the small-count rule last when given.

    Each chart slide has the chart title as slide title, the PNG with its alt text (``descr``),
    a source line and, for demo decks, an "Exempeldata" label. Charts are rendered with one
    browser. Returns the path written.
    """
    lg = "en" if lang == "en" else "sv"
    words = _TEXT[lg]
    texts: list[tuple[str, object]] = [("title", title), ("subtitle", subtitle)]
    texts += [
        (f"bild {i + 1}: {k}", v)
        for i, c in enumerate(charts)
        for k, v in (("title", c.title), ("notes", c.notes))
    ]
    problems = problems_in(texts)
    if problems:
        raise PersonalDataError(problems)

    to_render = [c.figure for c in charts if c.png is None]
    rendered = iter(figures_to_images(to_render, "png", scale=2) if to_render else [])
    images = [c.png if c.png is not None else next(rendered) for c in charts]

    prs = Presentation()
    prs.slide_width, prs.slide_height = SLIDE_WIDTH, SLIDE_HEIGHT
    grey = RGBColor(0x55, 0x55, 0x55)
    demo_colour = RGBColor(0xD5, 0x5E, 0x00)

    cover = prs.slides.add_slide(prs.slide_layouts[_LAYOUT_TITLE])
    cover.shapes.title.left, cover.shapes.title.width = Inches(0.8), Inches(11.7)
    cover.shapes.title.text = title
    sub = cover.placeholders[1]
    sub.left, sub.width = Inches(0.8), Inches(11.7)
    sub.text = "\n".join(x for x in (subtitle, words["demo_long"] if demo else "") if x)

    for chart, png in zip(charts, images, strict=True):
        meta = _meta(chart.figure)
        slide = prs.slides.add_slide(prs.slide_layouts[_LAYOUT_TITLE_ONLY])
        _place_title(slide, chart.title or str(meta.get("title") or chart.figure.layout.title.text or ""))
        top, max_h, max_w = Inches(1.3), Inches(5.4), Inches(12.3)
        picture = slide.shapes.add_picture(BytesIO(png), 0, top, height=max_h)
        if picture.width > max_w:
            ratio = max_w / picture.width
            picture.width, picture.height = int(max_w), int(picture.height * ratio)
        picture.left = Emu(int((SLIDE_WIDTH - picture.width) / 2))
        picture.name = "Diagram"
        # python-pptx has no API for alt text; it is the cNvPr "descr" attribute.
        picture._element.nvPicPr.cNvPr.set("descr", chart.alt_text or figure_alt_text(chart.figure))
        source = chart.source if chart.source is not None else str(meta.get("source") or "")
        if source:
            _text_box(
                slide,
                Inches(0.6),
                Inches(6.85),
                Inches(10),
                Inches(0.4),
                f"{words['source']}: {source}",
                12,
                colour=grey,
                name="Källa",
            )
        if demo or meta.get("demo"):
            _text_box(
                slide,
                Inches(10.8),
                Inches(0.35),
                Inches(2.3),
                Inches(0.5),
                words["demo"],
                16,
                bold=True,
                colour=demo_colour,
                name="Exempeldata",
            )
        if chart.notes:
            slide.notes_slide.notes_text_frame.text = chart.notes

    if rule_statement:
        last = prs.slides.add_slide(prs.slide_layouts[_LAYOUT_TITLE_ONLY])
        _place_title(last, words["rule"])
        _text_box(
            last, Inches(0.8), Inches(1.8), Inches(11.5), Inches(3), rule_statement, 24, name="Småtalsregel"
        )

    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    prs.save(str(target))
    return target
