"""TUI figures at 100,000 bookings: launch time, search keystroke latency, peak memory.

    .venv/bin/python bench/tui.py [--data-dir DIR] [--runs 5] [--keep]

* launch: process start → the first frame showing the reservations list with
  its rows, against a bare Textual app (one Static) → its first frame, same
  machine, same run, median of ``--runs`` launches each (target ≤ 3×);
* search: a keystroke in the search box → the table showing that query's
  rows, repainted (p95 over typing, erasing and retyping; target < 100 ms);
* memory: peak RSS (VmHWM) of the app process that typed and paged (target < 200 MB).

deskpay's bytecode is compiled first, as installing it does: on a checkout
run with PYTHONDONTWRITEBYTECODE=1 every launch would otherwise compile its
fifty modules again (~40 ms) — a cost no installed desk pays.

The 100,000 bookings are loaded once with ``load_demo`` into a temporary data
dir (or into ``--data-dir``, reused when it already holds them). Each figure
is measured in a subprocess so that imports and memory are the app's own.
Prints the figures and the targets; exits 1 when a target is missed.
"""

from __future__ import annotations

import argparse
import compileall
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

BOOKINGS = 100_000
LAUNCH_RATIO_TARGET = 3.0
KEYSTROKE_P95_TARGET_MS = 100.0
PEAK_MEMORY_TARGET_MB = 200.0
SIZE = (120, 40)
TYPED = ["martin", "dupont", "r-2026-0001", "example.org", "06 39"]


def _settings(data_dir: Path):
    from deskpay.config import load_settings
    from deskpay.services.demo_business import business_overrides

    return load_settings(data_dir=data_dir, embedded_worker=False, operator="bench", **business_overrides())


def _ready(fd_text: str) -> None:
    # Textual captures print() while an app runs: write to the real stdout.
    os.write(1, (fd_text + "\n").encode())


# --- children ------------------------------------------------------------------------------------------------


def _exit_at_first_frame(app, shows: Callable[[], bool]) -> None:
    """Print READY and exit when ``app`` hands the terminal its first frame for which ``shows()`` holds.

    The moment a frame leaves the compositor is what a person at the desk
    sees; whatever the app does after it (the ORM loading in the
    background) is not launch time. Headless, ``App._display`` receives
    each rendered frame and writes nothing.
    """
    display = app._display
    done = False

    def displayed(screen, renderable) -> None:
        nonlocal done
        display(screen, renderable)
        if not done and renderable is not None and not app._batch_count and shows():
            done = True
            _ready("READY")
            app.exit()

    app._display = displayed


def child_bare() -> None:
    from textual.app import App, ComposeResult
    from textual.widgets import Static

    class Bare(App[None]):
        def compose(self) -> ComposeResult:
            yield Static("Hello")

    app = Bare()
    _exit_at_first_frame(app, lambda: True)
    app.run(headless=True, size=SIZE)


def child_app(data_dir: Path) -> None:
    from deskpay.tui.app import build_app
    from deskpay.tui.reservations.booking_table import BookingTable

    app = build_app(_settings(data_dir), start_worker=False, freeze_heap=True)  # as run_tui does

    def shows_rows() -> bool:
        tables = app.screen.query(BookingTable)
        return bool(tables) and tables.first().loaded > 0

    _exit_at_first_frame(app, shows_rows)
    try:
        app.run(headless=True, size=SIZE)
    finally:
        app.desk.close()


def child_keystrokes(data_dir: Path) -> None:
    import asyncio

    from textual import events

    import deskpay.tui.reservations.screen as reservations
    from deskpay.tui.app import build_app

    app = build_app(_settings(data_dir), start_worker=False, freeze_heap=True)  # as run_tui does
    samples: list[float] = []
    shares: list[float] = []  # a keystroke's time minus its own query's: what the app adds
    queries: list[float] = []
    search = reservations.search_bookings

    def timed_search(desk, query):
        started = time.perf_counter()
        try:
            return search(desk, query)
        finally:
            queries.append(time.perf_counter() - started)

    reservations.search_bookings = timed_search  # to tell the database's share from the app's

    async def key(p, name: str, char: str | None) -> None:
        # What a terminal sends: a Key event through the driver (Pilot.press adds idle waits of its own).
        event = events.Key(name, char)
        event.set_sender(p.app)
        p.app._driver.send_message(event)

    async def settled(p, text: str) -> None:
        screen = p.app.screen
        while screen.filter.text != text.strip() or screen._loading_first:
            await asyncio.sleep(0.0005)
        screen._on_timer_update()  # paint now, as the next screen refresh would

    async def pilot(p) -> None:
        from deskpay.tui.reservations.booking_table import BookingTable

        screen = p.app.screen
        while not (screen.query(BookingTable) and screen.query_one(BookingTable).loaded):
            await p.pause(0.005)
        await p.press("slash")
        await p.pause()
        typed = ""
        for word in TYPED:
            for char in word:
                typed += char
                start = time.perf_counter()
                await key(p, "space" if char == " " else char, char)
                await settled(p, typed)
                samples.append(time.perf_counter() - start)
                shares.append(samples[-1] - queries[-1])
                await asyncio.sleep(0.03)  # someone typing fast
            while typed:
                typed = typed[:-1]
                start = time.perf_counter()
                await key(p, "backspace", None)
                await settled(p, typed)
                samples.append(time.perf_counter() - start)
                shares.append(samples[-1] - queries[-1])
                await asyncio.sleep(0.03)
        # Page through the list (every page comes from the database) to weigh the memory.
        await p.press("escape", "escape")
        table = screen.query_one(BookingTable)
        for _ in range(40):
            await p.press("pagedown")
        while screen._loading_more:
            await p.pause(0.005)
        peak_kb = _peak_rss_kb()
        _ready(json.dumps({"samples": samples, "shares": shares, "peak_kb": peak_kb, "rows_loaded": table.loaded}))
        p.app.exit()

    try:
        app.run(headless=True, size=SIZE, auto_pilot=pilot)
    finally:
        app.desk.close()


def _peak_rss_kb() -> int:
    """This process's own peak resident memory.

    Not ``getrusage().ru_maxrss``: Linux carries that figure over fork and
    exec, so a child of the parent that just loaded 100,000 bookings
    (~290 MB) would report the parent's peak as its own.
    """
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


# --- parent --------------------------------------------------------------------------------------------------


def _spawn(*args: str) -> tuple[float, str]:
    """Seconds from spawning ``bench/tui.py args`` to its first stdout line, and that line."""
    start = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, __file__, *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        text=True,
    )
    line = process.stdout.readline()
    elapsed = time.perf_counter() - start
    _, errors = process.communicate(timeout=120)
    if process.returncode != 0 or not line:
        raise SystemExit(f"child {args} failed ({process.returncode}):\n{errors[-3000:]}")
    return elapsed, line.strip()


def _p95(values: list[float]) -> float:
    return values[min(len(values) - 1, int(round(0.95 * (len(values) - 1))))]


def _prepare(data_dir: Path) -> None:
    from deskpay.services.desk import open_desk

    settings = _settings(data_dir)
    desk = open_desk(settings, operator="bench")
    try:
        from sqlalchemy import func, select

        from deskpay.store.models import Booking

        with desk.read() as session:
            count = session.execute(select(func.count()).select_from(Booking)).scalar_one()
        if count != BOOKINGS:
            from deskpay.services.demo import load_demo

            print(f"loading {BOOKINGS:,} demo bookings into {data_dir} …", flush=True)
            started = time.perf_counter()
            load_demo(desk, bookings=BOOKINGS)
            print(f"  loaded in {time.perf_counter() - started:.1f} s", flush=True)
    finally:
        desk.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, help="reuse (or fill) this data dir instead of a temporary one")
    parser.add_argument("--runs", type=int, default=5, help="launches of each app for the median (default 5)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary data dir")
    parser.add_argument("--child", choices=("bare", "app", "keys"), help=argparse.SUPPRESS)
    parser.add_argument("--child-data", type=Path, help=argparse.SUPPRESS)
    options = parser.parse_args()

    if options.child == "bare":
        child_bare()
        return 0
    if options.child == "app":
        child_app(options.child_data)
        return 0
    if options.child == "keys":
        child_keystrokes(options.child_data)
        return 0

    temporary = None
    data_dir = options.data_dir
    if data_dir is None:
        temporary = Path(tempfile.mkdtemp(prefix="deskpay-bench-tui-"))
        data_dir = temporary
    try:
        _prepare(data_dir)
        compileall.compile_dir(Path(__file__).resolve().parent.parent / "deskpay", quiet=1)
        # Warm the OS file cache and the bytecode cache once for both, then alternate the runs.
        _spawn("--child", "bare")
        _spawn("--child", "app", "--child-data", str(data_dir))
        bare, app = [], []
        for _ in range(options.runs):
            bare.append(_spawn("--child", "bare")[0])
            app.append(_spawn("--child", "app", "--child-data", str(data_dir))[0])
        bare_s, app_s = statistics.median(bare), statistics.median(app)
        ratio = app_s / bare_s

        _, line = _spawn("--child", "keys", "--child-data", str(data_dir))
        report = json.loads(line)
        samples = sorted(s * 1000 for s in report["samples"])
        p50, p95 = statistics.median(samples), _p95(samples)
        share_p95 = _p95(sorted(s * 1000 for s in report["shares"]))
        peak_mb = report["peak_kb"] / 1024
    finally:
        if temporary is not None and not options.keep:
            shutil.rmtree(temporary, ignore_errors=True)

    checks = [
        (
            "launch → first list with rows",
            f"{app_s * 1000:.0f} ms vs bare Textual {bare_s * 1000:.0f} ms = {ratio:.2f}×",
            f"≤ {LAUNCH_RATIO_TARGET:.0f}×",
            ratio <= LAUNCH_RATIO_TARGET,
        ),
        (
            "search keystroke → table",
            f"p95 {p95:.0f} ms (p50 {p50:.0f}, max {samples[-1]:.0f}; "
            f"the app's share p95 {share_p95:.0f} ms; {len(samples)} keys)",
            f"< {KEYSTROKE_P95_TARGET_MS:.0f} ms",
            p95 < KEYSTROKE_P95_TARGET_MS,
        ),
        (
            "peak memory",
            f"{peak_mb:.0f} MB ({report['rows_loaded']} rows loaded after paging)",
            f"< {PEAK_MEMORY_TARGET_MB:.0f} MB",
            peak_mb < PEAK_MEMORY_TARGET_MB,
        ),
    ]
    print(f"deskpay TUI at {BOOKINGS:,} bookings, {SIZE[0]}×{SIZE[1]}, median of {options.runs} launches")
    for name, figure, target, ok in checks:
        print(f"  {'ok  ' if ok else 'MISS'} {name:<31} {figure:<78} target {target}")
    return 0 if all(ok for *_, ok in checks) else 1


if __name__ == "__main__":
    sys.exit(main())
