"""Helpers for the browser tests: a real `streamlit run app.py` server and the widget keys.

Streamlit renders a widget with key X inside an element container with the CSS class `st-key-X`
(docs/architecture.md, "Pages"), so every locator here goes through those keys.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import urljoin

from argon2 import PasswordHasher
from playwright.sync_api import Page, expect

from crm_app.access import users
from crm_app.access.audit import CLI_OPERATOR
from crm_app.core import clock, i18n

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "docs" / "screenshots"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--no-first-run", "--disable-quic"]
PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "is_mobile": True,
         "has_touch": True, "locale": "nl-NL", "timezone_id": "Europe/Amsterdam"}
DESKTOP = {"viewport": {"width": 1280, "height": 900}, "locale": "nl-NL", "timezone_id": "Europe/Amsterdam"}
PASSWORD = "correct horse battery staple"
CHEAP_HASHER = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
TIMEOUT_MS = 15_000


def t(key: str, **params) -> str:
    return i18n.t(key, i18n.DEFAULT_LANG, **params)


def tn(key: str, count: int, **params) -> str:
    return i18n.tn(key, count, i18n.DEFAULT_LANG, **params)


# -- the store ------------------------------------------------------------------------------------
def copy_store(template: Path, db: Path) -> Path:
    """`db` as a fresh copy of `template`. A server stopped earlier on the same path may have left its WAL;
    beside the new copy it would belong to another database, which DuckDB rightly refuses to open."""
    db.with_name(db.name + ".wal").unlink(missing_ok=True)
    shutil.copyfile(template, db)
    return db


def add_user(store, username: str, display_name: str, role: str, password: str | None = PASSWORD, **options) -> int:
    """A staff account whose hash has the cheapest argon2id cost: the server reads the cost from the hash, so
    logging in runs unchanged and takes a millisecond instead of a third of a second of CPU."""
    with users.hashing_with(CHEAP_HASHER):
        return users.add(store, CLI_OPERATOR, username, display_name, role, password, **options)


# -- the server ----------------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """`python -m streamlit run app.py` on a free port of 127.0.0.1, with CRM_DB set.

    With `clock_file`, the server's clock stands at the moment written there (crm_app.core.clock's
    test seam); `set_clock` moves it. Tests run in parallel: a free port another worker took in the
    meantime makes the server exit at once, and then it starts again on another one.
    """

    def __init__(self, db: Path, log: Path, *, port: int | None = None, extra_args: tuple[str, ...] = (),
                 clock_file: Path | None = None, env: dict[str, str] | None = None):
        self.log = log
        self.clock_file = clock_file
        env = {**os.environ, "CRM_DB": str(db), "PYTHONUNBUFFERED": "1", **(env or {})}
        if clock_file is not None:
            env[clock.TEST_CLOCK_ENV] = str(clock_file)
        for attempt in range(3):
            self.port = port or free_port()
            self.url = f"http://127.0.0.1:{self.port}"
            with open(log, "wb") as out:
                self.process = subprocess.Popen(
                    [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true",
                     "--server.address", "127.0.0.1", "--server.port", str(self.port),
                     "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none", *extra_args],
                    cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
            try:
                self._wait_healthy()
                return
            except RuntimeError:
                if port or attempt == 2 or "is not available" not in self.output():
                    raise

    def _wait_healthy(self, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"streamlit exited with {self.process.returncode}:\n{self.output()}")
            health = f"{self.url}/_stcore/health"
            with contextlib.suppress(OSError), urllib.request.urlopen(health, timeout=1) as response:
                if response.status == 200:
                    return
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"streamlit did not become healthy in {timeout} s:\n{self.output()}")

    def set_clock(self, moment: dt.datetime) -> None:
        """Stand the server's clock at `moment` (naive UTC); written whole, so no read sees half of it."""
        path = Path(self.clock_file)
        partial = path.with_name(path.name + ".new")
        partial.write_text(moment.isoformat(), "ascii")
        os.replace(partial, path)

    def output(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


# -- the reverse proxy -----------------------------------------------------------------------------
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
SITE = ROOT / "deploy" / "nginx-crm.conf"


def self_signed(folder: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 and its key, made here (the browser is told to accept it)."""
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID
    key_ = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key_.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=2))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False)
            .sign(key_, hashes.SHA256()))
    cert_file, key_file = folder / "cert.pem", folder / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(key_.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                            serialization.NoEncryption()))
    return cert_file, key_file


class Nginx:
    """Debian's nginx running the shipped site (deploy/nginx-crm.conf) in front of `upstream`, on loopback:
    only the listening addresses, the certificate and the upstream port are changed."""

    def __init__(self, folder: Path, upstream: Server):
        folder.mkdir(exist_ok=True)
        cert, key_ = self_signed(folder)
        self.http_port, self.https_port = free_port(), free_port()
        site = SITE.read_text(encoding="utf-8")
        for old, new in (("listen 80;", f"listen 127.0.0.1:{self.http_port};"),
                         ("listen 443 ssl", f"listen 127.0.0.1:{self.https_port} ssl"),
                         ("http://127.0.0.1:8501", f"http://127.0.0.1:{upstream.port}")):
            assert old in site, old
            site = site.replace(old, new)
        site = re.sub(r"ssl_certificate\s+\S+;", f"ssl_certificate {cert};", site)
        site = re.sub(r"ssl_certificate_key\s+\S+;", f"ssl_certificate_key {key_};", site)
        temp = " ".join(f"{kind}_temp_path {folder}/{kind};"
                        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
        (folder / "nginx.conf").write_text(
            f"daemon off;\npid {folder}/nginx.pid;\nerror_log {folder}/error.log;\nevents {{ worker_connections 64; }}\n"
            f"http {{\n    access_log off;\n    {temp}\n{site}\n}}\n")
        self.log = folder / "error.log"
        self.process = subprocess.Popen([NGINX, "-p", str(folder), "-e", str(self.log), "-c", str(folder / "nginx.conf")],
                                        stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
        self.url = f"https://127.0.0.1:{self.https_port}"
        self._wait_healthy()

    def _wait_healthy(self, timeout: float = 20) -> None:
        import ssl
        unverified = ssl._create_unverified_context()
        deadline = time.monotonic() + timeout
        while True:
            with contextlib.suppress(OSError), urllib.request.urlopen(f"{self.url}/_stcore/health", timeout=1,
                                                                      context=unverified) as response:
                if response.status == 200:
                    return
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(self.log.read_text(errors="replace") if self.log.exists() else "nginx did not start")
            time.sleep(0.1)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)


# -- the page ------------------------------------------------------------------------------------
def key(page: Page, widget_key: str):
    return page.locator(f".st-key-{widget_key}")


# Interactions wait on what the user sees (a value, a tick, a message), never on sleeps. Streamlit
# keeps the widget values in the browser and sends all of them with every rerun request, so a
# button pressed while an earlier rerun is still running still carries every committed field.
def type_into(page: Page, widget_key: str, text: str) -> None:
    """Type into a text input and commit it with Enter."""
    field = key(page, widget_key).locator("input")
    field.fill(text)
    field.press("Enter")
    expect(field).to_have_value(text)


def choose(page: Page, widget_key: str, typed: str, option: str) -> None:
    """Pick `option` in a selectbox: click, type part of its label, Enter on the offered option."""
    field = key(page, widget_key).locator("input")
    if field.input_value() == option:
        return
    field.click()
    page.keyboard.type(typed)
    expect(page.get_by_role("option").first).to_have_text(option)
    page.keyboard.press("Enter")
    expect(field).to_have_value(option)


def tick(page: Page, widget_key: str) -> None:
    """Tick a checkbox (by its label, as a finger would)."""
    box = key(page, widget_key).locator("input[type=checkbox]")
    if not box.is_checked():
        key(page, widget_key).locator("label").click()
    expect(box).to_be_checked()


def press(page: Page, widget_key: str) -> None:
    key(page, widget_key).locator("button").click()


ROW_PX = 35   # the height of a st.dataframe's header and of each of its rows


def pick_row(page: Page, table_key: str, index: int) -> None:
    """Pick row `index` of a st.dataframe with row selection: a tap on the selection box at its left.

    The table is drawn on a canvas, so the row is found by where it is (unsorted, not scrolled)."""
    table = key(page, table_key).get_by_test_id("stDataFrame")
    expect(table).to_be_visible()
    table.click(position={"x": 18, "y": ROW_PX * (index + 1) + ROW_PX // 2})


def shows(page: Page, text: str):
    expect(page.get_by_text(text, exact=False).first).to_be_visible(timeout=TIMEOUT_MS)


def go(page: Page, path: str) -> None:
    """Open a screen of the navigation as a click on its sidebar link does; a record's address (with `?`)
    or a screen missing from the navigation is loaded by its URL.

    The click keeps the app loaded, which takes half the time of loading the page anew; it is dispatched on
    the link itself, so it also works on a phone, where the sidebar is folded away."""
    link = page.get_by_test_id("stSidebarNav").locator(f'a[href$="/{path}"]')
    if "?" in path or link.count() == 0:
        page.goto(urljoin(page.url, f"/{path}"))
    else:
        link.first.dispatch_event("click")
        expect(page).to_have_url(re.compile(rf"/{re.escape(path)}$"))
    expect(main_area(page).locator("h1").first).to_be_visible()
    settled(page)


def main_area(page: Page):
    return page.get_by_test_id("stMain")


def fits_the_width(page: Page) -> None:
    """Nothing sticks out sideways: no horizontal scrolling on a phone."""
    widths = page.evaluate("""() => {
        const main = document.querySelector('[data-testid=stMain]');
        return {page: document.documentElement.scrollWidth, viewport: window.innerWidth,
                main: main.scrollWidth, mainVisible: main.clientWidth};
    }""")
    assert widths["page"] <= widths["viewport"] and widths["main"] <= widths["mainVisible"], widths


def big_enough_to_tap(locator, min_height: int = 40) -> None:
    box = locator.bounding_box()
    assert box and box["height"] >= min_height, box


def settled(page: Page) -> None:
    """No script run under way and no element greyed out as stale (for a clean screenshot)."""
    expect(page.get_by_test_id("stApp")).to_have_attribute("data-test-script-state", "notRunning")
    expect(page.locator("[data-stale='true']")).to_have_count(0)


def screenshot(page: Page, name: str) -> None:
    """docs/screenshots/<name>.png, only when CRM_SCREENSHOTS=1 (normal runs leave the tree clean).

    Streamlit scrolls inside its own container, so a "full page" screenshot would show only the
    viewport: the viewport is stretched to the content's height for the picture, then restored.
    """
    if os.environ.get("CRM_SCREENSHOTS") != "1":
        return
    settled(page)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    viewport = page.viewport_size
    height = page.evaluate("() => document.querySelector('[data-testid=stMain]').scrollHeight")
    page.set_viewport_size({"width": viewport["width"], "height": max(viewport["height"], height)})
    try:
        settled(page)
        page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), animations="disabled", caret="hide")
    finally:
        page.set_viewport_size(viewport)


def log_in(page: Page, base_url: str, username: str, password: str = PASSWORD, *, shot: str | None = None) -> None:
    page.goto(base_url)
    expect(page.get_by_role("heading", name=t("login.title"))).to_be_visible(timeout=TIMEOUT_MS)
    key(page, "login_username").locator("input").fill(username)
    key(page, "login_password").locator("input").fill(password)
    key(page, "login_password").locator("input").blur()
    if shot:
        screenshot(page, shot)
    key(page, "login_submit").locator("button").click()


def logged_in_as(page: Page, display_name: str) -> None:
    expect(page.get_by_role("heading", name=t("home.welcome", name=display_name))).to_be_visible()
    expect(key(page, "app_logout")).to_be_visible()


def shows_the_login(page: Page) -> None:
    expect(page.get_by_role("heading", name=t("login.title"))).to_be_visible(timeout=TIMEOUT_MS)
    expect(key(page, "login_username")).to_be_visible()
    expect(key(page, "app_logout")).to_have_count(0)


def session_cookie(context) -> dict | None:
    return next((c for c in context.cookies() if c["name"] == "crm_session"), None)


def wait_for(condition, timeout: float = TIMEOUT_MS / 1000) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        time.sleep(0.1)


# -- text contrast -------------------------------------------------------------------------------------
# Every visible element with text of its own: its colour (alpha blended) against the first opaque
# background behind it, up the tree (the page is white when none is set). Large text (24 px, or
# 18.66 px bold) needs 3:1, the rest 4.5:1 (WCAG 2.1 AA, 1.4.3). Disabled controls are exempt.
LOW_CONTRAST_JS = """() => {
  const parse = c => { const m = c.match(/rgba?\\(([^)]+)\\)/); if (!m) return null;
    const p = m[1].split(/[ ,\\/]+/).filter(Boolean).map(Number); return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1]; };
  const over = (top, bottom) => [0, 1, 2].map(i => top[i] * top[3] + bottom[i] * (1 - top[3])).concat([1]);
  const background = el => {
    const layers = [];
    for (let e = el; e; e = e.parentElement) {
      const c = parse(getComputedStyle(e).backgroundColor);
      if (c && c[3] > 0) { layers.push(c); if (c[3] >= 1) break; }
    }
    let colour = [255, 255, 255, 1];
    for (const layer of layers.reverse()) colour = over(layer, colour);
    return colour;
  };
  const luminance = c => { const [r, g, b] = c.slice(0, 3).map(v => { v /= 255;
    return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); }); return 0.2126 * r + 0.7152 * g + 0.0722 * b; };
  const bad = [];
  for (const el of document.querySelectorAll('body *')) {
    if (['SCRIPT', 'STYLE', 'NOSCRIPT', 'svg', 'text', 'tspan'].includes(el.tagName) || el.closest('svg')) continue;
    const own = [...el.childNodes].filter(n => n.nodeType === 3).map(n => n.textContent).join('').trim();
    if (!own) continue;
    if (el.closest('[disabled], [aria-disabled=true]')) continue;
    const style = getComputedStyle(el);
    const box = el.getBoundingClientRect();
    if (style.visibility !== 'visible' || box.width === 0 || box.height === 0 || el.closest('[aria-hidden=true]')) continue;
    let opacity = 1;
    for (let e = el; e; e = e.parentElement) opacity *= Number(getComputedStyle(e).opacity);
    if (opacity === 0) continue;
    const back = background(el);
    const fore = parse(style.color);
    const text = over([fore[0], fore[1], fore[2], fore[3] * opacity], back);
    const [a, b] = [luminance(text), luminance(back)].sort((x, y) => y - x);
    const ratio = (a + 0.05) / (b + 0.05);
    const size = parseFloat(style.fontSize), bold = Number(style.fontWeight) >= 700;
    const large = size >= 24 || (size >= 18.66 && bold);
    if (ratio < (large ? 3 : 4.5))
      bad.push(`${ratio.toFixed(2)} ${style.color} on rgb(${back.slice(0, 3).map(Math.round)}) ${size}px: `
               + own.slice(0, 40));
  }
  return bad;
}"""


def low_contrast(page: Page) -> list[str]:
    """Texts on the page below the WCAG AA contrast ratio, with their colours."""
    return page.evaluate(LOW_CONTRAST_JS)
