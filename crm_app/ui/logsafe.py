"""Keep values out of the server log when a page's callback fails.

app.py catches what a page raises while it runs, but widget callbacks (`on_click`) run before
that, inside Streamlit's own error handling, which logs the full traceback — and a database error
carries values in its message ("Duplicate key "email_key: …""). This filter on Streamlit's error
loggers replaces such a record by a line with a code and the exception's type only; the browser
shows Streamlit's generic message (`client.showErrorDetails = "none"`).

When the `rich` package is importable (import-linter brings it in), Streamlit prints that traceback
with rich straight to the console instead, past every logging filter: `logger.enableRich` is
turned off here as well as in .streamlit/config.toml, which is not read when the server is
started from another directory.
"""
from __future__ import annotations

import logging
import uuid

from streamlit import config

LOGGERS = ("streamlit.error_util", "streamlit.runtime.scriptrunner.script_runner",
           "streamlit.runtime.scriptrunner.exec_code")


class NoValuesFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info:
            kind = type(record.exc_info[1]).__name__ if record.exc_info[1] is not None else "?"
            record.msg = "uncaught error %s in the app: %s"
            record.args = (uuid.uuid4().hex[:8], kind)
            record.exc_info = None
            record.exc_text = None
            record.stack_info = None
        return True


_FILTER = NoValuesFilter()


def install() -> None:
    config.set_option("logger.enableRich", False)
    for name in LOGGERS:
        logger = logging.getLogger(name)
        if _FILTER not in logger.filters:
            logger.addFilter(_FILTER)
