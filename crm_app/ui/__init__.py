"""Streamlit glue shared by the pages: the only place in crm_app that imports streamlit."""

from crm_app.ui import logsafe as _logsafe

_logsafe.install()   # a failing callback's traceback (with database values) stays out of the log
