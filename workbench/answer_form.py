"""The self-assessment form shared by the assessment page and the invitation page: items section by section."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd
import streamlit as st

from instruments.schema import DONT_KNOW, Instrument, Item
from workbench.widgets import personal_data_hint, t

MAX_ENTRIES = 10


@dataclass
class FormResult:
    """What the respondent did: ``action`` is None, "save" or "submit"."""

    action: str | None = None
    answers: dict[str, object] = field(default_factory=dict)
    evidence: dict[str, str] = field(default_factory=dict)
    comments: dict[str, str] = field(default_factory=dict)


def _existing(stored: pd.DataFrame) -> dict[str, dict[str, object]]:
    out: dict[str, dict[str, object]] = {}
    for row in stored.to_dict("records"):
        value = row["value"]
        chosen: object = DONT_KNOW if row["dont_know"] else (None if pd.isna(value) else int(value))
        out[str(row["key"])] = {
            "value": chosen,
            "evidence": row["evidence"] or "",
            "comment": row["comment"] or "",
        }
    return out


def _radio(instrument: Instrument, item: Item, key: str, current: object, lang: str, label: str) -> object:
    scale = instrument.scale(item.scale)
    options: list[object] = [*scale.allowed_values(), DONT_KNOW]

    def show(v: object) -> str:
        return scale.dont_know.get(lang) if v == DONT_KNOW else f"{v} – {scale.label_of(int(v), lang)}"  # type: ignore[call-overload]

    index = options.index(current) if current in options else None
    return st.radio(label, options, index=index, format_func=show, horizontal=True, key=key)


def answer_form(
    instrument: Instrument, stored: pd.DataFrame, key: str, *, workshop: bool, lang: str, locked: bool = False
) -> FormResult:
    """Render every item with its scale and "Vet ej"; return the answers when Save or Submit was pressed."""
    existing = _existing(stored)
    result = FormResult()
    personal_data_hint()
    if workshop:
        st.info(t("assessment.workshop_intro"))
        questions = [f.discussion.get(lang) for f in instrument.scoring.factors if f.discussion]
        if questions:
            with st.expander(t("assessment.factor_questions")):
                for q in questions:
                    st.markdown(f"- {q}")
    with st.form(f"form_{key}"):
        for section in instrument.sections:
            st.subheader(section.title.get(lang))
            if section.description:
                st.caption(section.description.get(lang))
            for item in section.items:
                st.markdown(f"**{item.label.get(lang)}**  \n{item.text.get(lang)}")
                if workshop and item.discussion:
                    st.caption(f"{t('assessment.discussion')}: {item.discussion.get(lang)}")
                if item.repeatable:
                    entries = sorted(k for k in existing if k.startswith(f"{item.id}#"))
                    count = min(MAX_ENTRIES, max(3, len(entries) + 1))
                    for n in range(1, count + 1):
                        entry_key = f"{item.id}#{n}"
                        prior = existing.get(entry_key, {})
                        name = st.text_input(
                            t("assessment.entry_name", n=n),
                            value=str(prior.get("comment", "")),
                            key=f"{key}_{entry_key}_name",
                            disabled=locked,
                        )
                        result.answers[entry_key] = _radio(
                            instrument,
                            item,
                            f"{key}_{entry_key}",
                            prior.get("value"),
                            lang,
                            t("assessment.entry_value", n=n),
                        )
                        result.comments[entry_key] = name
                    continue
                prior = existing.get(item.id, {})
                result.answers[item.id] = _radio(
                    instrument, item, f"{key}_{item.id}", prior.get("value"), lang, t("assessment.answer")
                )
                if item.evidence or item.comment:
                    with st.expander(t("assessment.evidence_and_comment")):
                        if item.evidence:
                            result.evidence[item.id] = st.text_input(
                                t("assessment.evidence"),
                                value=str(prior.get("evidence", "")),
                                key=f"{key}_{item.id}_evidence",
                                disabled=locked,
                            )
                        if item.comment:
                            result.comments[item.id] = st.text_input(
                                t("assessment.comment"),
                                value=str(prior.get("comment", "")),
                                key=f"{key}_{item.id}_comment",
                                disabled=locked,
                            )
        save = st.form_submit_button(t("assessment.save_draft"), key=f"{key}_save", disabled=locked)
        submit = st.form_submit_button(
            t("assessment.submit"), key=f"{key}_submit", type="primary", disabled=locked
        )
    if save or submit:
        result.action = "submit" if submit else "save"
    return result
