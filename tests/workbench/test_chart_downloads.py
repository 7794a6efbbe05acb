"""Every chart in the app offers PNG, SVG and PDF downloads."""

from __future__ import annotations

from pathlib import Path

PAGES_DIR = Path(__file__).resolve().parents[2] / "workbench" / "pages"


def test_pages_draw_charts_only_through_the_shared_widget_with_downloads() -> None:
    offenders = [p.name for p in PAGES_DIR.glob("*.py")
                 if "st.plotly_chart(" in p.read_text(encoding="utf-8") and p.stem != "charts"]
    assert offenders == []


def test_chart_widget_offers_png_svg_and_pdf(app_as) -> None:
    at = app_as("forskare")
    at.switch_page("pages/timeline.py").run()
    assert not at.exception
    labels = {b.proto.label for b in at.get("download_button") if b.key and b.key.startswith("timeline_chart_")}
    assert labels == {"Ladda ner PNG", "Ladda ner SVG", "Ladda ner PDF"}


def test_chart_image_bytes_are_real_images_with_swedish_text() -> None:
    import shutil

    import pytest

    from cooperation_model.figures import bar_chart
    from workbench.widgets import chart_image_bytes

    if not shutil.which("chromium"):
        pytest.skip("Debian chromium is not installed (scripts/setup installs it)")
    import pandas as pd

    fig = bar_chart(pd.DataFrame({"kommun": ["Skellefteå", "Örebro"], "möten": [12, 7]}), "kommun", "möten",
                    title="Möten per kommun", source="Exempeldata", demo=True)
    png, svg, pdf = (chart_image_bytes(fig, f) for f in ("png", "svg", "pdf"))
    assert png.startswith(b"\x89PNG") and pdf.startswith(b"%PDF")
    assert "Skellefteå" in svg.decode("utf-8")


def test_chart_download_without_chromium_names_the_package(monkeypatch, tmp_path) -> None:
    from cooperation_model.figures import bar_chart
    from workbench.widgets import chart_image_bytes
    import pandas as pd

    monkeypatch.setenv("BROWSER_PATH", str(tmp_path / "no-such-browser"))
    fig = bar_chart(pd.DataFrame({"a": ["x"], "b": [1]}), "a", "b", title="t", source="s", demo=False)
    assert "chromium" in chart_image_bytes(fig, "png").decode("utf-8")
