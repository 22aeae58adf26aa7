"""Benchmark Fahrplan under gunicorn against a Flask hello world, on SQLite and PostgreSQL.

Run: .venv/bin/python bench/run.py [--quick] [--backend sqlite] [--sizes 14,1000]
(see bench/README.md). Prints one table row per backend, size, endpoint and concurrency, then
the issue's targets with held or missed.
"""
import argparse
import contextlib
import http.client
import json
import math
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(BENCH))

import generate  # noqa: E402
import load  # noqa: E402

# The project's gunicorn.conf.py for both the app and the hello world: the same settings.
GUNICORN = [str(ROOT / ".venv" / "bin" / "gunicorn"), "--workers", "2", "--worker-class", "sync",
            "--config", str(ROOT / "gunicorn.conf.py")]
ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
BENCH_DATABASE = "fahrplan_bench"
# (name, URL pattern filled from generate.targets); every one answers 200.
ENDPOINTS = [
    ("measure", "/measures/{page}"),
    ("history", "/measures/{history}/history"),
    ("diff", "/measures/{history}/diff?from={diff[0]}&to={diff[1]}"),
    ("search", "/search?q={search}"),
    ("search_common", "/search?q={common}"),
    ("architecture", "/architecture"),
    ("timeline", "/timeline"),
    ("dependencies", "/dependencies"),
    ("as_of", "/timeline?as_of={as_of}"),
    ("start", "/"),
    ("api_list", "/api/measures"),
]
# Also measured as the first request after a change (a comment), when no worker has it kept.
AFTER_CHANGE = ("measure", "architecture", "timeline", "dependencies", "as_of", "start",
                "api_list")
# At 14 and 10,000 measures only what the targets compare across sizes.
SIZE_ENDPOINTS = {14: ("measure",), 10_000: ("measure", "search", "search_common")}
KEY = ("measure", 8)  # the cell repeated side by side with the ceiling
MIN_SAMPLES = 10  # requests at concurrency 1 below which a percentile says little
MAX_SECONDS = 10  # the longest wrk run


def free_port():
    """Return a TCP port on loopback that is free now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """A gunicorn with 2 sync workers on a free loopback port, stopped on exit."""

    def __init__(self, app, env=None, cwd=ROOT, probe="/login"):
        """Remember what to start: the WSGI app ("wsgi:app"), environment, folder, a cheap URL.

        The probe must be cheap: the start page at 10,000 measures alone lifts a worker's
        peak memory to about 250 MB, which would then show on every row.
        """
        self.app, self.env, self.cwd, self.port = app, env or {}, cwd, free_port()
        self.probe = probe

    def __enter__(self):
        """Start gunicorn and wait until it answers."""
        env = {**os.environ, **self.env}
        self.log = tempfile.TemporaryFile()
        self.process = subprocess.Popen(  # noqa: S603 (fixed command)
            [*GUNICORN, "--bind", f"127.0.0.1:{self.port}", self.app], cwd=self.cwd, env=env,
            stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            with contextlib.suppress(OSError):
                if get(self.port, self.probe)[0] == 200:
                    return self
            if self.process.poll() is not None:
                break
            time.sleep(0.2)
        self.log.seek(0)
        raise RuntimeError(f"gunicorn {self.app} startet nicht:\n{self.log.read().decode()}")

    def __exit__(self, *exc):
        """Stop gunicorn (SIGTERM to the master: it stops its workers)."""
        self.process.terminate()
        self.process.wait(timeout=30)
        self.log.close()

    def workers(self):
        """Return the pids of the worker processes."""
        path = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return [int(pid) for pid in path.read_text().split()]

    def peak_rss_mb(self, key="VmHWM"):
        """Return the peak resident memory (VmHWM; VmRSS: the current one) of each worker in MB."""
        peaks = []
        for pid in self.workers():
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith(f"{key}:"):
                    peaks.append(int(line.split()[1]) / 1024)
        return peaks


def get(port, path, cookie=None):
    """GET path once; return (status, seconds)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    started = time.perf_counter()
    connection.request("GET", path, headers={"Cookie": cookie} if cookie else {})
    response = connection.getresponse()
    response.read()
    connection.close()
    return response.status, time.perf_counter() - started


def wrk(port, path, concurrency, seconds, cookie=None):
    """Run wrk against path; return req/s, p50/p95/p99 in ms and the error count."""
    command = ["wrk", "-t", str(min(2, concurrency)), "-c", str(concurrency), "-d",
               f"{seconds}s", "--timeout", "10s", "-s", str(BENCH / "report.lua")]
    if cookie:
        command += ["-H", f"Cookie: {cookie}"]
    output = subprocess.run([*command, f"http://127.0.0.1:{port}{path}"],  # noqa: S603
                            capture_output=True, text=True, check=True).stdout
    line = next(line for line in output.splitlines() if line.startswith("JSON "))
    result = json.loads(line[5:])
    return {"rps": result["requests"] / (result["duration_us"] / 1e6),
            "p50": result["p50"] / 1000, "p95": result["p95"] / 1000,
            "p99": result["p99"] / 1000, "n": result["requests"],
            "errors": result["status_errors"] + result["socket_errors"]}


def wrk_enough(port, path, concurrency, seconds, cookie=None):
    """Run wrk; at concurrency 1 run longer (up to 10 s) when it got fewer than MIN_SAMPLES."""
    result = wrk(port, path, concurrency, seconds, cookie)
    if concurrency == 1 and result["n"] < MIN_SAMPLES:
        longer = min(MAX_SECONDS, math.ceil(seconds * MIN_SAMPLES / max(result["n"], 1)))
        result = wrk(port, path, concurrency, longer, cookie)
    return result


def median_result(results):
    """Return the median of each figure over repeated runs."""
    return {key: statistics.median(r[key] for r in results) for key in results[0]}


def timed(seconds_list):
    """Return the figures of sequential request times, like a concurrency-1 wrk result."""
    ms = sorted(s * 1000 for s in seconds_list)
    quantile = statistics.quantiles(ms, n=100, method="inclusive")
    return {"rps": len(ms) / sum(seconds_list), "p50": statistics.median(ms),
            "p95": quantile[94], "p99": quantile[98], "n": len(ms), "errors": 0}


class Bench:
    """One run: its options, the hello-world server and every result row."""

    def __init__(self, args):
        """Remember the options; rows collect dicts for the table."""
        self.args, self.rows, self.generation = args, [], {}

    def ceiling(self, hello, concurrency):
        """Measure the hello world at one concurrency."""
        return wrk(hello.port, "/", concurrency, self.args.duration)

    def block(self, hello, backend, size, url, instance):
        """Fill a database, serve it, measure every endpoint of this size; add the rows."""
        seconds, found = generate.fill(url, size, instance)
        self.generation[(backend, size)] = seconds
        print(f"# {backend} {size}: generiert in {seconds:.1f} s", flush=True)
        env = {"FAHRPLAN_DATABASE_URL": url, "FAHRPLAN_SECRET_KEY": "bench-secret",
               "FAHRPLAN_INSTANCE_PATH": instance}
        with Server("wsgi:app", env) as app:
            self.server = app
            client = load.Client(app.port)
            load.login(client, generate.BENCH_USER, generate.BENCH_PASSWORD)
            cookie = None if self.args.anonymous else client.cookie_header
            ceilings = {c: [self.ceiling(hello, c)] for c in self.args.concurrency}
            names = SIZE_ENDPOINTS.get(size, [name for name, _ in ENDPOINTS])
            for name, pattern in ENDPOINTS:
                if name in names:
                    self._endpoint(app, hello, ceilings, name, pattern.format(**found), cookie)
            if size not in SIZE_ENDPOINTS:
                self._writes(client, ceilings, found)
            rss, now = app.peak_rss_mb(), app.peak_rss_mb("VmRSS")
        for row in self.rows:
            if (row["backend"], row["size"]) == (backend, size):
                row["ratio"] = row["rps"] / statistics.median(
                    r["rps"] for r in ceilings[row["c"]])
        self.rows.append({"backend": backend, "size": size, "endpoint": "(hello world)",
                          "c": None, "rss_workers": rss, "rss": max(rss), "rss_now": now})

    def _endpoint(self, app, hello, ceilings, name, path, cookie):
        """Warm up (and check for 200), then measure one endpoint at every concurrency."""
        # Two at a time, so that both workers have rendered the page (and kept its fragments)
        # before it is measured, as in a running installation; one at a time often reaches
        # the same worker, and the other's first, cold request then ends up in the figures.
        with ThreadPoolExecutor(2) as pool:
            for status, _seconds in pool.map(lambda _: get(app.port, path, cookie),
                                             range(2 * self.args.warm_up)):
                if status != 200:
                    raise RuntimeError(f"{path}: {status}")
        single = None  # the concurrency-1 median, to size the runs at higher concurrency
        for concurrency in self.args.concurrency:
            seconds = self.args.duration
            if single and concurrency > 1:
                # Two rounds of all connections over the 2 workers; wrk counts only finished
                # requests, so a shorter run of a slow page would show nothing.
                needed = math.ceil(concurrency * single["p50"] / 1000)
                if needed > MAX_SECONDS:
                    print(f"  {name:20} c={concurrency:<3} übersprungen (bräuchte {needed} s)")
                    continue
                seconds = max(seconds, needed)
            runs = [wrk_enough(app.port, path, concurrency, seconds, cookie)]
            single = single or (runs[0] if concurrency == 1 else None)
            if (name, concurrency) == KEY:  # side by side with the ceiling, repeated
                for _ in range(self.args.repeat - 1):
                    ceilings[concurrency].append(self.ceiling(hello, concurrency))
                    runs.append(wrk(app.port, path, concurrency, seconds, cookie))
            self._add(name, concurrency, median_result(runs), max(app.peak_rss_mb()))

    def _writes(self, client, ceilings, found):
        """Save a measure and post comments sequentially, as the browser's forms do."""
        if 1 not in ceilings:
            ceilings[1] = [self.ceiling_hello_1]
        self._add("save", 1, timed(load.saves(client, found["save"], self.args.writes)),
                  max(self.server.peak_rss_mb()))
        self._add("comment", 1, timed(load.comments(client, found["comment"],
                                                    self.args.writes)),
                  max(self.server.peak_rss_mb()))
        paths = dict(ENDPOINTS)
        for name in AFTER_CHANGE:
            path = paths[name].format(**found)
            self._add(f"{name}_changed", 1, timed(load.after_changes(
                client, found["comment"], path, self.args.after_changes)),
                max(self.server.peak_rss_mb()))

    def _add(self, name, concurrency, result, rss=None):
        """Record one result row of the block being measured (rss: workers' peak so far)."""
        self.rows.append({"backend": self.backend, "size": self.size, "endpoint": name,
                          "c": concurrency, "rss": rss, **result})
        print(f"  {name:20} c={concurrency:<3} {result['rps']:8.1f} req/s  "
              f"p50 {result['p50']:7.1f}  p95 {result['p95']:7.1f} ms", flush=True)


def sqlite_blocks(bench, hello, folder):
    """Measure every size on a SQLite file."""
    for size in bench.args.sizes:
        instance = tempfile.mkdtemp(dir=folder)
        bench.backend, bench.size = "sqlite", size
        bench.block(hello, "sqlite", size, f"sqlite:///{instance}/bench.db", instance)
        shutil.rmtree(instance)


def postgres_blocks(bench, hello, folder):
    """Measure every size on a fresh PostgreSQL database fahrplan_bench, dropped afterwards."""
    import psycopg2

    admin = bench.args.postgres or subprocess.run(
        [str(ROOT / "scripts" / "ensure-postgres.sh")], capture_output=True, text=True,
        check=True).stdout.strip()
    url = admin.rsplit("/", 1)[0] + "/" + BENCH_DATABASE
    for size in bench.args.sizes:
        connection = psycopg2.connect(admin)
        connection.autocommit = True
        with connection.cursor() as cursor:
            cursor.execute(f"DROP DATABASE IF EXISTS {BENCH_DATABASE}")
            cursor.execute(f"CREATE DATABASE {BENCH_DATABASE}")
        bench.backend, bench.size = "postgresql", size
        try:
            bench.block(hello, "postgresql", size, url, tempfile.mkdtemp(dir=folder))
        finally:
            with connection.cursor() as cursor:
                cursor.execute(f"DROP DATABASE IF EXISTS {BENCH_DATABASE} WITH (FORCE)")
            connection.close()


def print_table(rows):
    """Print the result table."""
    print(f"\n{'backend':10} {'size':>6} {'endpoint':20} {'c':>3} {'req/s':>8} {'÷hello':>7} "
          f"{'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'n':>6} {'RSS MB':>7}")
    for row in rows:
        if row["c"] is None:
            workers = "/".join(f"{mb:.0f}" for mb in row["rss_workers"])
            now = "/".join(f"{mb:.0f}" for mb in row["rss_now"])
            print(f"{row['backend']:10} {row['size']:>6} peak RSS per worker: {workers} MB "
                  f"(at the end: {now} MB)")
            continue
        errors = f"  ({row['errors']:.0f} errors)" if row["errors"] else ""
        print(f"{row['backend']:10} {row['size']:>6} {row['endpoint']:20} {row['c']:>3} "
              f"{row['rps']:8.1f} {row['ratio']:7.3f} {row['p50']:8.1f} {row['p95']:8.1f} "
              f"{row['p99']:8.1f} {row['n']:6.0f} {row['rss']:7.0f}{errors}")


def find(rows, backend, size, endpoint, concurrency):
    """Return the row of one cell, or None when it was not measured."""
    return next((r for r in rows if (r["backend"], r["size"], r["endpoint"], r["c"])
                 == (backend, size, endpoint, concurrency)), None)


def targets(rows, backend):
    """Yield (target, measured text, held) for the issue's targets on one backend."""
    def cell(size, endpoint, concurrency, key):
        row = find(rows, backend, size, endpoint, concurrency)
        return None if row is None or not row["n"] else row[key]

    checks = [
        ("measure page c=8 ≥ 20 % of hello", cell(1000, "measure", 8, "ratio"), 0.20, "≥"),
        ("measure page p95 (c=1) < 10 ms", cell(1000, "measure", 1, "p95"), 10, "<"),
        ("history (500 rev.) p95 (c=1) < 20 ms", cell(1000, "history", 1, "p95"), 20, "<"),
        ("diff p95 (c=1) < 20 ms", cell(1000, "diff", 1, "p95"), 20, "<"),
        ("save median < 15 ms", cell(1000, "save", 1, "p50"), 15, "<"),
        ("search at 10,000 p95 (c=1) < 30 ms", cell(10_000, "search", 1, "p95"), 30, "<"),
        ("architecture p95 (c=1) < 150 ms", cell(1000, "architecture", 1, "p95"), 150, "<"),
        ("timeline p95 (c=1) < 150 ms", cell(1000, "timeline", 1, "p95"), 150, "<"),
        ("dependencies p95 (c=1) < 150 ms", cell(1000, "dependencies", 1, "p95"), 150, "<"),
        ("as_of timeline p95 (c=1) < 300 ms", cell(1000, "as_of", 1, "p95"), 300, "<"),
        ("after a change: measure page p95 < 10 ms",
         cell(1000, "measure_changed", 1, "p95"), 10, "<"),
        ("after a change: architecture p95 < 150 ms",
         cell(1000, "architecture_changed", 1, "p95"), 150, "<"),
        ("after a change: timeline p95 < 150 ms",
         cell(1000, "timeline_changed", 1, "p95"), 150, "<"),
        ("after a change: dependencies p95 < 150 ms",
         cell(1000, "dependencies_changed", 1, "p95"), 150, "<"),
        ("after a change: as_of timeline p95 < 300 ms",
         cell(1000, "as_of_changed", 1, "p95"), 300, "<"),
    ]
    small, large = cell(14, "measure", 1, "p50"), cell(10_000, "measure", 1, "p50")
    checks.append(("measure page p50 at 10,000 ≤ 1.1 × at 14",
                   large / small if small and large else None, 1.10, "≤"))
    small, large = cell(14, "measure", 8, "rps"), cell(10_000, "measure", 8, "rps")
    checks.append(("measure page req/s c=8 at 10,000 ≥ 0.9 × at 14",
                   large / small if small and large else None, 0.90, "≥"))
    peaks = [r["rss"] for r in rows if r["backend"] == backend and r["c"] is None]
    checks.append(("peak RSS per worker < 80 MB", max(peaks) if peaks else None, 80, "<"))
    for label, value, limit, op in checks:
        if value is None:
            continue
        held = value >= limit if op == "≥" else value <= limit if op == "≤" else value < limit
        yield label, value, held


def parse(argv=None):
    """Return the options; --quick sets short durations, two sizes and few writes."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true",
                        help="kurz: 1 s je Messung, Größen 14 und 1000, c=1 und 8")
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--sizes", help="z. B. 14,1000,10000 (Vorgabe)")
    parser.add_argument("--concurrency", help="z. B. 1,8,32 (Vorgabe)")
    parser.add_argument("--duration", type=int, help="Sekunden je wrk-Lauf (Vorgabe 2)")
    parser.add_argument("--repeat", type=int, help="Läufe der Maßnahmenseite c=8 neben "
                                                   "Hello World (Median; Vorgabe 3)")
    parser.add_argument("--writes", type=int, help="Speichern und Kommentare je Größe "
                                                   "(Vorgabe 50)")
    parser.add_argument("--warm-up", type=int, default=5,
                        help="Anfragen je Worker vor jeder Messung")
    parser.add_argument("--anonymous", action="store_true",
                        help="Lesen ohne Anmeldung (Vorgabe: als angemeldete Bearbeiterin)")
    parser.add_argument("--postgres", help="Admin-URL des PostgreSQL-Servers "
                                           "(Vorgabe: scripts/ensure-postgres.sh)")
    parser.add_argument("--json", help="Ergebniszeilen zusätzlich als JSON in diese Datei")
    args = parser.parse_args(argv)
    quick = args.quick
    args.sizes = [int(s) for s in (args.sizes or ("14,1000" if quick else "14,1000,10000")
                                   ).split(",")]
    args.concurrency = [int(c) for c in (args.concurrency or ("1,8" if quick else "1,8,32")
                                         ).split(",")]
    args.duration = args.duration or (1 if quick else 2)
    args.repeat = args.repeat or (1 if quick else 3)
    args.writes = args.writes or (10 if quick else 50)
    args.after_changes = 5 if quick else 10
    return args


def main(argv=None):
    """Run the benchmark and print the table and the targets."""
    args = parse(argv)
    if shutil.which("wrk") is None:
        raise SystemExit("wrk fehlt: apt-get install wrk")
    started = time.perf_counter()
    bench = Bench(args)
    with tempfile.TemporaryDirectory(prefix="fahrplan-bench-") as folder, \
            Server("hello:app", cwd=BENCH, probe="/") as hello:
        if 1 not in args.concurrency:
            bench.ceiling_hello_1 = wrk(hello.port, "/", 1, args.duration)
        backends = ["sqlite", "postgresql"] if args.backend == "both" else [args.backend]
        for backend in backends:
            (sqlite_blocks if backend == "sqlite" else postgres_blocks)(bench, hello, folder)
        hello_rss = hello.peak_rss_mb()
    print_table(bench.rows)
    print(f"hello world: peak RSS per worker {'/'.join(f'{mb:.0f}' for mb in hello_rss)} MB")
    for backend in backends:
        print(f"\nZiele ({backend}, 1,000 Maßnahmen wenn nicht anders genannt):")
        for label, value, held in targets(bench.rows, backend):
            print(f"  {'ok     ' if held else 'VERFEHLT'} {label}: {value:.2f}")
    generation = ", ".join(f"{b} {s}: {t:.0f} s" for (b, s), t in bench.generation.items())
    print(f"\nGesamtlaufzeit {time.perf_counter() - started:.0f} s (Generierung: {generation})")
    if args.json:
        Path(args.json).write_text(json.dumps(bench.rows, indent=1, default=str))


if __name__ == "__main__":
    main()
