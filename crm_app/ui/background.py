"""Long work in a thread that a screen keeps in session state: the screen stays responsive, shows how far the
work is, and can stop it. The thread holds no cursor: it calls a service, which reads the store as any call does.
The service reports progress through a callback whose answer True asks it to stop (between its rounds)."""
from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any


class Job:
    """`work(report)` running in a daemon thread; `report(progress)` keeps the latest progress and answers
    whether the job was cancelled. Its result, or the exception it ended with, stays on the job."""

    def __init__(self, key: Any, work: Callable[[Callable[[Any], bool]], Any]):
        self.key = key
        self.progress: Any = None
        self.result: Any = None
        self.error: BaseException | None = None
        self._cancelled = threading.Event()
        self._done = threading.Event()
        threading.Thread(target=self._run, args=(work,), daemon=True, name="crm-job").start()

    def _run(self, work) -> None:
        try:
            self.result = work(self._report)
        except Exception as error:   # kept for the screen, which shows a refusal or raises the rest
            self.error = error
        finally:
            self._done.set()

    def _report(self, progress: Any) -> bool:
        self.progress = progress
        return self._cancelled.is_set()

    def cancel(self) -> None:
        self._cancelled.set()

    def wait(self, seconds: float) -> bool:
        """True once the work has ended (within `seconds`)."""
        return self._done.wait(seconds)

    @property
    def done(self) -> bool:
        return self._done.is_set()
