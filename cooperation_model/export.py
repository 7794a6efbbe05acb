"""Static chart export (PNG, SVG, PDF) through Kaleido and the system Chromium, one browser per batch."""

from __future__ import annotations

import asyncio
import json
import os
import re
import shutil
import threading
import unicodedata
import urllib.parse
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

import kaleido
import plotly.graph_objects as go
import plotly.io as pio

from pilots.errors import Problem, ValidationError, WorkbenchError

FORMATS = ("png", "svg", "pdf")
DEFAULT_WIDTH = 1100
DEFAULT_HEIGHT = 620
BROWSER_NAMES = ("chromium", "chromium-browser", "google-chrome-stable", "google-chrome", "chrome")
TYPICAL_BROWSER_PATHS: tuple[str, ...] = (
    "/usr/bin/chromium",
    "/usr/bin/chromium-browser",
    "/usr/bin/google-chrome-stable",
    "/usr/bin/google-chrome",
    "/snap/bin/chromium",
)
_NO_BROWSER = (
    "Ingen Chromium hittades för bildexport. Installera Debian-paketet chromium: "
    "apt-get install chromium (eller peka miljövariabeln BROWSER_PATH på en Chrome/Chromium). "
    "No Chromium found for image export. Install the Debian package chromium: apt-get install chromium "
    "(or point the environment variable BROWSER_PATH at a Chrome/Chromium executable)."
)


def _is_executable(path: str) -> bool:
    return os.path.isfile(path) and os.access(path, os.X_OK)


def find_chromium() -> str:
    """Path of the browser Kaleido will drive: ``$BROWSER_PATH``, then ``PATH``, then usual places.

    Raises ``WorkbenchError`` naming the Debian package when none is found. A ``BROWSER_PATH``
    that does not point at an executable is an error, not silently skipped.
    """
    configured = os.environ.get("BROWSER_PATH", "").strip()
    if configured:
        if _is_executable(configured):
            return configured
        raise WorkbenchError(
            f"BROWSER_PATH={configured!r} är ingen körbar fil (is not an executable file). " + _NO_BROWSER
        )
    for name in BROWSER_NAMES:
        found = shutil.which(name)
        if found:
            return found
    for candidate in TYPICAL_BROWSER_PATHS:
        if _is_executable(candidate):
            return candidate
    raise WorkbenchError(_NO_BROWSER)


class _Renderer(kaleido.Kaleido):
    """Kaleido whose tabs keep their page, and plotly.js in it, from one image to the next.

    Kaleido reloads a tab after every image, which parses and runs the 4.8 MB plotly.js again:
    about 0.2 s of CPU per image, four times the image itself. plotly.js's ``toImage`` draws
    each figure in a fresh hidden element and purges it, so the page keeps no figure between
    images; after a failed image every tab is still reloaded (``_Browser._render``).
    """

    async def _return_kaleido_tab(self, tab: Any, *args: Any, **kwargs: Any) -> None:
        ready = getattr(self, "tabs_ready", None)
        if ready is None:  # a Kaleido whose tab queue we do not know: keep its own behaviour
            await super()._return_kaleido_tab(tab, *args, **kwargs)
        else:
            await ready.put(tab)


class _Browser:
    """One headless Chromium with ``tabs`` Kaleido tabs, driven from its own event-loop thread."""

    def __init__(self, path: str, tabs: int) -> None:
        self._ready = threading.Event()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._kaleido: _Renderer | None = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(
            target=asyncio.run, args=(self._serve(path, tabs),), name="chart-export-browser", daemon=True
        )
        self._thread.start()
        self._ready.wait()
        if self._kaleido is None:
            self._thread.join()
            raise WorkbenchError(
                f"Webbläsaren för bildexport startade inte (the browser for image export did not start): "
                f"{self._error}"
            ) from self._error

    async def _serve(self, path: str, tabs: int) -> None:
        try:
            async with _Renderer(path=path, n=tabs, mathjax=False) as k:
                self._loop, self._stop, self._kaleido = asyncio.get_running_loop(), asyncio.Event(), k
                self._ready.set()
                await self._stop.wait()
        except Exception as exc:  # noqa: BLE001 - reported by __init__ (start) or ignored (close)
            self._error = exc
        finally:
            self._ready.set()

    def render(self, specs: Sequence[dict[str, Any]]) -> list[bytes | BaseException]:
        """Each spec's image bytes, or the exception that spec raised, in the order given."""
        assert self._loop is not None
        return asyncio.run_coroutine_threadsafe(self._render(specs), self._loop).result()

    async def _render(self, specs: Sequence[dict[str, Any]]) -> list[bytes | BaseException]:
        k = self._kaleido
        assert k is not None
        results: list[bytes | BaseException] = await asyncio.gather(
            *(k.calc_fig(s["fig"], opts=s["opts"], topojson=s["topojson"]) for s in specs),
            return_exceptions=True,
        )
        if any(isinstance(r, BaseException) for r in results):
            await self._reload_tabs()  # a failed or timed-out image may have left the page unclean
        return results

    async def _reload_tabs(self) -> None:
        assert self._kaleido is not None
        ready = self._kaleido.tabs_ready
        tabs = [ready.get_nowait() for _ in range(ready.qsize())]
        for tab in tabs:
            with suppress(Exception):  # a tab that cannot reload fails its next image, with a message
                await tab.reload()
            ready.put_nowait(tab)

    def close(self) -> None:
        if self._loop is not None and self._stop is not None:
            self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join()


# Tabs rendering at the same time. Without the reload an image costs about 0.07 s; a second tab
# saved about 0.02 s an image but took 1.8 s longer to start (measured on two shared CPUs), so
# it pays only beyond about a hundred images in one batch.
TABS = 1


def _start_browser() -> _Browser:
    return _Browser(find_chromium(), TABS)


# One browser per process at a time, used by one caller at a time: every export holds this lock
# (re-entrant, so sessions nest; the outermost one starts and closes the browser).
_lock = threading.RLock()
_browser: _Browser | None = None


def _server_running() -> bool:
    return _browser is not None


@contextmanager
def _session() -> Iterator[_Browser]:
    global _browser
    with _lock:
        if _browser is not None:
            yield _browser
            return
        browser = _browser = _start_browser()
        try:
            yield browser
        finally:
            _browser = None
            browser.close()


@contextmanager
def browser_session() -> Iterator[None]:
    """Keep one headless browser open for every export inside the ``with`` block.

    Starting a browser costs about two seconds; each image afterwards a fraction. Sessions nest:
    the outermost one starts the browser and closes it at its end.
    """
    with _session():
        yield


def _check_format(fmt: str) -> str:
    fmt = fmt.lower().lstrip(".")
    if fmt not in FORMATS:
        raise ValidationError(
            Problem("format", f"{fmt!r} stöds inte; välj en av {', '.join(FORMATS)} (unsupported format)")
        )
    return fmt


# plotly.js fetches a world base map (topojson) from cdn.plot.ly for every geo chart, even when
# the chart brings its own GeoJSON and hides the base map; offline that fails. Our maps draw
# only their own GeoJSON, so an empty topology is served instead. plotly.js appends
# "world_110m.json" to this prefix, which the trailing "#" turns into an ignored fragment.
_EMPTY_TOPOLOGY = {
    "type": "Topology",
    "objects": {
        name: {"type": "GeometryCollection", "geometries": []}
        for name in ("coastlines", "land", "ocean", "lakes", "rivers", "countries", "subunits")
    },
    "arcs": [],
    "bbox": [-180, -90, 180, 90],
}
OFFLINE_TOPOJSON_URL = "data:application/json," + urllib.parse.quote(json.dumps(_EMPTY_TOPOLOGY)) + "#"


def _failure(fig: go.Figure, fmt: str, exc: BaseException) -> WorkbenchError:
    title = fig.layout.title.text or ""
    return WorkbenchError(f"Kunde inte exportera diagrammet {title!r} som {fmt} (export failed): {exc}")


def _render_all(
    jobs: Sequence[tuple[go.Figure, str]], scale: float, width: int | None, height: int | None
) -> list[bytes]:
    """Image bytes of every (figure, format), in the order given, from one browser.

    Geo charts get the base map per figure (``topojson``), so plotly's global defaults stay as they are.
    """
    if not jobs:
        return []
    topojson = pio.defaults.topojson or OFFLINE_TOPOJSON_URL
    specs = [
        {
            "fig": fig.to_dict(),
            "opts": {
                "format": fmt,
                "scale": scale,
                "width": width or fig.layout.width or DEFAULT_WIDTH,
                "height": height or fig.layout.height or DEFAULT_HEIGHT,
            },
            "topojson": topojson,
        }
        for fig, fmt in jobs
    ]
    with _session() as browser:
        try:
            results = browser.render(specs)
        except Exception as exc:  # noqa: BLE001 - browser failures become a user-facing error
            raise _failure(*jobs[0], exc) from exc
    images: list[bytes] = []
    for (fig, fmt), result in zip(jobs, results, strict=True):
        if isinstance(result, BaseException):
            raise _failure(fig, fmt, result) from result
        images.append(result)
    return images


def figures_to_images(
    figs: Sequence[go.Figure],
    format: str = "png",
    *,
    scale: float = 2,
    width: int | None = None,
    height: int | None = None,
) -> list[bytes]:
    """Render several figures to image bytes with one browser, in the order given."""
    fmt = _check_format(format)
    return _render_all([(fig, fmt) for fig in figs], scale, width, height)


def figure_to_png_bytes(
    fig: go.Figure, *, scale: float = 2, width: int | None = None, height: int | None = None
) -> bytes:
    """PNG bytes of one figure, for embedding in DOCX/PDF/PPTX reports."""
    return figures_to_images([fig], "png", scale=scale, width=width, height=height)[0]


def _target(path: str | Path, format: str | None) -> tuple[Path, str]:
    p = Path(path)
    if format is None:
        suffix = p.suffix.lower().lstrip(".")
        fmt = suffix if suffix in FORMATS else "png"
    else:
        fmt = _check_format(format)
    if p.suffix.lower() != f".{fmt}":
        p = (
            p.with_name(p.name + f".{fmt}")
            if not p.suffix or p.suffix.lower().lstrip(".") not in FORMATS
            else p.with_suffix(f".{fmt}")
        )
    return p, fmt


def export_figures(
    figs_with_paths: Iterable[tuple[go.Figure, str | Path]],
    *,
    format: str | None = None,
    scale: float = 2,
    width: int | None = None,
    height: int | None = None,
) -> list[Path]:
    """Write each figure to its path with ONE browser for the whole batch; returns the paths written.

    The format comes from ``format`` or else each path's suffix (PNG when there is none).
    """
    jobs = [(fig, *_target(path, format)) for fig, path in figs_with_paths]
    images = _render_all([(fig, fmt) for fig, _, fmt in jobs], scale, width, height)
    written: list[Path] = []
    for (_, path, _), data in zip(jobs, images, strict=True):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        written.append(path)
    return written


def export_figure(
    fig: go.Figure,
    path: str | Path,
    format: str | None = None,
    scale: float = 2,
    *,
    width: int | None = None,
    height: int | None = None,
) -> Path:
    """Write one figure as PNG, SVG or PDF; returns the path written (suffix added if missing)."""
    return export_figures([(fig, path)], format=format, scale=scale, width=width, height=height)[0]


_FORBIDDEN = re.compile(r'[/\\:*?"<>|\x00-\x1f\x7f]')
_WINDOWS_RESERVED = {
    "con",
    "prn",
    "aux",
    "nul",
    *(f"com{i}" for i in range(1, 10)),
    *(f"lpt{i}" for i in range(1, 10)),
}


def safe_file_name(name: str, fallback: str = "diagram") -> str:
    """A file name that works on Windows, macOS and Linux, keeping å ä ö and other letters.

    Only ``/ \\ : * ? " < > |`` and control characters are removed; spaces become ``_``.
    """
    text = unicodedata.normalize("NFC", name)
    text = _FORBIDDEN.sub("", text)
    text = re.sub(r"\s+", "_", text).strip("._ ")
    text = text[:120].rstrip("._ ")
    if not text:
        text = fallback
    if text.lower() in _WINDOWS_RESERVED:
        text += "_"
    return text


def export_chart_pack(
    figs: Sequence[tuple[str, go.Figure]],
    out_dir: str | Path,
    formats: Sequence[str] = ("png",),
    *,
    scale: float = 2,
    width: int | None = None,
    height: int | None = None,
) -> list[Path]:
    """Write every (name, figure) in every format to ``out_dir``; names become safe, unique file names."""
    fmts = [_check_format(f) for f in formats]
    out = Path(out_dir)
    seen: set[str] = set()
    jobs: list[tuple[go.Figure, Path]] = []
    for name, fig in figs:
        stem = safe_file_name(name)
        unique, k = stem, 2
        while unique.lower() in seen:
            unique, k = f"{stem}_{k}", k + 1
        seen.add(unique.lower())
        jobs += [(fig, out / f"{unique}.{fmt}") for fmt in fmts]
    return export_figures(jobs, scale=scale, width=width, height=height)


def zip_chart_pack(paths: Iterable[str | Path], zip_path: str | Path, *, readme: str | None = None) -> Path:
    """Put exported images (and an optional LÄSMIG.txt, e.g. the small-count rule) into one ZIP."""
    target = Path(zip_path)
    target.parent.mkdir(parents=True, exist_ok=True)
    names: set[str] = set()
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for p in map(Path, paths):
            if not p.is_file():
                raise WorkbenchError(
                    f"{p}: filen finns inte och kan inte läggas i ZIP-filen (file not found)"
                )
            arcname, k = p.name, 2
            while arcname in names:
                arcname, k = f"{p.stem}_{k}{p.suffix}", k + 1
            names.add(arcname)
            zf.write(p, arcname)
        if readme:
            zf.writestr("LÄSMIG.txt", readme if readme.endswith("\n") else readme + "\n")
    return target
