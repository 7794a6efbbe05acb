"""Instrument definition parsing: shipped definitions, error paths, answer validation, hostile YAML."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from instruments.schema import (
    DONT_KNOW,
    Instrument,
    builtin_definition,
    load_builtin_definitions,
    parse_definition,
    validate_answer,
)
from pilots.errors import ValidationError

SMALL = (Path(__file__).parent / "data" / "small.yaml").read_text(encoding="utf-8")

EXPECTED_IDS = {
    "mfof-sju-steg",
    "stodjande-organisation",
    "samverkan-systematik",
    "lagesbild-foraldraperspektiv",
    "hrv-rutiner-kompetens",
    "bra-samverkansprocess",
}


def problems_of(text: str) -> list[str]:
    with pytest.raises(ValidationError) as info:
        parse_definition(text, source="test.yaml")
    return [str(p) for p in info.value.problems]


# ---------------------------------------------------------------- shipped definitions


def test_all_six_drafts_ship_and_validate() -> None:
    instruments = load_builtin_definitions()
    assert {i.id for i in instruments} == EXPECTED_IDS
    for ins in instruments:
        assert ins.status == "provisional"
        assert ins.version == "0.1.0"
        assert ins.source.strip()
        for item in ins.items():
            assert item.text.sv and item.text.en and item.label.sv and item.label.en
            assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", item.success_factor)
        for scale in ins.scales:
            assert scale.dont_know.sv == "Vet ej"


def test_drafts_carry_the_scales_and_rules_of_the_research() -> None:
    a = builtin_definition("mfof-sju-steg")
    assert len(a.item_ids()) == 7
    assert [v.label.sv for v in a.scale("STEG5").values][3] == "Genomfört"
    b = builtin_definition("stodjande-organisation")
    assert len(b.item_ids()) == 11 and all(i.discussion for i in b.items())
    assert b.development_threshold("INST4") == 2 and b.scoring.overall_index is None
    c = builtin_definition("samverkan-systematik")
    assert len(c.item_ids()) == 12 and all(i.discussion for i in c.items())
    assert c.scoring.overall_index == "systematik"
    sys = c.scoring.indicators[0]
    assert {k.id: k.min for k in sys.classes} == {"strukturerad": 0.75, "delvis": 0.4, "ostrukturerad": 0}
    assert [f.id for f in c.item("c01-aterkommande-moten").fields] == ["frekvens"]
    e = builtin_definition("hrv-rutiner-kompetens")
    assert {"e06-overenskommelse-polis", "e06-overenskommelse-skola", "e06-overenskommelse-region"} <= set(
        e.item_ids()
    )
    assert [v.label.sv for v in e.scale("JN").values] == ["Nej", "Ja"]
    f = builtin_definition("bra-samverkansprocess")
    assert [v.label.sv.split(" ")[0] for v in f.scale("TRAFIKLJUS").values] == ["Röd", "Gul", "Grön"]
    assert f.item("f-atgard-trafikljus").repeatable


def test_success_factor_helper_lists_each_slug_once_in_order() -> None:
    ins = parse_definition(SMALL)
    assert ins.success_factors() == ["struktur", "steg"]
    assert ins.item_ids() == ["a", "b", "c"]


def test_canonical_yaml_round_trips_with_swedish_characters() -> None:
    for ins in load_builtin_definitions():
        text = ins.to_yaml()
        assert "ä" in text or "å" in text or "ö" in text
        again = parse_definition(text)
        assert again == ins
        assert again.to_yaml() == text
    assert parse_definition(SMALL).text == SMALL
    assert hash(parse_definition(SMALL)) == hash(parse_definition(SMALL))  # usable as a cache key


# ---------------------------------------------------------------- errors


def test_every_problem_is_listed_with_its_path() -> None:
    bad = SMALL.replace('version: "1.0.0"', 'version: "1.0"')
    bad = bad.replace("status: provisional", "status: draft")
    bad = bad.replace(
        "scale: JDN, success_factor: struktur}\n      - {id: b",
        "scale: INST5, success_factor: struktur}\n      - {id: b",
    )
    bad = bad.replace('{id: c, label: {sv: "C", en: "C"}', '{id: a, label: {sv: "C"}')
    bad = bad.replace("{JDN: 1, STEG5: 2}", "{JDN: 3, STEG5: 2}")
    bad = bad.replace("min: 0.75}", "min: 1.5}")
    found = problems_of(bad)
    expected = [
        'version: "1.0" is not a semantic version',
        'status: "draft" is not allowed',
        'sections[0].items[0].scale: unknown scale "INST5"',
        "sections[1].items[0].label.en: required field is missing",
        'sections[1].items[0].id: duplicate item id "a"',
        "scoring.development_thresholds.JDN: threshold 3 lies outside scale JDN (0..2)",
        "scoring.indicators[0].classes[0].min: threshold 1.5 lies outside the indicator's range 0..1",
    ]
    for e in expected:
        assert any(p.startswith(e) for p in found), (e, found)
    assert len(found) == len(expected)


def test_missing_fields_wrong_types_and_references() -> None:
    bad = SMALL.replace('source: "Hand-written for tests"\n', "")
    bad = bad.replace('- {value: 2, sv: "Ja", en: "Yes"}', '- {value: 1.5, sv: "Ja", en: Yes}')
    bad = bad.replace("items: [a, b]}", "items: [a, c, zz]}")
    found = problems_of(bad)
    assert "source: required field is missing" in found
    assert any(p.startswith("scales[0].values[2].value: expected a whole number") for p in found)
    assert any(
        p.startswith("scales[0].values[2].en: expected text, got true/false") and "quote it" in p
        for p in found
    )
    assert 'scoring.factors[0].items[2]: unknown item "zz"' in found
    assert any(
        p.startswith("scoring.factors[0].items: all items of a factor must use one scale") for p in found
    )


def test_yaml_syntax_error_gives_the_line() -> None:
    text = 'id: x\nversion: "0.1.0"\ntitle: {sv: a, en: b\nstatus: provisional\n'
    found = problems_of(text)
    assert len(found) == 1
    assert re.match(r"line [34], column \d+: YAML syntax error", found[0])


def test_unknown_fields_and_personal_numbers_are_refused() -> None:
    bad = SMALL.replace("success_factor: steg}", "success_factor: steg, scael: JDN}")
    bad = bad.replace('"Text b"', '"Kontakta 19121212-1212"', 1)
    found = problems_of(bad)
    assert any(p.startswith("sections[1].items[0].scael: unknown field") for p in found)
    assert any(
        p.startswith(
            "sections[0].items[1].text.sv: contains what looks like a Swedish personal identity number"
        )
        for p in found
    )


def test_equivalence_must_point_to_an_earlier_version() -> None:
    bad = SMALL.replace(
        "success_factor: steg}", 'success_factor: steg, equivalent_to: {version: "1.0.0", item: c}}'
    )
    assert problems_of(bad) == [
        "sections[1].items[0].equivalent_to.version: "
        "must name an earlier version than this definition's 1.0.0"
    ]


def test_non_mapping_documents_are_refused() -> None:
    for text in ("", "- a\n- b\n", "just text", "42"):
        assert len(problems_of(text)) == 1


# ---------------------------------------------------------------- answers


def test_validate_answer_accepts_scale_values_and_vet_ej() -> None:
    ins = parse_definition(SMALL)
    assert validate_answer(ins, "a", 2) == (2.0, False)
    assert validate_answer(ins, "a", 0) == (0.0, False)
    assert validate_answer(ins, "c", "4") == (4.0, False)
    assert validate_answer(ins, "a", DONT_KNOW) == (None, True)
    assert validate_answer(ins, "a", "Vet ej") == (None, True)


@pytest.mark.parametrize("value", [3, -1, 1.5, "Ja", None, True, float("nan")])
def test_validate_answer_refuses_values_outside_the_scale(value: object) -> None:
    ins = parse_definition(SMALL)
    with pytest.raises(ValidationError) as info:
        validate_answer(ins, "a", value)
    message = str(info.value)
    assert "item a" in message
    assert "0 (Nej), 1 (Delvis), 2 (Ja)" in message and "Vet ej" in message


def test_validate_answer_unknown_item() -> None:
    with pytest.raises(ValidationError, match="no item"):
        validate_answer(parse_definition(SMALL), "nope", 1)


# ---------------------------------------------------------------- hostile input

_yaml_scalars = st.one_of(
    st.none(), st.booleans(), st.integers(-(10**6), 10**6), st.floats(allow_nan=True), st.text(max_size=20)
)
_yaml_values = st.recursive(
    _yaml_scalars,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=12,
)


def _assert_parses_or_refuses(text: str) -> None:
    try:
        result = parse_definition(text)
    except ValidationError as exc:
        assert exc.problems and all(p.message for p in exc.problems)
    else:
        assert isinstance(result, Instrument)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=300))
def test_random_text_gives_instrument_or_validation_error(text: str) -> None:
    _assert_parses_or_refuses(text)


HOSTILE = [
    "a: &x [*x]\n",
    "!!python/object/apply:os.system ['echo hi']\n",
    "date: 2024-02-30\n",
    "[" * 5000,
    "? [a, b]\n: c\n",
    "id: x\nversion: 0.1\nstatus: provisional\ntitle: {sv: a, en: b}\nsource: s\nscales: 3\nsections: {}\n",
    SMALL.replace("scales:", "scales: &s\n  - *s\nignored:"),
    "\x00\x01",
    "a: 1\na: 2\n",
]


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_yaml_gives_validation_error(text: str) -> None:
    with pytest.raises(ValidationError):
        parse_definition(text)


_PATHS_TO_MUTATE = [
    ("id",), ("version",), ("status",), ("title",), ("scales",), ("sections",), ("scoring",),
    ("scales", 0), ("scales", 0, "values"), ("scales", 0, "values", 1), ("scales", 0, "values", 1, "value"),
    ("sections", 0), ("sections", 0, "items"), ("sections", 0, "items", 0),
    ("sections", 0, "items", 0, "scale"),
    ("sections", 0, "items", 0, "text"), ("sections", 0, "items", 0, "equivalent_to"),
    ("scoring", "factors"), ("scoring", "factors", 0, "items"), ("scoring", "indicators", 0),
    ("scoring", "indicators", 0, "kind"), ("scoring", "indicators", 0, "classes", 0, "min"),
    ("scoring", "development_thresholds"), ("scoring", "overall_index"),
]  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(_PATHS_TO_MUTATE), _yaml_values, st.booleans())
def test_mutated_definitions_give_instrument_or_validation_error(
    path: tuple, value: object, delete: bool
) -> None:
    doc = yaml.safe_load(SMALL)
    target = doc
    for key in path[:-1]:
        target = target[key]
    if delete and isinstance(target, dict):
        target.pop(path[-1], None)
    else:
        target[path[-1]] = value
    _assert_parses_or_refuses(yaml.safe_dump(doc, allow_unicode=True))
