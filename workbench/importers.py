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
