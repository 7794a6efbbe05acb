"""Reference data page: municipalities with their facts, the sources and years, and the import."""

import tempfile
from pathlib import Path

import streamlit as st

from pilots.municipalities import import_reference_file, municipalities_frame, reference_gaps, reference_sources
from workbench.widgets import page_context, show_table, shows_errors, t

ctx = page_context()
st.title(t("reference.title"))
with ctx.session() as session:
    sources = reference_sources(session)
    frame = municipalities_frame(session)
    gaps = reference_gaps(session)
for gap in gaps:
    st.warning(gap)
st.subheader(t("reference.sources"))
show_table(sources, hide_index=True)
st.subheader(t("reference.municipalities"))
show_table(frame, hide_index=True)

if ctx.user.role == "admin":
    st.subheader(t("reference.import"))
    upload = st.file_uploader(t("reference.import"), type=["csv", "xlsx"], key="reference_upload")
    if upload is not None and st.button(t("common.save"), key="reference_import"):
        with shows_errors():
            with tempfile.TemporaryDirectory() as tmp:
                path = Path(tmp) / upload.name
                path.write_bytes(upload.getvalue())
                with ctx.session(face="import") as session:
                    done = import_reference_file(session, path)
            for item in done:
                st.success(t("reference.imported", kind=item.kind, year=item.year, rows=item.rows))
