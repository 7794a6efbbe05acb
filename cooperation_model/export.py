"""Static chart export (PNG, SVG, PDF) through Kaleido and the system Chromium, one browser per batch."""

from __future__ import annotations

import json
import os
import re
import shutil
import threading
import unicodedata
import urllib.parse
import warnings
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

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


# Kaleido's sync server is a process-wide singleton whose call queue is not safe for concurrent
# callers, so every export holds this lock; the depth counter lets sessions nest.
_lock = threading.RLock()
_depth = 0


def _server_running() -> bool:
    server = getattr(kaleido, "_global_server", None)
    return bool(server is not None and server.is_running())


@contextmanager
def browser_session() -> Iterator[None]:
    """Keep one headless browser open for every export inside the ``with`` block.

    Starts Kaleido's sync server unless one is already running (then it is reused and left
    running). Starting a browser costs about two seconds; each image afterwards a fraction.
    """
    global _depth
    with _lock:
        started = False
        if _depth == 0 and not _server_running():
            kaleido.start_sync_server(path=find_chromium(), mathjax=False, silence_warnings=True)
            started = True
        _depth += 1
        try:
            yield
        finally:
            _depth -= 1
            if started:
                kaleido.stop_sync_server(silence_warnings=True)


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


def _render(fig: go.Figure, fmt: str, scale: float, width: int | None, height: int | None) -> bytes:
    width = width or fig.layout.width or DEFAULT_WIDTH
    height = height or fig.layout.height or DEFAULT_HEIGHT
    saved_topojson = pio.defaults.topojson
    if not saved_topojson:
        pio.defaults.topojson = OFFLINE_TOPOJSON_URL
    with warnings.catch_warnings():
        # plotly always passes kaleido options, which the server ignores (it was started with ours).
        warnings.filterwarnings("ignore", message="The kopts argument is ignored")
        try:
            return pio.to_image(fig, format=fmt, scale=scale, width=width, height=height)
        except (WorkbenchError, ValidationError):
            raise
        except Exception as exc:  # noqa: BLE001 - browser failures become a user-facing error
            title = fig.layout.title.text or ""
            raise WorkbenchError(
                f"Kunde inte exportera diagrammet {title!r} som {fmt} (export failed): {exc}"
            ) from exc
        finally:
            pio.defaults.topojson = saved_topojson


def figures_to_images(
    figs: Sequence[go.Figure],
    format: str = "png",
    *,
    scale: float = 2,
    width: int | None = None,
    height: int | None = None,
) -> list[bytes]:
    """Render several figures to image bytes with one browser."""
    fmt = _check_format(format)
    with browser_session():
        return [_render(fig, fmt, scale, width, height) for fig in figs]


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
    written: list[Path] = []
    with browser_session():
        for fig, path, fmt in jobs:
            data = _render(fig, fmt, scale, width, height)
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
