#!/usr/bin/env python3
"""tinhop's publisher against nginx serving the identical bytes as a static file.

    python3 bench/serve/serve_bench.py --server BUILD/bench/serve_bench_server --work SCRATCH
                                       [--duration 10] [--repeat 3] [--conns 64] [--threads 2]

Starts serve_bench_server (100 entries, one io_context thread), saves its /feed.atom as
SCRATCH/root/merged.atom plus a gzip -9 copy for nginx's gzip_static, starts nginx (one
worker, private config, loopback), then runs `wrk -tT -cC -dDs --latency` on both, in
alternation, for:
  plain   GET /feed.atom
  gzip    GET /feed.atom with Accept-Encoding: gzip   (both send precompressed bytes)
  304     GET /feed.atom with If-None-Match: <that server's ETag>
and prints medians and the ratios tinhop/nginx (targets: req/s >= 0.7x, p99 <= 2x).
"""
import argparse
import gzip
import json
import os
import re
import shutil
import signal
import statistics
import subprocess
import time
import urllib.request

NGINX_CONF = """worker_processes 1;
pid @PREFIX@/nginx.pid;
error_log @PREFIX@/error.log warn;
events { worker_connections 8192; }
http {
    types { application/atom+xml atom; }
    default_type application/xml;
    access_log off;
    sendfile on;
    tcp_nopush on;
    tcp_nodelay on;
    keepalive_timeout 65;
    keepalive_requests 100000;
    client_body_temp_path @PREFIX@/body;
    proxy_temp_path @PREFIX@/proxy;
    fastcgi_temp_path @PREFIX@/fastcgi;
    uwsgi_temp_path @PREFIX@/uwsgi;
    scgi_temp_path @PREFIX@/scgi;
    server {
        listen 127.0.0.1:@PORT@ backlog=4096;
        location = /feed.atom { alias @ROOT@/merged.atom; gzip_static on; gzip off; }
    }
}
"""

UNITS = {"us": 1e-3, "ms": 1.0, "s": 1e3, "m": 6e4}


def parse_wrk(out):
    r = {}
    m = re.search(r"Requests/sec:\s+([\d.]+)", out)
    r["req_s"] = float(m.group(1)) if m else None
    m = re.search(r"Transfer/sec:\s+([\d.]+)([KMG]?B)", out)
    if m:
        r["MiB_s"] = round(float(m.group(1)) * {"B": 1, "KB": 2 ** 10, "MB": 2 ** 20, "GB": 2 ** 30}[m.group(2)] / 2 ** 20, 1)
    for p in ("50", "99"):
        m = re.search(r"\s%s%%\s+([\d.]+)(us|ms|s|m)\b" % p, out)
        r["p%s_ms" % p] = round(float(m.group(1)) * UNITS[m.group(2)], 3) if m else None
    m = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    r["non_2xx_3xx"] = int(m.group(1)) if m else 0
    m = re.search(r"Socket errors: (.*)", out)
    r["socket_errors"] = m.group(1) if m else None
    return r


def fetch(url, headers=None):
    req = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(req) as resp:
            return resp.status, resp.read(), resp.headers
    except urllib.error.HTTPError as e:
        return e.code, b"", e.headers


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--server", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--duration", type=int, default=10)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--conns", type=int, default=64)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--tinhop-port", type=int, default=18090)
    ap.add_argument("--nginx-port", type=int, default=18091)
    a = ap.parse_args()
    work = os.path.abspath(a.work)
    shutil.rmtree(work, ignore_errors=True)
    root, prefix = os.path.join(work, "root"), os.path.join(work, "nginx")
    os.makedirs(root)
    os.makedirs(prefix)
    ours = subprocess.Popen([a.server, "--port", str(a.tinhop_port)], stdout=subprocess.PIPE, text=True)
    nginx_started = False
    try:
        assert ours.stdout.readline().startswith("port ")
        tin = "http://127.0.0.1:%d/feed.atom" % a.tinhop_port
        ngx = "http://127.0.0.1:%d/feed.atom" % a.nginx_port
        _, body, headers = fetch(tin)
        tin_etag = headers["ETag"]
        _, tin_gz, _ = fetch(tin, {"Accept-Encoding": "gzip"})
        with open(os.path.join(root, "merged.atom"), "wb") as f:
            f.write(body)
        with open(os.path.join(root, "merged.atom.gz"), "wb") as f:
            f.write(gzip.compress(body, 9))
        conf = os.path.join(prefix, "nginx.conf")
        with open(conf, "w") as f:
            f.write(NGINX_CONF.replace("@PREFIX@", prefix).replace("@ROOT@", root).replace("@PORT@", str(a.nginx_port)))
        subprocess.run(["nginx", "-c", conf, "-p", prefix], check=True)
        nginx_started = True
        time.sleep(0.5)
        _, ngx_body, ngx_headers = fetch(ngx)
        assert ngx_body == body, "nginx must serve the identical bytes"
        ngx_etag = ngx_headers["ETag"]
        print(json.dumps({"feed_bytes": len(body), "tinhop_gzip_bytes": len(tin_gz),
                          "nginx_gzip_bytes": os.path.getsize(os.path.join(root, "merged.atom.gz"))}), flush=True)
        scenarios = {"plain": ({}, {}), "gzip": ({"Accept-Encoding": "gzip"}, {"Accept-Encoding": "gzip"}),
                     "304": ({"If-None-Match": tin_etag}, {"If-None-Match": ngx_etag})}
        results = []
        for rep in range(a.repeat):
            for name, (tin_h, ngx_h) in scenarios.items():
                for server, url, hdrs in (("nginx", ngx, ngx_h), ("tinhop", tin, tin_h)):
                    st, _, _ = fetch(url, hdrs)
                    cmd = ["wrk", "-t%d" % a.threads, "-c%d" % a.conns, "-d%ds" % a.duration, "--latency"]
                    for k, v in hdrs.items():
                        cmd += ["-H", "%s: %s" % (k, v)]
                    out = subprocess.run(cmd + [url], capture_output=True, text=True).stdout
                    r = {"server": server, "scenario": name, "rep": rep, "status": st}
                    r.update(parse_wrk(out))
                    results.append(r)
                    print(json.dumps(r), flush=True)
        print("\nscenario  nginx_req/s  tinhop_req/s  ratio  nginx_p99_ms  tinhop_p99_ms  p99_ratio  verdict")
        ok = True
        for name in scenarios:
            med = {}
            for server in ("nginx", "tinhop"):
                rs = [r for r in results if r["server"] == server and r["scenario"] == name]
                med[server] = (statistics.median(r["req_s"] for r in rs), statistics.median(r["p99_ms"] for r in rs))
            ratio = med["tinhop"][0] / med["nginx"][0]
            p99_ratio = med["tinhop"][1] / med["nginx"][1]
            verdict = "ok" if ratio >= 0.7 and p99_ratio <= 2.0 else "MISS"
            ok = ok and verdict == "ok"
            print("%-8s  %11.0f  %12.0f  %5.2f  %12.3f  %13.3f  %9.2f  %s" % (
                name, med["nginx"][0], med["tinhop"][0], ratio, med["nginx"][1], med["tinhop"][1], p99_ratio, verdict))
        return 0 if ok else 1
    finally:
        if nginx_started:
            try:
                os.kill(int(open(os.path.join(prefix, "nginx.pid")).read()), signal.SIGQUIT)
            except (OSError, ValueError):
                pass
        ours.send_signal(signal.SIGTERM)
        ours.wait(timeout=10)


if __name__ == "__main__":
    raise SystemExit(main())
