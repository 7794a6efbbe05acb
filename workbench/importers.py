"""Which kinds can be imported and exported (`workbench template/import/export KIND`), and where they live."""

from __future__ import annotations

import importlib

from pilots.errors import WorkbenchError
from pilots.importing import Importer

# kind -> "module:attribute" of an Importer; modules are imported only when used.
IMPORTERS: dict[str, str] = {
    "sites": "pilots.sites_import:SITES_IMPORTER",
    "milestones": "pilots.plans:MILESTONES_IMPORTER",
    "log": "pilots.log:LOG_IMPORTER",
    "indicators": "pilots.indicators:INDICATORS_IMPORTER",
    "meetings": "pilots.meetings_import:MEETINGS_IMPORTER",
    "survey": "pilots.survey_store:SURVEY_IMPORTER",
}


def importer_for(kind: str) -> Importer:
    """The importer of ``kind``, or a clear error listing the kinds there are."""
    target = IMPORTERS.get(kind)
    if target is None:
        raise WorkbenchError(f"Okänd typ {kind!r}. Välj en av: {', '.join(IMPORTERS)}.")
    module_name, attr = target.split(":")
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        raise WorkbenchError(f"Import av {kind!r} är inte tillgänglig i den här versionen.") from exc
    return getattr(module, attr)  # type: ignore[no-any-return]


def available_kinds() -> list[str]:
    out = []
    for kind, target in IMPORTERS.items():
        try:
            importlib.import_module(target.split(":")[0])
        except ModuleNotFoundError:
            continue
        out.append(kind)
    return out


def instrument_tags(lang: str = "sv") -> dict[str, str] | None:
    """Tag → label from the built-in instrument definitions (None when they cannot be read)."""
    from pilots.log import tags_from_instruments

    try:
        from instruments.schema import load_builtin_definitions

        return tags_from_instruments(load_builtin_definitions(), lang)
    except (ImportError, WorkbenchError):
        return None


def face_importer(kind: str) -> Importer:
    """The importer of ``kind`` as the faces use it: the log checks tags against the instruments."""
    if kind == "log":
        from pilots.log import log_importer

        tags = instrument_tags()
        return log_importer(set(tags) if tags is not None else None)
    return importer_for(kind)
