"""The Streamlit app and the `workbench` command line."""
