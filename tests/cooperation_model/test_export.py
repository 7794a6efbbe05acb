"""Static export: real files from the system Chromium, one browser per batch, clear errors without one."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go
import pytest

import cooperation_model.export as export
from cooperation_model.export import (
    browser_session,
    export_chart_pack,
    export_figure,
    export_figures,
    figure_to_png_bytes,
    figures_to_images,
    find_chromium,
    safe_file_name,
    zip_chart_pack,
)
from cooperation_model.figures import bar_chart
from pilots.errors import ValidationError, WorkbenchError


def _has_browser() -> bool:
    try:
        find_chromium()
    except WorkbenchError:
        return False
    return True


needs_chromium = pytest.mark.skipif(
    not _has_browser(), reason="no Chromium for Kaleido: apt-get install chromium (Debian package)"
)


def chart(title: str = "Möten i Skellefteå") -> object:
    df = pd.DataFrame({"kommun": ["Skellefteå", "Umeå"], "antal": [12, 30]})
    return bar_chart(df, "kommun", "antal", title=title, source="Mötesloggen", demo=True)


def test_no_browser_is_a_clear_error_naming_the_debian_package(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("BROWSER_PATH", raising=False)
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setattr(export, "TYPICAL_BROWSER_PATHS", ())
    with pytest.raises(WorkbenchError) as exc:
        find_chromium()
    assert "apt-get install chromium" in str(exc.value)
    assert "Installera Debian-paketet chromium" in str(exc.value)
    assert "Install the Debian package" in str(exc.value)


def test_browser_path_pointing_at_nothing_is_an_error(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("BROWSER_PATH", str(tmp_path))  # a directory, not a browser
    with pytest.raises(WorkbenchError, match="BROWSER_PATH"):
        find_chromium()


def test_browser_path_wins_when_it_is_executable(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    fake = tmp_path / "my-chrome"
    fake.write_text("#!/bin/sh\n")
    fake.chmod(0o755)
    monkeypatch.setenv("BROWSER_PATH", str(fake))
    assert find_chromium() == str(fake)


def test_safe_file_names_keep_swedish_letters() -> None:
    assert safe_file_name("Mötesaktivitet per kvartal") == "Mötesaktivitet_per_kvartal"
    assert safe_file_name('Å/Ä\\Ö: a*b?"c"<d>|e') == "ÅÄÖ_abcde"
    assert safe_file_name("  ...  ") == "diagram"
    assert safe_file_name("CON") == "CON_"


def test_unsupported_format_is_refused_before_any_browser_starts(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    def no_browser(*_: object) -> None:
        raise AssertionError("browser started for a refused format")

    monkeypatch.setattr(export, "_Browser", no_browser)
    with pytest.raises(ValidationError, match="eps"):
        export_figure(chart(), tmp_path / "x.eps", format="eps")


@needs_chromium
def test_png_svg_pdf_files_are_real_and_keep_swedish_text(tmp_path: Path) -> None:
    fig = chart()
    with browser_session():  # one browser for the four exports below
        png = export_figure(fig, tmp_path / "diagram.png")
        svg = export_figure(fig, tmp_path / "diagram", format="svg")
        pdf = export_figure(fig, tmp_path / "diagram.pdf")
        png_bytes = figure_to_png_bytes(fig)
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert svg.name == "diagram.svg"
    text = svg.read_text(encoding="utf-8")
    assert "<svg" in text and "Skellefteå" in text and "Källa: Mötesloggen" in text
    assert pdf.read_bytes()[:4] == b"%PDF"
    assert png_bytes[:4] == b"\x89PNG"


@needs_chromium
def test_batch_uses_one_browser(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    starts: list[str] = []
    real_browser = export._Browser

    def spy(path: str, tabs: int) -> object:
        starts.append(path)
        return real_browser(path, tabs)

    monkeypatch.setattr(export, "_Browser", spy)
    paths = export_figures([(chart(f"Diagram {i}"), tmp_path / f"d{i}.png") for i in range(3)])
    assert starts == [find_chromium()]
    assert [p.read_bytes()[:4] for p in paths] == [b"\x89PNG"] * 3
    assert not export._server_running()  # the batch closes the browser it opened


def _png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")


def _sized(title: str, width: int, height: int) -> go.Figure:
    return go.Figure(
        go.Bar(x=["Skellefteå", "Örebro"], y=[3, 5]),
        layout={"title": title, "width": width, "height": height},
    )


@needs_chromium
def test_batch_keeps_order_and_each_image_is_its_own_figure() -> None:
    sizes = [(400, 300), (640, 360), (500, 500), (720, 400), (300, 600)]
    figs = [_sized(f"Diagram {i} åäö", w, h) for i, (w, h) in enumerate(sizes)]
    pngs = figures_to_images(figs, "png", scale=1)
    assert [_png_size(p) for p in pngs] == sizes
    svgs = [s.decode("utf-8") for s in figures_to_images(figs, "svg")]
    for i, svg in enumerate(svgs):
        assert f"Diagram {i} åäö" in svg
        assert all(f"Diagram {j} åäö" not in svg for j in range(len(figs)) if j != i)


@needs_chromium
def test_an_image_does_not_depend_on_what_the_browser_drew_before() -> None:
    fig = chart("Möten i Örebro")
    alone = figure_to_png_bytes(fig)
    with browser_session():
        figures_to_images([chart("Först"), _sized("Annan storlek", 300, 200)], "pdf")
        after_others = figures_to_images([_sized("Liten", 300, 200), fig, fig], "png")
    assert after_others[1] == alone and after_others[2] == alone


@needs_chromium
def test_exports_from_two_threads_at_once_each_get_their_own_image() -> None:
    from concurrent.futures import ThreadPoolExecutor

    figs = [_sized("Tråd 1", 310, 200), _sized("Tråd 2", 320, 210)]
    with ThreadPoolExecutor(2) as pool:
        pngs = list(pool.map(lambda f: figures_to_images([f], "png", scale=1)[0], figs))
    assert [_png_size(p) for p in pngs] == [(310, 200), (320, 210)]
    assert not export._server_running()


class _Unrenderable(go.Figure):
    """A figure whose data plotly.js refuses (not a list of traces)."""

    def to_dict(self) -> dict:
        return {**super().to_dict(), "data": "inga spår"}


@needs_chromium
def test_a_failing_chart_is_named_and_the_browser_keeps_working(tmp_path: Path) -> None:
    broken = _Unrenderable(go.Bar(y=[1]), layout={"title": "Trasigt diagram åäö"})
    with browser_session():
        with pytest.raises(WorkbenchError, match="Trasigt diagram åäö") as exc:
            export_figures([(chart("Först"), tmp_path / "a.png"), (broken, tmp_path / "b.png")])
        assert "export failed" in str(exc.value)
        assert not (tmp_path / "b.png").exists()
        assert export_figure(chart("Sedan"), tmp_path / "c.png").read_bytes()[:4] == b"\x89PNG"


@needs_chromium
def test_chart_pack_and_zip(tmp_path: Path) -> None:
    figs = [("Mötesaktivitet per kvartal", chart()), ("Mötesaktivitet per kvartal", chart("Andra"))]
    paths = export_chart_pack(figs, tmp_path / "paket", ["png", "svg"])
    assert [p.name for p in paths] == [
        "Mötesaktivitet_per_kvartal.png",
        "Mötesaktivitet_per_kvartal.svg",
        "Mötesaktivitet_per_kvartal_2.png",
        "Mötesaktivitet_per_kvartal_2.svg",
    ]
    assert all(p.exists() for p in paths)
    archive = zip_chart_pack(paths, tmp_path / "bilder.zip", readme="Antal under 5 visas inte.")
    with zipfile.ZipFile(archive) as zf:
        assert sorted(zf.namelist()) == sorted([p.name for p in paths] + ["LÄSMIG.txt"])
        assert zf.read("Mötesaktivitet_per_kvartal.png")[:4] == b"\x89PNG"
        assert zf.read("LÄSMIG.txt").decode("utf-8").startswith("Antal under 5")


@needs_chromium
def test_map_exports_without_fetching_a_base_map(tmp_path: Path) -> None:
    import plotly.io as pio

    from cooperation_model.figures import choropleth_map

    square = {"type": "Polygon", "coordinates": [[[20, 64], [21, 64], [21, 65], [20, 65], [20, 64]]]}
    geojson = {
        "type": "FeatureCollection",
        "features": [{"type": "Feature", "properties": {"code": "2482"}, "geometry": square}],
    }
    df = pd.DataFrame({"kod": ["2482"], "namn": ["Skellefteå"], "v": [3]})
    fig = choropleth_map(df, geojson, "kod", "v", name_col="namn", title="Karta", source="SCB")
    svg = export_figure(fig, tmp_path / "karta.svg").read_text(encoding="utf-8")
    assert "<svg" in svg and "Källa: SCB" in svg
    assert pio.defaults.topojson is None  # the offline base map is not left behind in plotly's defaults


def test_zip_of_missing_file_names_it(tmp_path: Path) -> None:
    with pytest.raises(WorkbenchError, match="saknas.png"):
        zip_chart_pack([tmp_path / "saknas.png"], tmp_path / "x.zip")
