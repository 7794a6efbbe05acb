"""Presenter deck: what a presenter opening the PPTX relies on (titles, pictures with alt text, sources)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from pptx import Presentation

from cooperation_model.disclosure import rule_text
from cooperation_model.export import find_chromium
from cooperation_model.figures import bar_chart, line_chart
from cooperation_model.slides import ChartSlide, build_conference_deck
from pilots.errors import PersonalDataError, WorkbenchError


def _has_browser() -> bool:
    try:
        find_chromium()
    except WorkbenchError:
        return False
    return True


needs_chromium = pytest.mark.skipif(
    not _has_browser(), reason="no Chromium for Kaleido: apt-get install chromium (Debian package)"
)


def charts(demo: bool) -> list[ChartSlide]:
    df = pd.DataFrame({"kvartal": ["2024 K1", "2024 K2"], "antal": [7, 11]})
    return [
        ChartSlide(
            bar_chart(df, "kvartal", "antal", title="Möten per kvartal", source="Mötesloggen", demo=demo)
        ),
        ChartSlide(
            line_chart(df, "kvartal", "antal", title="Trend i Skellefteå", source="SCB", demo=demo),
            notes="Säg något om hösten.",
        ),
    ]


def texts(slide) -> list[str]:  # noqa: ANN001
    return [s.text_frame.text for s in slide.shapes if s.has_text_frame]


@needs_chromium
def test_demo_deck_structure_titles_sources_alt_text(tmp_path: Path) -> None:
    path = build_conference_deck(
        charts(demo=True),
        tmp_path / "deck.pptx",
        title="Samverkan mot hedersrelaterat våld",
        subtitle="Konferens 2025",
        demo=True,
        rule_statement=rule_text(5, "sv"),
    )
    prs = Presentation(str(path))
    slides = list(prs.slides)
    assert len(slides) == 4  # title + 2 charts + rule
    assert slides[0].shapes.title.text == "Samverkan mot hedersrelaterat våld"
    assert any("Exempeldata" in t for t in texts(slides[0]))
    assert [s.shapes.title.text for s in slides[1:3]] == ["Möten per kvartal", "Trend i Skellefteå"]
    assert "Källa: Mötesloggen" in texts(slides[1])
    assert "Källa: SCB" in texts(slides[2])
    for slide in slides[1:3]:
        assert "Exempeldata" in texts(slide)
        pictures = [s for s in slide.shapes if s.shape_type == 13]
        assert len(pictures) == 1
        descr = pictures[0]._element.nvPicPr.cNvPr.get("descr")
        assert descr.startswith(f"Diagram: {slide.shapes.title.text}.")
        assert pictures[0].image.blob[:4] == b"\x89PNG"
        assert pictures[0].left + pictures[0].width <= prs.slide_width
    assert slides[2].notes_slide.notes_text_frame.text == "Säg något om hösten."
    assert slides[3].shapes.title.text == "Om siffrorna"
    assert rule_text(5, "sv") in texts(slides[3])


def test_real_deck_without_rule_has_no_demo_label_and_uses_given_png(tmp_path: Path) -> None:
    tiny_png = bytes.fromhex(
        "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
        "1f15c4890000000d4944415478da63f8cfc0f01f0005000201d8b2e4c80000000049454e44ae426082"
    )
    slides_in = [
        ChartSlide(c.figure, png=tiny_png, alt_text="Stapeldiagram över möten.", title="Egen rubrik")
        for c in charts(demo=False)[:1]
    ]
    path = build_conference_deck(slides_in, tmp_path / "deck.pptx", title="Resultat", lang="en")
    slides = list(Presentation(str(path)).slides)
    assert len(slides) == 2
    assert slides[1].shapes.title.text == "Egen rubrik"
    assert "Source: Mötesloggen" in texts(slides[1])
    joined = " ".join(t for s in slides for t in texts(s))
    assert "Exempeldata" not in joined and "Example data" not in joined
    picture = [s for s in slides[1].shapes if s.shape_type == 13][0]
    assert picture._element.nvPicPr.cNvPr.get("descr") == "Stapeldiagram över möten."


def test_personal_identity_number_in_deck_title_is_refused(tmp_path: Path) -> None:
    with pytest.raises(PersonalDataError, match="title"):
        build_conference_deck([], tmp_path / "x.pptx", title="Ärende 19121212-1212")
    assert not (tmp_path / "x.pptx").exists()
