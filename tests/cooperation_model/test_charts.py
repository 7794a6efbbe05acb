"""The pilot's chart catalogue, presenter filtering with the small-count rule, and the conference pack."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from pptx import Presentation

from cooperation_model.charts import evidence_charts, select_charts, write_chart_pack
from pilots.errors import ValidationError, WorkbenchError
from tests.cooperation_model.model_evidence import sample_evidence


def test_catalogue_has_every_chart_with_data_and_marks_demo() -> None:
    charts = evidence_charts(sample_evidence())
    keys = [c.key for c in charts]
    assert keys == [
        "systematik_per_forum",
        "forumklassning",
        "systematik_per_storleksklass",
        "sektorer",
        "framgangsfaktorer",
        "genomforandesteg",
        "loggposter",
    ]
    assert all(c.figure.layout.meta["demo"] for c in charts)
    assert all("Exempeldata" in c.figure.layout.title.text for c in charts)


def test_presenter_sees_only_aggregates_resting_on_enough_cases_and_the_rule() -> None:
    charts = evidence_charts(sample_evidence(), presenter=True, threshold=2)
    assert all(c.aggregated for c in charts)
    keys = {c.key for c in charts}
    # 2 sites answered the factor and step 1, socialtjänst took part at 2 sites: kept with threshold 2
    assert {"framgangsfaktorer", "genomforandesteg", "sektorer"} <= keys
    assert "systematik_per_forum" not in keys and "systematik_per_storleksklass" not in keys
    sectors = next(c for c in charts if c.key == "sektorer")
    assert list(sectors.figure.data[0].x) == ["socialtjänst"]  # skola at one site is hidden
    assert "Antal under 2 visas inte" in sectors.figure.layout.meta["source"]
    assert evidence_charts(sample_evidence(), presenter=True, threshold=5) == []


def test_unknown_chart_keys_are_refused_with_the_known_ones() -> None:
    with pytest.raises(ValidationError, match="sektorer"):
        select_charts(evidence_charts(sample_evidence()), ["finns-inte"])


def test_pptx_pack_has_a_slide_per_chart_with_title_and_source(tmp_path: Path) -> None:
    charts = evidence_charts(sample_evidence())[:3]
    [deck] = write_chart_pack(charts, tmp_path, "pptx", title="TryggVäxt")
    prs = Presentation(str(deck))
    assert len(prs.slides) == 1 + 3 + 1  # cover, charts, small-count rule
    titles = [s.shapes.title.text for s in prs.slides]
    assert titles[1:4] == [c.title for c in charts]
    for slide in list(prs.slides)[1:4]:
        texts = [sh.text_frame.text for sh in slide.shapes if sh.has_text_frame]
        assert any(t.startswith("Källa: Arbetsverktyget") for t in texts)
        assert "Exempeldata" in texts
    assert "Antal under 5 visas inte" in " ".join(
        sh.text_frame.text for sh in prs.slides[-1].shapes if sh.has_text_frame
    )


def test_svg_pack_writes_files_and_a_zip_with_the_rule(tmp_path: Path) -> None:
    charts = evidence_charts(sample_evidence())[:2]
    written = write_chart_pack(charts, tmp_path, "svg", title="TryggVäxt", stem="tv")
    assert [p.name for p in written] == ["systematik_per_forum.svg", "forumklassning.svg", "tv_svg.zip"]
    svg = written[0].read_text(encoding="utf-8")
    assert "Exempeldata" in svg
    with zipfile.ZipFile(written[-1]) as zf:
        assert sorted(zf.namelist()) == [
            "forumklassning.svg",
            "systematik_per_forum.svg",
            "LÄSMIG.txt",
        ] or sorted(zf.namelist()) == sorted(["forumklassning.svg", "systematik_per_forum.svg", "LÄSMIG.txt"])
        assert "Antal under 5 visas inte" in zf.read("LÄSMIG.txt").decode("utf-8")


def test_chart_export_without_chromium_names_the_package(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import cooperation_model.export as export

    monkeypatch.delenv("BROWSER_PATH", raising=False)
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setattr(export, "TYPICAL_BROWSER_PATHS", ())
    with pytest.raises(WorkbenchError, match="apt-get install chromium"):
        write_chart_pack(evidence_charts(sample_evidence())[:1], tmp_path / "out", "png", title="x")


def test_systematicity_per_forum_becomes_a_distribution_when_bars_could_not_be_read() -> None:
    import dataclasses

    import pandas as pd

    from cooperation_model.charts import MAX_FORUM_BARS

    evidence = sample_evidence()
    one = evidence.forums.iloc[[0]]
    many = pd.concat([one] * (MAX_FORUM_BARS + 10), ignore_index=True)
    many = many.assign(forum_id=range(len(many)), score=[(i % 11) / 10 for i in range(len(many))])
    charts = evidence_charts(dataclasses.replace(evidence, forums=many))
    chart = next(c for c in charts if c.key == "systematik_per_forum")
    bars = chart.figure.data[0]
    assert list(bars.x) == ["0,0–0,1", "0,1–0,2", "0,2–0,3", "0,3–0,4", "0,4–0,5", "0,5–0,6", "0,6–0,7",
                            "0,7–0,8", "0,8–0,9", "0,9–1,0"]
    assert sum(bars.y) == len(many)  # every forum counted once; a score of 1.0 falls in the last band
    assert list(bars.y)[-1] == sum(1 for i in range(len(many)) if i % 11 in (9, 10))
    assert f"fördelning över {len(many)} forum" in chart.title
    # With few forums it stays one bar per forum.
    few = next(c for c in evidence_charts(evidence) if c.key == "systematik_per_forum")
    assert len(few.figure.data[0].y) == len(evidence.forums)
