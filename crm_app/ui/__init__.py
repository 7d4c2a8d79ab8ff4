"""Streamlit glue shared by the pages: the only place in crm_app that imports streamlit."""
