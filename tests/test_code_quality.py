"""House rules that tools can check: no undefined names or likely bugs (ruff F/B), types of the domain packages
(mypy), imports only downwards between the rooms, and no Streamlit below workbench/."""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
ROOMS = ["pilots", "instruments", "cooperation_model", "workbench"]  # lowest first


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
    return found


def test_imports_go_down_only_and_streamlit_stays_in_workbench() -> None:
    problems = []
    for level, room in enumerate(ROOMS):
        higher = set(ROOMS[level + 1:])
        for path in (ROOT / room).rglob("*.py"):
            used = _imports(path)
            if used & higher:
                problems.append(f"{path.relative_to(ROOT)} imports {sorted(used & higher)}")
            if room != "workbench" and "streamlit" in used:
                problems.append(f"{path.relative_to(ROOT)} imports streamlit")
    assert problems == []


def test_ruff_finds_no_undefined_names_or_likely_bugs() -> None:
    ruff = shutil.which("ruff") or str(Path(sys.executable).parent / "ruff")
    if not Path(ruff).exists():
        pytest.skip("ruff is not installed (pip install -e '.[dev]')")
    result = subprocess.run([ruff, "check", "--select", "F,B,E9", *ROOMS, "tests", "benchmarks"], cwd=ROOT,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout


def test_domain_packages_type_check() -> None:
    result = subprocess.run([sys.executable, "-m", "mypy", "pilots", "instruments", "cooperation_model"], cwd=ROOT,
                            capture_output=True, text=True)
    if "No module named mypy" in result.stderr:
        pytest.skip("mypy is not installed (pip install -e '.[dev]')")
    assert result.returncode == 0, result.stdout
