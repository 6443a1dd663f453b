"""`rag bench load`: a bounded loopback load test (locust, headless) against a running server, with its
memory."""

from __future__ import annotations

import csv
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx

LOCUSTFILE = Path(__file__).resolve().parents[1] / "bench" / "locustfile.py"


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _server_pid(url: str) -> int | None:
    """The pid listening on the server's port (from /proc/net/tcp), to sample its memory."""
    port = int(url.rsplit(":", 1)[1].split("/")[0])
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            parts = line.split()
            if int(parts[1].split(":")[1], 16) == port and parts[3] == "0A":  # LISTEN
                inodes.add(parts[9])
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            for fd in (proc / "fd").iterdir():
                link = fd.readlink().name
                if link.startswith("socket:[") and link[8:-1] in inodes:
                    return int(proc.name)
        except (PermissionError, FileNotFoundError, OSError):
            continue
    return None


def run_load(
    url: str, questions: Path, *, seconds: int = 60, searchers: int = 20, askers: int = 4, out_dir: Path
) -> dict:
    """Run locust headless for `seconds`; return throughput, p50/p95/p99 and errors per route, and the
    server's memory."""
    httpx.get(f"{url}/readyz", timeout=30).raise_for_status()
    for q in ("warm up the search path", "warm up the answer path"):  # first calls load lazy parts
        httpx.post(f"{url}/v1/ask", json={"question": q}, timeout=120)
    sampler = _RssSampler(_server_pid(url))
    prefix = out_dir / "locust"
    env = {
        "RAG_LOAD_QUESTIONS": str(questions),
        "RAG_LOAD_SEARCHERS": str(searchers),
        "RAG_LOAD_ASKERS": str(askers),
    }
    users = str(searchers + askers)
    cmd = [sys.executable, "-m", "locust", "-f", str(LOCUSTFILE), "--headless", "-u", users, "-r", users]
    cmd += [
        "-t",
        f"{seconds}s",
        "--host",
        url,
        "--csv",
        str(prefix),
        "--only-summary",
        "--stop-timeout",
        "120",
    ]
    with sampler:
        subprocess.run(cmd, env={**os.environ, **env}, capture_output=True, text=True, timeout=seconds + 300)
    routes = _route_stats(Path(f"{prefix}_stats.csv"))
    return {
        "seconds": seconds,
        "searchers": searchers,
        "askers": askers,
        "routes": routes,
        "errors": sum(r["failures"] for r in routes.values()),
        "server_rss_mb": sampler.summary(),
        "rss_samples": sampler.samples,
    }


class _RssSampler:
    """The server's resident memory every 2 s while the load runs."""

    def __init__(self, pid: int | None) -> None:
        self.pid, self.samples = pid, []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> _RssSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        t0 = time.time()
        while not self._stop.is_set() and self.pid:
            self.samples.append((round(time.time() - t0, 1), round(_rss_mb(self.pid), 1)))
            self._stop.wait(2.0)

    def summary(self) -> dict:
        rss = [m for _, m in self.samples]
        settle = rss[len(rss) // 4 :] or rss  # after the first quarter, caches are warm
        return {
            "start": rss[0] if rss else None,
            "end": rss[-1] if rss else None,
            "max": max(rss) if rss else None,
            "growth_after_warmup": round(settle[-1] - settle[0], 1) if settle else None,
        }


def _route_stats(csv_path: Path) -> dict[str, dict]:
    """Locust's per-route summary: requests, failures, throughput and latency percentiles."""
    routes = {}
    with open(csv_path) as f:
        for row in csv.DictReader(f):
            if row["Name"] == "Aggregated":
                continue
            routes[row["Name"]] = {
                "requests": int(row["Request Count"]),
                "failures": int(row["Failure Count"]),
                "rps": round(float(row["Requests/s"]), 2),
                "p50_ms": float(row["50%"]),
                "p95_ms": float(row["95%"]),
                "p99_ms": float(row["99%"]),
            }
    return routes
