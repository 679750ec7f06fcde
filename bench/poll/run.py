#!/usr/bin/env python3
"""Polling benchmark: tinhop's poll path against curl --parallel, same nginx, same run.

    python3 bench/poll/run.py --build BUILD_DIR --work SCRATCH [--corpus DIR] [--feeds 2000]
                              [--sources-rss 10000] [--parallel 64] [--repeat 3]

Generates the corpus with ../shared/bench/gen_corpus.py (seed 1) unless --corpus is given,
starts a private loopback nginx (../shared/bench/serve/nginx.conf.template, 2 workers),
then, --repeat times: curl --parallel --parallel-max 64 full (200) and conditional
(--etag-compare: 304) passes, and BUILD/bench/poll_bench (first poll: fetch+parse+store;
second poll: all 304 with health recorded) on a fresh database. Last, poll_bench with
--sources-rss sources (the URLs repeated with ?copy=K) for the peak RSS.
"""
import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time

import private_nginx

SHARED = private_nginx.SHARED


def q(s):
    return '"%s"' % s.replace("\\", "\\\\").replace('"', '\\"')


def curl_pass(cfg, parallel):
    t0 = time.perf_counter()
    p = subprocess.run(["curl", "-s", "--parallel", "--parallel-max", str(parallel), "-K", cfg],
                       capture_output=True, text=True)
    el = time.perf_counter() - t0
    codes = {}
    for line in p.stdout.split("\n"):
        if line.strip():
            c = line.split()[0]
            codes[c] = codes.get(c, 0) + 1
    return el, codes


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--corpus")
    ap.add_argument("--feeds", type=int, default=2000)
    ap.add_argument("--sources-rss", type=int, default=10000)
    ap.add_argument("--parallel", type=int, default=64)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--port", type=int, default=18091)
    a = ap.parse_args()
    work = os.path.abspath(a.work)
    os.makedirs(work, exist_ok=True)
    corpus = a.corpus
    if not corpus:
        corpus = os.path.join(work, "corpus")
        if not os.path.exists(os.path.join(corpus, "manifest.json")):
            subprocess.run([sys.executable, os.path.join(SHARED, "gen_corpus.py"), "--out", corpus,
                            "--feeds", str(a.feeds), "--seed", "1"], check=True)
    corpus = os.path.abspath(corpus)
    files = sorted(f for f in os.listdir(corpus) if f.endswith(".xml"))
    etags = os.path.join(work, "etags")
    shutil.rmtree(etags, ignore_errors=True)
    os.makedirs(etags)
    base = private_nginx.feeds_url(a.port)
    urls = os.path.join(work, "urls.txt")
    open(urls, "w").write("".join(base + f + "\n" for f in files))
    groups = {"full": [], "etag_save": [], "etag_304": []}
    for f in files:
        u = "url = %s\noutput = \"/dev/null\"\nsilent\nwrite-out = \"%%{http_code}\\n\"\n" % q(base + f)
        et = os.path.join(etags, f + ".etag")
        groups["full"].append(u)
        groups["etag_save"].append(u + "etag-save = %s\n" % q(et))
        groups["etag_304"].append(u + "etag-compare = %s\n" % q(et))
    for k, v in groups.items():
        open(os.path.join(work, k + ".cfg"), "w").write("next\n".join(v))
    bench = os.path.join(os.path.abspath(a.build), "bench", "poll_bench")
    results = []
    with private_nginx.serving(work, corpus, a.port):
        curl_pass(os.path.join(work, "etag_save.cfg"), a.parallel)
        for rep in range(a.repeat):
            for name in ("full", "etag_304"):
                el, codes = curl_pass(os.path.join(work, name + ".cfg"), a.parallel)
                r = {"tool": "curl", "pass": name, "rep": rep, "feeds_per_s": round(len(files) / el, 1),
                     "s": round(el, 3), "codes": codes}
                results.append(r)
                print(json.dumps(r), flush=True)
            db = os.path.join(work, "bench.db")
            private_nginx.remove_database(db)
            p = subprocess.run([bench, "--urls", urls, "--db", db, "--concurrency", str(a.parallel)],
                               capture_output=True, text=True, check=True)
            for line in p.stdout.splitlines():
                r = dict(json.loads(line), tool="tinhop", rep=rep)
                results.append(r)
                print(json.dumps(r), flush=True)
        db = os.path.join(work, "rss.db")
        private_nginx.remove_database(db)
        p = subprocess.run(["/usr/bin/time", "-f", "%M", bench, "--urls", urls, "--db", db,
                            "--sources", str(a.sources_rss), "--concurrency", str(a.parallel)],
                           capture_output=True, text=True, check=True)
        for line in p.stdout.splitlines():
            print(json.dumps(dict(json.loads(line), tool="tinhop", pass_set="rss_%d" % a.sources_rss)), flush=True)
        rss_kb = int(p.stderr.strip().splitlines()[-1])
        print(json.dumps({"tool": "tinhop", "sources": a.sources_rss, "peak_rss_MB": round(rss_kb / 1024, 1)}))

    def med(tool, name):
        v = [r["feeds_per_s"] for r in results if r["tool"] == tool and r.get("pass") == name]
        return statistics.median(v) if v else float("nan")

    print("\nmedians (feeds/s):")
    c_full, c_304 = med("curl", "full"), med("curl", "etag_304")
    t_first, t_304 = med("tinhop", "first_poll"), med("tinhop", "second_poll_304")
    print("curl full %.0f  curl 304 %.0f" % (c_full, c_304))
    print("tinhop first poll (fetch+parse+store) %.0f = %.2fx curl full" % (t_first, t_first / c_full))
    print("tinhop second poll (304, health stored) %.0f = %.2fx curl 304 (target >= 0.5x)" % (t_304, t_304 / c_304))


if __name__ == "__main__":
    main()
