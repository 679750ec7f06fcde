"""A private loopback nginx serving a directory of feeds, for the polling benchmarks
(../shared/bench/serve/nginx.conf.template, its prefix under the work directory)."""
import contextlib
import os
import shutil
import signal
import subprocess
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SHARED = os.path.abspath(os.path.join(HERE, "..", "..", "..", "shared", "bench"))


def feeds_url(port):
    return "http://127.0.0.1:%d/feeds/" % port


@contextlib.contextmanager
def serving(work, corpus, port, workers=2):
    """Serves CORPUS's files at feeds_url(port) for the body of the with-statement."""
    prefix = os.path.join(work, "nginx")
    shutil.rmtree(prefix, ignore_errors=True)
    os.makedirs(prefix)
    conf = open(os.path.join(SHARED, "serve", "nginx.conf.template")).read()
    for k, v in dict(PREFIX=prefix, ROOT=work, FEEDS=corpus, PORT=port, WORKERS=workers).items():
        conf = conf.replace("@%s@" % k, str(v))
    open(os.path.join(prefix, "nginx.conf"), "w").write(conf)
    subprocess.run(["nginx", "-c", os.path.join(prefix, "nginx.conf"), "-p", prefix], check=True)
    try:
        time.sleep(0.5)
        yield feeds_url(port)
    finally:
        try:
            os.kill(int(open(os.path.join(prefix, "nginx.pid")).read()), signal.SIGQUIT)
            time.sleep(1.0)
        except (OSError, ValueError):
            pass


def remove_database(path):
    """A fresh SQLite database at PATH: the file and its WAL and shared-memory files gone."""
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(path + suffix):
            os.remove(path + suffix)
