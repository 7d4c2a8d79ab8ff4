"""Keep values out of the server log when a page's callback fails.

app.py catches what a page raises while it runs, but widget callbacks (`on_click`) run before
that, inside Streamlit's own error handling, which logs the full traceback — and a database error
carries values in its message ("Duplicate key "email_key: …""). This filter on Streamlit's error
loggers replaces such a record by a line with a code and the exception's type only; the browser
shows Streamlit's generic message (`client.showErrorDetails = "none"`).
"""
from __future__ import annotations

import logging
import uuid

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
    for name in LOGGERS:
        logger = logging.getLogger(name)
        if _FILTER not in logger.filters:
            logger.addFilter(_FILTER)
