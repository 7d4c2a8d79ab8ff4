"""A browser tab without the browser: Streamlit's websocket protocol as its frontend speaks it.

The capacity benchmark uses it to load one server with many more sessions than a small machine can draw in
Chromium. Each call is one round trip a browser makes: a rerun carrying the widget values the tab holds (a
value typed, a box ticked, a button pressed, another screen chosen), answered by the script's elements until
the run finishes. The server cannot tell it from a browser: same session, same reruns, same script runs.
What it leaves out is the drawing, so its latencies are the server's share of what staff wait for.
"""
from __future__ import annotations

import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState

ELEMENT_ID = "$$ID"      # a widget's id: "$$ID-<hash>-<key>" for a widget with a key


class Tab:
    """One session: the widget values it holds, the screens of its navigation, the texts of the last run."""

    def __init__(self, url: str):
        self.url = url.replace("http", "ws", 1) + "/_stcore/stream"
        self.ids: dict[str, str] = {}           # widget key → the id the server gave it
        self.values: dict[str, WidgetState] = {}  # what the tab holds, sent with every rerun as a browser does
        self.screens: dict[str, str] = {}       # url path → page script hash
        self.screen = ""
        self.texts: list[str] = []

    async def open(self) -> None:
        self.socket = await websockets.connect(self.url, subprotocols=["streamlit"], max_size=None)
        await self._rerun()

    async def close(self) -> None:
        await self.socket.close()

    async def type(self, key: str, text: str) -> None:
        self.values[key] = WidgetState(id=self.ids[key], string_value=text)
        await self._rerun()

    async def tick(self, key: str) -> None:
        self.values[key] = WidgetState(id=self.ids[key], bool_value=True)
        await self._rerun()

    async def press(self, key: str) -> None:
        await self._rerun(WidgetState(id=self.ids[key], trigger_value=True))

    async def go(self, path: str) -> None:
        """Another screen of the navigation; the widgets of the one left are gone."""
        self.values = {}
        await self._rerun(screen=self.screens[path])

    def shows(self, text: str) -> bool:
        return any(text in shown for shown in self.texts)

    async def _rerun(self, trigger: WidgetState | None = None, screen: str | None = None) -> None:
        message = BackMsg()
        state = message.rerun_script
        state.page_script_hash = screen if screen is not None else self.screen
        state.widget_states.widgets.extend([*self.values.values(), *([trigger] if trigger else [])])
        await self.socket.send(message.SerializeToString())
        self.texts = []
        while True:
            answer = ForwardMsg()
            answer.ParseFromString(await self.socket.recv())
            kind = answer.WhichOneof("type")
            if kind == "navigation":
                self.screens = {page.url_pathname: page.page_script_hash for page in answer.navigation.app_pages}
                self.screen = answer.navigation.page_script_hash
            elif kind == "delta" and answer.delta.WhichOneof("type") == "new_element":
                self._read(answer.delta.new_element)
            elif kind == "script_finished":
                return

    def _read(self, element) -> None:
        part = getattr(element, element.WhichOneof("type"))
        widget_id = getattr(part, "id", None)
        if isinstance(widget_id, str) and widget_id.startswith(ELEMENT_ID):
            self.ids[widget_id.rsplit("-", 1)[-1]] = widget_id
        for field in ("body", "label"):
            text = getattr(part, field, None)
            if isinstance(text, str) and text:
                self.texts.append(text)
