"""The transferable model: synthesised from hand-built evidence, deterministic, written as JSON with a fingerprint."""

from __future__ import annotations

import json

import pytest

from cooperation_model.model import (
    SCHEMA_VERSION,
    ModelEvidence,
    evidence_fingerprint,
    model_fingerprint,
    model_to_json,
    read_model_json,
    synthesise_model,
)
from pilots.errors import ValidationError
from tests.cooperation_model.model_evidence import sample_evidence


def test_routines_and_roles_are_means_over_forums_that_met() -> None:
    model = synthesise_model(sample_evidence())
    # decisions: (1.0 + 0.5 + 0.0) / 3 = 0.5; follow-up: defined for two forums (0.5 + 1.0) / 2 = 0.75
    assert model.routines["share_decisions"] == pytest.approx(0.5)
    assert model.routines["share_followed_up"] == pytest.approx(0.75)
    assert model.routines["n_meetings"] == 20
    assert model.routines["median_score"] == pytest.approx(0.5)
    # convener named on 2 of 3 forums, documenter on 1 of 3, follow-up on none
    assert model.roles["share_forums_convener_named"] == pytest.approx(2 / 3, abs=1e-4)
    assert model.roles["share_forums_documenter_named"] == pytest.approx(1 / 3, abs=1e-4)
    assert model.roles["share_forums_follow_up_named"] == 0.0


def test_structure_gives_one_forum_template_per_level_with_the_most_common_cadence() -> None:
    model = synthesise_model(sample_evidence())
    by_level = {f.level: f for f in model.forums}
    assert set(by_level) == {"operativ", "strategisk"}
    assert by_level["operativ"].cadence == "manadsvis"
    assert by_level["operativ"].n_sites == 2
    assert by_level["strategisk"].cadence == "kvartalsvis"
    assert model.structure["sectors"] == {"skola": 1, "socialtjänst": 2}
    assert model.structure["common_sectors"] == ["skola", "socialtjänst"]  # each in ≥ half of 2 sites


def test_success_factor_strength_counts_sites_and_illustrates_from_tagged_log() -> None:
    model = synthesise_model(sample_evidence())
    [factor] = model.success_factors
    assert factor.factor_id == "motesstruktur"
    assert (factor.n_sites, factor.n_present) == (2, 1)  # 0.75 ≥ 0.5 present, 0.25 not
    assert factor.strength == "svag"  # fewer than 3 sites
    assert [i["entry_id"] for i in factor.illustrations] == [5]
    assert "för få" in factor.consistency or "0 av 0" in factor.consistency


def test_seven_steps_come_from_the_catalogue_with_median_stage() -> None:
    model = synthesise_model(sample_evidence())
    assert model.steps_source == "mfof-sju-steg"
    assert [s.number for s in model.steps] == list(range(1, 8))
    assert model.steps[0].median_share == pytest.approx(0.75)
    assert model.steps[0].n_sites == 2
    assert model.steps[6].n_sites == 0 and model.steps[6].median_share is None


def test_lagesbild_pilot_uses_bras_five_steps_even_without_definitions() -> None:
    ev = sample_evidence()
    ev.lagesbild = True
    model = synthesise_model(ev)
    assert model.steps_source == "bra-samverkansprocess"
    assert len(model.steps) == 5
    assert model.steps[0].label.startswith("Steg 1 – Initiera samverkan")


def test_adaptations_per_size_class_and_limits_name_small_n_and_provisional_instruments() -> None:
    model = synthesise_model(sample_evidence())
    sizes = {a.size_class: a for a in model.adaptations}
    assert sizes["50k-200k"].n_sites == 1 and sizes["50k-200k"].forums_per_site == 2
    assert sizes["lt15k"].forums_per_site == 1
    assert sizes["gt200k"].n_sites == 0 and sizes["gt200k"].forums_per_site is None
    text = " ".join(model.limits)
    assert "2 plats(er)" in text
    assert "samverkan-systematik" in text


def test_empty_evidence_gives_a_model_that_says_what_is_missing() -> None:
    model = synthesise_model(ModelEvidence(pilot_slug="x", pilot_name="Tom"))
    assert model.forums == [] and model.success_factors == []
    assert any("saknas" in limit for limit in model.limits)


def test_same_evidence_in_another_row_order_gives_the_same_json_and_fingerprints() -> None:
    a = sample_evidence()
    b = sample_evidence()
    b.forums = b.forums.iloc[::-1].reset_index(drop=True)
    b.log = b.log.iloc[::-1].reset_index(drop=True)
    assert evidence_fingerprint(a) == evidence_fingerprint(b)
    assert model_to_json(synthesise_model(a)) == model_to_json(synthesise_model(b))


def test_changed_evidence_changes_the_fingerprint() -> None:
    a = sample_evidence()
    b = sample_evidence()
    b.forums.loc[0, "score"] = 0.8
    assert evidence_fingerprint(a) != evidence_fingerprint(b)


def test_model_json_has_schema_version_and_a_fingerprint_of_its_content() -> None:
    data = json.loads(model_to_json(synthesise_model(sample_evidence()), "abc"))
    assert data["schema_version"] == SCHEMA_VERSION
    assert data["evidence_fingerprint"] == "abc"
    assert data["fingerprint"] == model_fingerprint(data)
    data["pilot_name"] = "Ändrad"
    assert model_fingerprint(data) != data["fingerprint"]
    assert read_model_json(json.dumps(data))["pilot_name"] == "Ändrad"  # edited files are accepted


def test_read_model_json_lists_every_problem() -> None:
    bad = json.dumps({"schema_version": "9", "forums": [{"name": "A", "level": ""}]})
    with pytest.raises(ValidationError) as err:
        read_model_json(bad, "m.json")
    wheres = [p.where for p in err.value.problems]
    assert "m.json: schema_version" in wheres
    assert "m.json: forums[0].level" in wheres and "m.json: forums[0].cadence" in wheres
    with pytest.raises(ValidationError):
        read_model_json("{not json", "m.json")
