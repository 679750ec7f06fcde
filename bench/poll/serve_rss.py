#!/usr/bin/env python3
"""Peak memory of the daemon itself: `tinhop serve` with N [[source]] entries on a loopback nginx.

    python3 bench/poll/serve_rss.py --build BUILD_DIR --work SCRATCH --corpus DIR
                                    [--sources 10000] [--port 18093] [--listen-port 18094]

Starts a private nginx serving DIR's *.xml (../shared/bench/serve/nginx.conf.template), writes
SCRATCH/serve.toml with N sources (the files repeated with ?copy=K, per-host limit 64, no host
spacing, admin off, retention 10 years, as bench/poll/run.py's poll_bench runs them), runs
`tinhop serve`, samples /proc/PID/status every 0.2 s until every source has been polled once
(the health table), then fetches the merged feed three times and stops the daemon (SIGTERM). Prints one JSON line:
VmHWM (the kernel's peak RSS: at the end, and when the poll was done, before the feed requests) and
when it was reached while polling, the items stored, the poll's duration, each feed request's time,
and the resident memory by kind (main heap, anonymous mappings, files) at the highest VmRSS
sampled.
"""
import argparse
import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
import urllib.request

import private_nginx


def status(pid):
    text = open("/proc/%d/status" % pid).read()
    return {k: int(re.search(r"%s:\s+(\d+)" % k, text).group(1)) for k in ("VmHWM", "VmRSS")}


def split(pid):
    """Resident kB by kind of mapping: the main heap, anonymous mappings (thread arenas and
    blocks over the mmap threshold), mapped files (code and data of the libraries)."""
    kinds, kind = {}, None
    for line in open("/proc/%d/smaps" % pid):
        if re.match(r"^[0-9a-f]+-[0-9a-f]+ ", line):
            parts = line.split()
            name = parts[5] if len(parts) > 5 else ""
            kind = "heap" if name == "[heap]" else ("files" if name.startswith("/") else "anon")
        elif line.startswith("Rss:"):
            kinds[kind] = kinds.get(kind, 0) + int(line.split()[1])
    return kinds


def polled(db):
    try:
        con = sqlite3.connect("file:%s?mode=ro" % db, uri=True, timeout=1)
        try:
            return con.execute("SELECT count(*) FROM health WHERE polls >= 1").fetchone()[0]
        finally:
            con.close()
    except sqlite3.Error:
        return 0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--corpus", required=True)
    ap.add_argument("--sources", type=int, default=10000)
    ap.add_argument("--port", type=int, default=18093)
    ap.add_argument("--listen-port", type=int, default=18094)
    ap.add_argument("--timeout", type=float, default=1200)
    a = ap.parse_args()
    work = os.path.abspath(a.work)
    os.makedirs(work, exist_ok=True)
    corpus = os.path.abspath(a.corpus)
    files = sorted(f for f in os.listdir(corpus) if f.endswith(".xml"))
    db = os.path.join(work, "serve.db")
    private_nginx.remove_database(db)
    lines = [
        "[server]", 'listen = "127.0.0.1:%d"' % a.listen_port,
        "[admin]", "enabled = false",
        "[database]", 'path = "%s"' % db,
        "[fetch]", "per_host_concurrency = 64", "global_concurrency = 64", 'host_spacing = "0s"',
        # The generated corpus is dated 2024: the default 90 days would purge it a minute in.
        "[retention]", 'max_age = "3650d"',
        "[log]", 'level = "warn"',
    ]
    base = private_nginx.feeds_url(a.port)
    for i in range(a.sources):
        url = base + files[i % len(files)] + ("" if i < len(files) else "?copy=%d" % (i // len(files)))
        lines += ["[[source]]", 'url = "%s"' % url]
    config = os.path.join(work, "serve.toml")
    open(config, "w").write("\n".join(lines) + "\n")

    tinhop = os.path.join(os.path.abspath(a.build), "daemon", "tinhop")
    daemon = None
    with private_nginx.serving(work, corpus, a.port):
        try:
            start = time.monotonic()
            daemon = subprocess.Popen([tinhop, "serve", "--config", config], stdout=subprocess.DEVNULL)
            hwm_at, last_hwm, done, last_check, peak_split, split_rss = 0.0, 0, 0, 0.0, {}, 0
            while done < a.sources and time.monotonic() - start < a.timeout:
                if daemon.poll() is not None:
                    sys.exit("tinhop serve exited with %d" % daemon.returncode)
                s = status(daemon.pid)
                if s["VmHWM"] > last_hwm:
                    last_hwm, hwm_at = s["VmHWM"], time.monotonic() - start
                if s["VmRSS"] > split_rss + 1024:  # the split near the peak, sampled
                    split_rss, peak_split = s["VmRSS"], split(daemon.pid)
                if time.monotonic() - last_check > 2:
                    done, last_check = polled(db), time.monotonic()
                time.sleep(0.2)
            poll_s = time.monotonic() - start
            hwm_polling = status(daemon.pid)["VmHWM"]
            feed_bytes, feed_ms = 0, []
            for _ in range(3):
                t = time.monotonic()
                with urllib.request.urlopen("http://127.0.0.1:%d/feed.atom" % a.listen_port, timeout=60) as r:
                    feed_bytes = len(r.read())
                feed_ms.append(round((time.monotonic() - t) * 1000))
            s = status(daemon.pid)
            con = sqlite3.connect("file:%s?mode=ro" % db, uri=True)
            items = con.execute("SELECT count(*) FROM items").fetchone()[0]
            con.close()
            print(json.dumps({"sources": a.sources, "polled": done, "poll_s": round(poll_s, 1), "items": items,
                              "VmHWM_kB": s["VmHWM"], "VmHWM_polling_kB": hwm_polling,
                              "VmHWM_reached_s": round(hwm_at, 1),
                              "VmRSS_after_kB": s["VmRSS"], "feed_bytes": feed_bytes, "feed_ms": feed_ms,
                              "split_kB_at_sampled_peak": dict(peak_split, VmRSS=split_rss)}))
        finally:
            if daemon and daemon.poll() is None:
                daemon.send_signal(signal.SIGTERM)
                daemon.wait(timeout=60)


if __name__ == "__main__":
    main()
