"""Import and export: template download, upload with a preview of the parsed rows, confirmed import, export."""

import tempfile
from pathlib import Path

import pandas as pd
import streamlit as st

from pilots.exporting import MIME_TYPES, records_to_bytes
from pilots.importing import read_import_file, run_import
from pilots.templates import write_template
from workbench.importers import available_kinds, face_importer
from workbench.widgets import page_context, show_table, shows_errors, t

ctx = page_context()
st.title(t("data_import.title"))
kinds = available_kinds()
kind = st.selectbox(t("data_import.kind"), kinds)
importer = face_importer(kind)

st.subheader(t("data_import.template"))
fmt = st.radio(t("data_import.template_format"), ["xlsx", "csv"], horizontal=True, key="template_format")


def template_bytes() -> bytes:
    # Written when the button is clicked, not on every rerun.
    with tempfile.TemporaryDirectory() as tmp:
        return write_template(importer.spec, Path(tmp) / f"mall-{kind}.{fmt}", lang=ctx.lang).read_bytes()


st.download_button(t("data_import.download_template"), data=template_bytes, file_name=f"mall-{kind}.{fmt}",
                   mime=MIME_TYPES.get(fmt, "application/octet-stream"), key="template_download", on_click="ignore")

if ctx.user.role in ("admin", "researcher"):
    st.subheader(t("data_import.upload"))
    upload = st.file_uploader(t("data_import.file"), type=["csv", "xlsx", "txt"], key=f"upload_{kind}")
    if upload is not None:
        data = upload.getvalue()
        with shows_errors():
            parsed = read_import_file(data, importer.spec, upload.name)
            st.write(t("data_import.preview", n=len(parsed.rows)))
            show_table(pd.DataFrame([{"rad": r.number, **r.values} for r in parsed.rows]), hide_index=True)
            if st.button(t("data_import.confirm"), key="confirm_import"):
                with shows_errors(), ctx.session(face="import") as session:
                    result = run_import(session, ctx.user, importer, data, upload.name)
                    st.success(result.summary())

st.subheader(t("data_import.export"))
if not getattr(importer, "exportable", False):
    st.info(t("data_import.no_export"))
else:
    export_format = st.radio(t("data_import.export_format"), ["csv", "xlsx", "json"], horizontal=True)

    def export_bytes() -> bytes:
        # Every record of the kind the user may read: read when the button is clicked, not on every rerun.
        with ctx.session() as session:
            return records_to_bytes(importer.export(session, ctx.user), export_format)

    st.download_button(t("data_import.download_export"), data=export_bytes, file_name=f"{kind}.{export_format}",
                       mime=MIME_TYPES.get(export_format, "text/plain"), key="export_download", on_click="ignore")
