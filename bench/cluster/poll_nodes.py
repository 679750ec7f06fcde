#!/usr/bin/env python3
"""Feeds polled per second by 1, 2, 3... `tinhop serve` nodes over one PostgreSQL database
(issue #18). Run it beside a private server:

    bench/pg/with-postgres python3 bench/cluster/poll_nodes.py --build build/release --work /tmp/pn
        [--sources 10000] [--hosts 100] [--items 5] [--nodes 1,2,3] [--window 60] [--port 18095]

Writes SOURCES small RSS files (ITEMS items each, ~2 KB) under WORK/feeds and serves them
from a private nginx (../shared/bench/serve/nginx.conf.template) listening on 127.0.0.1 to
127.0.0.HOSTS, one host per source modulo HOSTS, so the per-host claims spread as across a
newsroom's publishers. For each node count N, on a fresh database: the nodes (separate
processes, one config each that differs only in node name and listen port; interval 10 s,
no jitter, no host spacing, 64 fetches per node) start together; "first pass" is the time
until every source was polled once (fetch, parse, ingest of every item); "steady" is the
polls during the next WINDOW seconds, every source due again after 10 s, so the nodes poll
as fast as they can, nearly all answered 304. The health table's poll counts are read
with psql. CPU seconds of the nodes, of the PostgreSQL server (postmaster and its
backends) and of nginx in the steady window show where the time goes on this machine.
Prints one JSON line per N and a summary.
"""
import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SHARED = os.path.abspath(os.path.join(HERE, "..", "..", "..", "shared", "bench"))
TICKS = os.sysconf("SC_CLK_TCK")


def psql(url, sql):
    out = subprocess.run(["psql", "-X", "-q", "-A", "-t", "-d", url, "-c", sql], check=True,
                         capture_output=True, text=True).stdout
    return out.strip()


def cpu_seconds(pids):
    total = 0
    for pid in pids:
        try:
            fields = open("/proc/%d/stat" % pid).read().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])  # utime, stime
        except OSError:
            pass
    return total / TICKS


def children_of(parent):
    pids = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                if int(open("/proc/%s/stat" % entry).read().rsplit(")", 1)[1].split()[1]) == parent:
                    pids.append(int(entry))
            except OSError:
                pass
    return pids


def postgres_pids():
    postmaster = int(open(os.path.join(os.environ["TINHOP_BENCH_PG_DATA"], "postmaster.pid")).readline())
    return [postmaster] + children_of(postmaster)


def write_feeds(feeds, sources, items):
    os.makedirs(feeds, exist_ok=True)
    for s in range(sources):
        entries = "".join(
            "<item><guid>s%d-i%d</guid><title>Nguồn %d, tin %d: giá vàng và thời tiết</title>"
            "<link>https://tin-%d.example/%d.html</link><pubDate>Thu, 14 Mar 2024 %02d:00:00 GMT</pubDate>"
            "<description>Bản tin số %d của nguồn %d, viết riêng cho phép đo này.</description></item>"
            % (s, i, s, i, s, i, i % 24, i, s) for i in range(items))
        with open(os.path.join(feeds, "s%d.xml" % s), "w") as f:
            f.write('<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>S%d</title>'
                    "<link>https://tin-%d.example/</link>%s</channel></rss>" % (s, s, entries))


def start_nginx(work, feeds, port, hosts):
    prefix = os.path.join(work, "nginx")
    shutil.rmtree(prefix, ignore_errors=True)
    os.makedirs(prefix)
    conf = open(os.path.join(SHARED, "serve", "nginx.conf.template")).read()
    listen = "listen 127.0.0.1:@PORT@ backlog=4096;"
    assert listen in conf
    conf = conf.replace(listen, "\n        ".join("listen 127.0.0.%d:%d;" % (h + 1, port) for h in range(hosts)))
    for k, v in dict(PREFIX=prefix, ROOT=work, FEEDS=feeds, PORT=port, WORKERS=1).items():
        conf = conf.replace("@%s@" % k, str(v))
    open(os.path.join(prefix, "nginx.conf"), "w").write(conf)
    subprocess.run(["nginx", "-c", os.path.join(prefix, "nginx.conf"), "-p", prefix], check=True)
    time.sleep(0.5)
    return int(open(os.path.join(prefix, "nginx.pid")).read())


def write_config(path, node, listen_port, database, urls):
    lines = [
        "[server]", 'listen = "127.0.0.1:%d"' % listen_port,
        "[admin]", "enabled = false",
        "[database]", 'url = "%s"' % database,
        "[cluster]", 'node = "%s"' % node,
        "[fetch]", "per_host_concurrency = 64", "global_concurrency = 64", 'host_spacing = "0s"',
        "[poll]", 'min_interval = "10s"', 'default_interval = "10s"', "jitter = 0.0",
        "[retention]", 'max_age = "3650d"',
        "[log]", 'level = "warn"',
    ]
    for url in urls:
        lines += ["[[source]]", 'url = "%s"' % url]
    open(path, "w").write("\n".join(lines) + "\n")


def run(a, n, urls, nginx_pid):
    admin = os.environ["TINHOP_BENCH_PG_ADMIN"]
    name = "poll_nodes_%d" % n
    psql(admin, "DROP DATABASE IF EXISTS %s" % name)
    psql(admin, "CREATE DATABASE %s" % name)
    database = admin.rsplit("/", 1)[0] + "/" + name
    tinhop = os.path.join(os.path.abspath(a.build), "daemon", "tinhop")
    nodes = []
    try:
        for k in range(n):
            config = os.path.join(a.work, "node%d-of-%d.toml" % (k + 1, n))
            write_config(config, "node-%d" % (k + 1), a.listen_port + k, database, urls)
            log = open(os.path.join(a.work, "node%d-of-%d.log" % (k + 1, n)), "w")
            nodes.append(subprocess.Popen([tinhop, "serve", "--config", config], stdout=log, stderr=log))
            if k == 0:  # the first node adds the sources; the others find them there
                deadline = time.monotonic() + 120
                while time.monotonic() < deadline:
                    try:
                        if int(psql(database, "SELECT count(*) FROM sources") or 0) == len(urls):
                            break
                    except subprocess.CalledProcessError:
                        pass
                    time.sleep(0.5)
        start = time.monotonic()
        polled = 0
        while polled < len(urls):
            if any(p.poll() is not None for p in nodes):
                sys.exit("a node exited; see %s/node*-of-%d.log" % (a.work, n))
            if time.monotonic() - start > a.timeout:
                sys.exit("first pass not done after %d s: %d of %d polled" % (a.timeout, polled, len(urls)))
            time.sleep(1)
            polled = int(psql(database, "SELECT count(*) FROM health WHERE polls >= 1"))
        first_pass = time.monotonic() - start
        node_pids = [p.pid for p in nodes]
        pg_pids = postgres_pids()
        polls0 = int(psql(database, "SELECT sum(polls) FROM health"))
        c_nodes, c_pg, c_nginx = (cpu_seconds(node_pids), cpu_seconds(pg_pids),
                                  cpu_seconds([nginx_pid] + children_of(nginx_pid)))
        load0 = os.getloadavg()[0]
        t0 = time.monotonic()
        time.sleep(a.window)
        polls1 = int(psql(database, "SELECT sum(polls) FROM health"))
        window = time.monotonic() - t0
        pg_pids = list(set(pg_pids + postgres_pids()))
        steady = (polls1 - polls0) / window
        items = int(psql(database, "SELECT count(*) FROM items"))
        by_node = psql(database, "SELECT polled_by, count(*) FROM source_leases GROUP BY 1 ORDER BY 1")
        result = {
            "nodes": n, "sources": len(urls), "first_pass_s": round(first_pass, 1),
            "first_pass_feeds_per_s": round(len(urls) / first_pass, 1), "items": items,
            "steady_window_s": round(window, 1), "steady_polls": polls1 - polls0,
            "steady_feeds_per_s": round(steady, 1),
            "steady_cpu_s": {"nodes": round(cpu_seconds(node_pids) - c_nodes, 1),
                             "postgres": round(cpu_seconds(pg_pids) - c_pg, 1),
                             "nginx": round(cpu_seconds([nginx_pid] + children_of(nginx_pid)) - c_nginx, 1)},
            "sources_last_polled_by": dict(line.split("|") for line in by_node.splitlines() if line),
            "load_average_1m": [round(load0, 1), round(os.getloadavg()[0], 1)],
        }
        cpu = result["steady_cpu_s"]
        if polls1 > polls0:
            result["cpu_ms_per_poll"] = {k: round(v * 1000 / (polls1 - polls0), 2) for k, v in cpu.items()}
        print(json.dumps(result), flush=True)
        return result
    finally:
        for p in nodes:
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
        for p in nodes:
            try:
                p.wait(timeout=60)
            except subprocess.TimeoutExpired:
                p.kill()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--sources", type=int, default=10000)
    ap.add_argument("--hosts", type=int, default=100)
    ap.add_argument("--items", type=int, default=5)
    ap.add_argument("--nodes", default="1,2,3")
    ap.add_argument("--window", type=float, default=60)
    ap.add_argument("--timeout", type=float, default=1800)
    ap.add_argument("--port", type=int, default=18095)
    ap.add_argument("--listen-port", type=int, default=18100)
    a = ap.parse_args()
    if "TINHOP_BENCH_PG_ADMIN" not in os.environ:
        sys.exit("run it under bench/pg/with-postgres")
    a.work = os.path.abspath(a.work)
    feeds = os.path.join(a.work, "feeds")
    shutil.rmtree(feeds, ignore_errors=True)
    write_feeds(feeds, a.sources, a.items)
    urls = ["http://127.0.0.%d:%d/feeds/s%d.xml" % (s % a.hosts + 1, a.port, s) for s in range(a.sources)]
    nginx_pid = start_nginx(a.work, feeds, a.port, a.hosts)
    results = []
    try:
        for n in (int(x) for x in a.nodes.split(",")):
            results.append(run(a, n, urls, nginx_pid))
    finally:
        os.kill(nginx_pid, signal.SIGQUIT)
    one = results[0]["steady_feeds_per_s"]
    print(json.dumps({"summary": {r["nodes"]: {"steady_feeds_per_s": r["steady_feeds_per_s"],
                                               "vs_first": round(r["steady_feeds_per_s"] / one, 2) if one else None,
                                               "first_pass_feeds_per_s": r["first_pass_feeds_per_s"]}
                                  for r in results}}))


if __name__ == "__main__":
    main()
