"""Benchmark smoke test: generate --scale small, load, run; every figure is printed (no timing asserted)."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    done = subprocess.run([sys.executable, *args], cwd=ROOT, capture_output=True, text=True, timeout=1200)
    assert done.returncode == 0, done.stderr[-4000:]
    return done


def test_small_dataset_uses_the_importers_columns_and_is_reproducible(tmp_path: Path) -> None:
    from pilots.meetings_import import MEETINGS_IMPORTER
    from pilots.sites_import import SITES_IMPORTER

    _run("benchmarks/generate.py", "--scale", "small", "--seed", "7", "--out", str(tmp_path / "a"))
    _run("benchmarks/generate.py", "--scale", "small", "--seed", "7", "--out", str(tmp_path / "b"))
    manifest = json.loads((tmp_path / "a" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["counts"]["sites"] == 4
    for name in manifest["files"]:
        if name.endswith(".xlsx"):  # the zip container carries a timestamp: compare the cells
            import pandas as pd

            pd.testing.assert_frame_equal(
                pd.read_excel(tmp_path / "a" / name), pd.read_excel(tmp_path / "b" / name)
            )
        else:
            assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name
    meeting_file = next((tmp_path / "a").glob("meetings-*.csv"))
    with meeting_file.open(encoding="utf-8") as fh:
        header = next(csv.reader(fh))
    assert header == [c.name for c in MEETINGS_IMPORTER.spec.columns]
    with (tmp_path / "a" / "sites.csv").open(encoding="utf-8") as fh:
        assert next(csv.reader(fh)) == [c.name for c in SITES_IMPORTER.spec.columns]


@pytest.mark.slow
def test_generate_load_and_run_small_print_every_figure(tmp_path: Path) -> None:
    from run import FIGURE_NAMES

    data = tmp_path / "small"
    url = f"sqlite:///{tmp_path / 'small.db'}"
    _run("benchmarks/generate.py", "--scale", "small", "--out", str(data))
    _run("benchmarks/generate.py", "load", str(data), "--database", url)
    out = tmp_path / "result.json"
    done = _run(
        "benchmarks/run.py",
        "--dataset",
        str(data),
        "--database",
        url,
        "--work",
        str(tmp_path / "work"),
        "--json",
        str(out),
    )
    for name in FIGURE_NAMES:
        assert name in done.stdout, name
    result = json.loads(out.read_text(encoding="utf-8"))
    sqlite = result["backends"]["sqlite"]
    assert sqlite["figures"]["meetings"] == result["counts"]["meetings"]
    assert all(p["exception"] == [] for p in sqlite["figures"]["pages_national"])
    assert {t["status"] for t in sqlite["targets"]} <= {"PASS", "FAIL", "N/A"}
