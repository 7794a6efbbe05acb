"""Shared fixture for instrument tests: the text of a small valid definition."""

from __future__ import annotations

from pathlib import Path

import pytest

SMALL_PATH = Path(__file__).parent / "data" / "small.yaml"


@pytest.fixture
def small_text() -> str:
    return SMALL_PATH.read_text(encoding="utf-8")
