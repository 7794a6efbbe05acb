"""A small hand-built evidence set shared by the model, report and chart tests."""

from __future__ import annotations

from datetime import date

import pandas as pd

from cooperation_model.model import ModelEvidence


def sample_evidence(*, demo: bool = True) -> ModelEvidence:
    """Two sites: Skellefteå (50k-200k) with two forums, Bjurholm (lt15k) with one."""
    sites = pd.DataFrame(
        [
            {
                "site_id": 1,
                "municipality_code": "2482",
                "municipality_name": "Skellefteå",
                "size_class": "50k-200k",
                "landsdel": "Norrland",
                "population": 80000,
            },
            {
                "site_id": 2,
                "municipality_code": "2403",
                "municipality_name": "Bjurholm",
                "size_class": "lt15k",
                "landsdel": "Norrland",
                "population": 2400,
            },
        ]
    )
    forums = pd.DataFrame(
        [
            {
                "site_id": 1,
                "forum_id": 10,
                "name": "Styrgrupp",
                "level": "strategisk",
                "cadence": "kvartalsvis",
                "n_meetings": 4,
                "score": 0.9,
                "classification": "systematisk",
                "regularity": 1.0,
                "share_convener": 1.0,
                "share_documenter": 1.0,
                "share_decisions": 1.0,
                "share_followed_up": 0.5,
                "convener": "Socialchef",
                "documenter": "Sekreterare",
                "follow_up": None,
            },
            {
                "site_id": 1,
                "forum_id": 11,
                "name": "Operativ grupp",
                "level": "operativ",
                "cadence": "manadsvis",
                "n_meetings": 10,
                "score": 0.5,
                "classification": "delvis systematisk",
                "regularity": 0.6,
                "share_convener": 0.8,
                "share_documenter": 0.5,
                "share_decisions": 0.5,
                "share_followed_up": 1.0,
                "convener": "Samordnare",
                "documenter": None,
                "follow_up": None,
            },
            {
                "site_id": 2,
                "forum_id": 20,
                "name": "Samverkansgrupp",
                "level": "operativ",
                "cadence": "manadsvis",
                "n_meetings": 6,
                "score": 0.3,
                "classification": "inte systematisk",
                "regularity": 0.2,
                "share_convener": 0.5,
                "share_documenter": 0.0,
                "share_decisions": 0.0,
                "share_followed_up": None,
                "convener": None,
                "documenter": None,
                "follow_up": None,
            },
        ]
    )
    actors = pd.DataFrame(
        [
            {"site_id": 1, "actor_id": 1, "sector": "socialtjänst", "level": "strategisk"},
            {"site_id": 1, "actor_id": 2, "sector": "skola", "level": "operativ"},
            {"site_id": 2, "actor_id": 3, "sector": "socialtjänst", "level": "operativ"},
        ]
    )
    factors = pd.DataFrame(
        [
            {
                "site_id": 1,
                "instrument_id": "samverkan-systematik",
                "instrument_version": "0.1.0",
                "instrument_status": "provisional",
                "factor_id": "motesstruktur",
                "label_sv": "Mötesstruktur och ansvar",
                "label_en": "Meeting structure and responsibility",
                "share": 0.75,
            },
            {
                "site_id": 2,
                "instrument_id": "samverkan-systematik",
                "instrument_version": "0.1.0",
                "instrument_status": "provisional",
                "factor_id": "motesstruktur",
                "label_sv": "Mötesstruktur och ansvar",
                "label_en": "Meeting structure and responsibility",
                "share": 0.25,
            },
        ]
    )
    catalogue = pd.DataFrame(
        [
            {
                "instrument_id": "mfof-sju-steg",
                "item_id": f"steg{i}-x",
                "label_sv": f"Steg {i}",
                "label_en": f"Step {i}",
                "label_status": "verified" if i <= 2 else "provisional",
            }
            for i in range(1, 8)
        ]
    )
    steps = pd.DataFrame(
        [
            {
                "site_id": 1,
                "instrument_id": "mfof-sju-steg",
                "item_id": "steg1-x",
                "label_sv": "Steg 1",
                "label_en": "Step 1",
                "share": 1.0,
            },
            {
                "site_id": 2,
                "instrument_id": "mfof-sju-steg",
                "item_id": "steg1-x",
                "label_sv": "Steg 1",
                "label_en": "Step 1",
                "share": 0.5,
            },
        ]
    )
    log = pd.DataFrame(
        [
            {
                "site_id": 1,
                "entry_id": 5,
                "entry_date": date(2025, 3, 1),
                "kind": "observation",
                "text": "Styrgruppen fattade beslut om gemensam rutin.",
                "tags": "motesstruktur, beslut",
            },
            {
                "site_id": 2,
                "entry_id": 6,
                "entry_date": date(2025, 2, 1),
                "kind": "interview",
                "text": "Samordnaren saknar mandat.",
                "tags": "samverkan-systematik:c01-x",
            },
        ]
    )
    instruments = pd.DataFrame(
        [
            {
                "instrument_id": "samverkan-systematik",
                "version": "0.1.0",
                "status": "provisional",
                "title_sv": "Systematisk samverkan",
                "title_en": "Systematic cooperation",
                "n_rounds": 2,
            }
        ]
    )
    return ModelEvidence(
        pilot_slug="tv",
        pilot_name="TryggVäxt",
        is_demo=demo,
        sites=sites,
        forums=forums,
        actors=actors,
        factors=factors,
        steps=steps,
        step_catalogue=catalogue,
        log=log,
        instruments=instruments,
    )
