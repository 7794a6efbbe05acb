"""UI strings: one catalogue per language (Swedish default, English), split into one YAML file per page."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import yaml

LANGUAGES = ("sv", "en")
DEFAULT_LANGUAGE = "sv"
_DIR = Path(__file__).parent


@lru_cache(maxsize=4)
def catalogue(lang: str) -> dict[str, str]:
    """All keys of one language, flattened as 'file.key'."""
    out: dict[str, str] = {}
    for path in sorted((_DIR / lang).glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for key, value in data.items():
            out[f"{path.stem}.{key}"] = str(value)
    return out


def translate(key: str, lang: str = DEFAULT_LANGUAGE, **values: object) -> str:
    """The string for ``key`` in ``lang`` (falls back to Swedish, then to the key itself)."""
    text = catalogue(lang).get(key) or catalogue(DEFAULT_LANGUAGE).get(key) or key
    return text.format(**values) if values else text
