"""How many staff one server process carries: N sessions registering at once, until saves get slow or fail.

    python -m benchmarks.capacity [--client wire|browser] [--sessions 8,16,32,64,96,128] [--think 20]
                                  [--seconds 90] [--all] [--out benchmarks/results/capacity.json]

One `streamlit run` on a demo store (2,000 persons) and N sessions, each its own outreach account, that
register candidates through the Register screen (the screen opened, four fields, the consent, Save: the
browser's seven round trips, with `--think` seconds of typing spread over them; 0: as fast as they can),
with a search on the Find screen after every fourth save: the mix of a market day. The sessions are
`wire` (benchmarks.wire: the browser's websocket round trips without drawing, so a small machine can run
many) or headless Chromium (`browser`). A save's latency runs from the click on Save to the confirmation
(and from "a new person" to the confirmation, when a generated name looks like an earlier one: both
counted). An error is a refused or closed connection, an exception on the page, or a save not confirmed;
afterwards the store must hold every confirmed save (a confirmed save missing counts as an error). With
CAPACITY_DEBUG=1 a failed session prints why (a browser leaves its screen in /tmp/capacity-<n>.png).
The steps stop at the first N whose p95 passes 1 s or that has an error (`--all`: run every step).
Beside the latencies: the server's CPU (share of the machine, and per registration) and memory, from /proc.

Baseline in the same run: the single-session step (N = 1); `x 1` is p95 at N / p95 at N = 1. Chromium
sessions run on the same cores as the server: on a small machine they take most of the CPU and the
benchmark measures them (docs/scaling.md).
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import shutil
import statistics
import string
import sys
import tempfile
import time
from pathlib import Path

from playwright.async_api import async_playwright

from benchmarks.wire import Tab
from crm_app.access import audit_key, users
from crm_app.access.audit import CLI_OPERATOR
from crm_app.core.paths import ROOT
from crm_app.core.store import Store
from crm_app.demo.fill import fill_demo

sys.path.insert(0, str(ROOT / "tests" / "e2e"))
from e2e_kit import CHEAP_HASHER, CHROMIUM, CHROMIUM_ARGS, PASSWORD, Server  # the tests' server and browser settings

P95_LIMIT_S = 1.0
CONFIRM_TIMEOUT_MS = 30_000


def name(index: int) -> str:
    """Letters only (names may not hold digits), a different one per save: no duplicate warnings."""
    out = ""
    for _ in range(4):
        index, rest = divmod(index, 26)
        out = string.ascii_lowercase[rest] + out
    return out.capitalize()


async def go(page, path: str) -> None:
    """Another screen through the sidebar, as staff do: the app stays loaded (and the session with it)."""
    await page.locator(f'[data-testid=stSidebarNav] a[href$="/{path}"]').dispatch_event("click")
    await page.wait_for_url(f"**/{path}")
    await page.locator(f".st-key-{'register_given_name' if path == 'register' else 'find_query'}").wait_for()


async def staff_member(browser, url: str, n: int, until: float, think: float, result: dict) -> None:
    context = await browser.new_context(viewport={"width": 1280, "height": 900}, locale="nl-NL")
    context.set_default_timeout(CONFIRM_TIMEOUT_MS)
    page = await context.new_page()
    try:
        await page.goto(url)
        await page.locator(".st-key-login_username input").fill(f"staff{n}")
        await page.locator(".st-key-login_password input").fill(PASSWORD)
        await page.locator(".st-key-login_submit button").click()
        await page.locator(".st-key-app_logout").wait_for()
        saves = 0
        await asyncio.sleep(think * n / 64)          # staggered: staff do not all press Save in the same second
        while time.monotonic() < until:
            await asyncio.sleep(think)
            await go(page, "register")
            given, family = name(n * 10_000 + saves), name(n * 10_000 + saves + 5_000)
            await page.locator(".st-key-register_given_name input").fill(given)
            await page.locator(".st-key-register_family_name input").fill(family)
            await page.locator(".st-key-register_phone input").fill(f"06 1{n:03d}{saves:04d}")   # a valid mobile
            if not await page.locator(".st-key-register_consent_contact input").is_checked():
                await page.locator(".st-key-register_consent_contact label").click()
            await page.locator(".st-key-register_source_name input").fill("Markt Oost")
            country = page.locator(".st-key-register_phone_country input")
            if not (await country.input_value()).startswith("Nederland"):   # seen now and then (docs/scaling.md)
                result["country_reset"] += 1
                await country.click()
                await page.keyboard.type("Nederland")
                await page.keyboard.press("Enter")
            saved = page.locator(".st-key-register_submit_feedback").get_by_text(given).first
            confirm = page.locator(".st-key-register_confirm_new button")
            started = time.monotonic()
            await page.locator(".st-key-register_submit button").click()
            await saved.or_(confirm).wait_for()
            result["latencies"].append(time.monotonic() - started)
            if not await saved.is_visible():          # a look-alike name: the duplicate check asks first
                started = time.monotonic()
                await confirm.click()
                await saved.wait_for()
                result["latencies"].append(time.monotonic() - started)
            result["confirmed"].add((given, family))
            saves += 1
            if await page.get_by_test_id("stException").count():
                result["errors"].append("exception on the page")
            if saves % 4 == 0:
                await go(page, "find")
                await page.locator(".st-key-find_query input").fill(family)
                await page.locator(".st-key-find_query input").press("Enter")
                await page.locator(".st-key-find_table").wait_for()
    except Exception as exc:       # a timeout, a connection error: counted, the step fails
        result["errors"].append(type(exc).__name__)
        if os.environ.get("CAPACITY_DEBUG"):
            print(str(exc)[:400], flush=True)
            await page.screenshot(path=f"/tmp/capacity-{n}.png")
    finally:
        await context.close()


async def wire_member(url: str, n: int, until: float, think: float, result: dict) -> None:
    """The same staff member over the wire (benchmarks.wire): the browser's round trips, nothing drawn.

    `think` is spread over the seven round trips of a registration, as a person types field after field."""
    tab = Tab(url)
    pause = think / 7
    try:
        await tab.open()
        await tab.type("login_username", f"staff{n}")
        await tab.type("login_password", PASSWORD)
        await tab.press("login_submit")
        if "app_logout" not in tab.ids:
            raise RuntimeError("not logged in")
        saves = 0
        await asyncio.sleep(think * n / 64)          # staggered: staff do not all press Save in the same second
        while time.monotonic() < until:
            given, family = name(n * 10_000 + saves), name(n * 10_000 + saves + 5_000)
            await tab.go("register")
            for field, text in (("register_given_name", given), ("register_family_name", family),
                                ("register_phone", f"06 1{n:03d}{saves:04d}"), ("register_source_name", "Markt Oost")):
                await asyncio.sleep(pause)
                await tab.type(field, text)
            await asyncio.sleep(pause)
            await tab.tick("register_consent_contact")
            await asyncio.sleep(pause)
            started = time.monotonic()
            await tab.press("register_submit")
            result["latencies"].append(time.monotonic() - started)
            if not tab.shows(f"{given} {family}") and "register_confirm_new" in tab.ids:   # a look-alike name
                started = time.monotonic()
                await tab.press("register_confirm_new")
                result["latencies"].append(time.monotonic() - started)
            if not tab.shows(f"{given} {family}"):
                raise RuntimeError("save not confirmed")
            result["confirmed"].add((given, family))
            saves += 1
            if saves % 4 == 0:
                await tab.go("find")
                await tab.type("find_query", family)
        await tab.close()
    except Exception as exc:       # a refused connection, a closed socket, a save not confirmed: the step fails
        result["errors"].append(type(exc).__name__)
        if os.environ.get("CAPACITY_DEBUG"):
            print(n, repr(exc)[:400], flush=True)


async def step(url: str, sessions: int, seconds: float, think: float, client: str) -> dict:
    result = {"latencies": [], "confirmed": set(), "errors": [], "country_reset": 0}
    until = time.monotonic() + seconds
    if client == "wire":
        await asyncio.gather(*(wire_member(url, n, until, think, result) for n in range(sessions)))
        return result
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        await asyncio.gather(*(staff_member(browser, url, n, until, think, result) for n in range(sessions)))
        await browser.close()
    return result


def cpu_seconds(pid: int) -> float:
    """The CPU time (user + system) a process has used so far (Linux /proc): the server's share of the machine."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def rss_mb(pid: int) -> float:
    """The process's resident memory now (Linux /proc): that skipping the collection after each run costs none."""
    line = next(line for line in Path(f"/proc/{pid}/status").read_text().splitlines() if line.startswith("VmRSS:"))
    return round(int(line.split()[1]) / 1024, 1)


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1] if len(values) >= 2 else (values[0] if values else float("nan"))


def run(sizes: list[int], seconds: float, think: float = 0, keep_going: bool = False,
        client: str = "browser") -> list[dict]:
    rows, folder = [], Path(tempfile.mkdtemp(prefix="crm-capacity-"))
    try:
        template = folder / "template.duckdb"
        store = Store(template)
        with users.hashing_with(CHEAP_HASHER):
            fill_demo(store, persons=2000, seed=2026)
            for n in range(max(sizes)):
                users.add(store, CLI_OPERATOR, f"staff{n}", f"Staff {name(n)}", "outreach", PASSWORD)
        store.close()
        for sessions in [1, *(n for n in sizes if n != 1)]:
            db = folder / f"n{sessions}.duckdb"
            shutil.copyfile(template, db)
            shutil.copyfile(audit_key.key_file(template), audit_key.key_file(db))   # the audit chain's key
            server = Server(db, folder / f"n{sessions}.log")
            try:
                started, server_cpu = time.monotonic(), cpu_seconds(server.process.pid)
                client_cpu = time.process_time()
                result = asyncio.run(step(server.url, sessions, seconds, think, client))
                elapsed = time.monotonic() - started
                server_cpu = cpu_seconds(server.process.pid) - server_cpu
                memory = rss_mb(server.process.pid)
                client_cpu = time.process_time() - client_cpu
            finally:
                server.stop()
            check = Store(db)
            with check.read() as cur:
                stored = {tuple(r) for r in cur.execute("SELECT given_name, family_name FROM person").fetchall()}
            check.close()
            lost = len(result["confirmed"] - stored)
            lat = result["latencies"]
            rows.append({"sessions": sessions, "saves": len(lat), "saves_per_s": round(len(lat) / elapsed, 2),
                         "p50_ms": round(1000 * statistics.median(lat), 1) if lat else None,
                         "p95_ms": round(1000 * p95(lat), 1) if lat else None,
                         "server_cpu_share": round(server_cpu / elapsed / os.cpu_count(), 2),
                         "server_cpu_ms_per_save": round(1000 * server_cpu / len(lat), 1) if lat else None,
                         "server_rss_mb": memory,
                         "client_cpu_share": round(client_cpu / elapsed / os.cpu_count(), 2),
                         "errors": len(result["errors"]) + lost, "error_kinds": sorted(set(result["errors"])),
                         "lost_saves": lost, "country_reset": result["country_reset"]})
            print_row(rows[-1], rows[0])
            if sessions > 1 and (rows[-1]["errors"] or (rows[-1]["p95_ms"] or 0) > 1000 * P95_LIMIT_S) and not keep_going:
                break
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return rows


def print_row(row: dict, base: dict) -> None:
    ratio = row["p95_ms"] / base["p95_ms"] if row["p95_ms"] and base["p95_ms"] else float("nan")
    print(f"{row['sessions']:>8} {row['saves']:>6} {row['saves_per_s']:>8} {row['p50_ms']!s:>8} {row['p95_ms']!s:>8} "
          f"{ratio:>6.2f} {row['server_cpu_share']:>10.0%} {row['server_cpu_ms_per_save']!s:>9} "
          f"{row['server_rss_mb']:>8} {row['errors']:>6} {', '.join(row['error_kinds'])}", flush=True)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", default="8,16,32,64,96,128")
    parser.add_argument("--seconds", type=float, default=90)
    parser.add_argument("--client", choices=("browser", "wire"), default="wire",
                        help="browser: headless Chromium; wire: the browser's round trips without drawing")
    parser.add_argument("--think", type=float, default=20,
                        help="seconds of typing per registration (wire: spread over its round trips; browser: before it)")
    parser.add_argument("--all", action="store_true", help="run every step, also past the limit")
    parser.add_argument("--out", default=str(ROOT / "benchmarks" / "results" / "capacity.json"))
    args = parser.parse_args(argv)
    sizes = [int(x) for x in args.sessions.split(",")]
    print(f"{'sessions':>8} {'saves':>6} {'saves/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'x 1':>6} {'server CPU':>10} "
          f"{'CPU/save':>9} {'RSS MB':>8} {'errors':>6}")
    rows = run(sizes, args.seconds, args.think, args.all, args.client)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({"machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
                               "client": args.client, "seconds_per_step": args.seconds, "think_s": args.think,
                               "p95_limit_ms": 1000 * P95_LIMIT_S, "steps": rows},
                              indent=1))
    print(f"written {out}")


if __name__ == "__main__":
    main()
