#!/usr/bin/env python3
# The latency benchmark of issue #19 (docs/websub.md, "How fast"): `tinhop serve` on
# loopback with P sources that a hub written here pushes and Q sources that are only polled
# (every 60 s, all the run long); S local subscribers to /feed.atom at tinhop's own hub.
# The hub pushes N new stories, spread over the P sources at a steady RATE per second, each
# a signed fat ping. Reported: push -> the story in /feed.atom (read every 20 ms), and push ->
# its delivery at each subscriber, p50/p99; commit -> delivery from /metrics.
#   bench/websub/websub_latency.py build/release/daemon/tinhop [N=1000] [P=100] [Q=2000] [S=100] [RATE=20]
import hashlib, hmac, http.server, os, re, socket, subprocess, sys, threading, time, urllib.parse, urllib.request

BIN = sys.argv[1]
N, P, Q, S = (int(sys.argv[i]) if len(sys.argv) > i else d for i, d in ((2, 1000), (3, 100), (4, 2000), (5, 100)))
RATE = float(sys.argv[6]) if len(sys.argv) > 6 else 20.0
work = "/tmp/tinhop-websub-bench"; os.makedirs(work, exist_ok=True)
for f in os.listdir(work): os.remove(os.path.join(work, f))

def free_port():
    s = socket.socket(); s.bind(("127.0.0.1", 0)); p = s.getsockname()[1]; s.close(); return p

STORY = re.compile(r">Pushed story (\d+)<")
lock = threading.Lock()
subscriptions = {}  # pushed source index -> (callback URL, secret), once tinhop's intent is verified
verified = set()    # our subscribers whose intent tinhop verified
seen_feed, seen_sub = {}, {}  # story -> when it was first in /feed.atom; (subscriber, story) -> delivery time
origin_port, sub_port, port = free_port(), free_port(), free_port()
origin = f"http://127.0.0.1:{origin_port}"

def atom(kind, i, entries):
    hub = f'<link rel="hub" href="{origin}/hub"/>' if kind == "pushed" else ""
    return (f'<feed xmlns="http://www.w3.org/2005/Atom"><title>{kind} {i}</title>{hub}'
            f'<link rel="self" href="{origin}/{kind}/{i}.atom"/>{entries}</feed>')
def entry(story, title):
    return (f"<entry><id>urn:story:{story}</id><title>{title}</title><link href=\"http://127.0.0.1/{story}\"/>"
            f"<updated>2026-12-06T08:00:00Z</updated><summary>{title} summary {story}.</summary></entry>")

class Origin(http.server.BaseHTTPRequestHandler):  # the sources' server and the publishers' hub
    protocol_version = "HTTP/1.1"
    def log_message(self, *a): pass
    def do_GET(self):
        kind, name = self.path.strip("/").split("/")
        i = int(name.split(".")[0])
        body = atom(kind, i, entry(f"{kind}-{i}-0", f"First story of {kind} {i}")).encode()
        if self.headers.get("If-None-Match") == '"v1"':
            self.send_response(304); self.send_header("Content-Length", "0"); self.end_headers(); return
        self.send_response(200); self.send_header("Content-Type", "application/atom+xml"); self.send_header("ETag", '"v1"')
        self.send_header("Content-Length", str(len(body))); self.end_headers(); self.wfile.write(body)
    def do_POST(self):  # tinhop subscribing to a pushed source: verify its intent at once
        form = dict(urllib.parse.parse_qsl(self.rfile.read(int(self.headers["Content-Length"])).decode()))
        self.send_response(202); self.send_header("Content-Length", "0"); self.end_headers()
        threading.Thread(target=verify, args=(form,), daemon=True).start()

def verify(form):
    i = int(form["hub.topic"].rsplit("/", 1)[1].split(".")[0])
    q = urllib.parse.urlencode({"hub.mode": "subscribe", "hub.topic": form["hub.topic"], "hub.challenge": "c",
                                "hub.lease_seconds": "86400"})
    if urllib.request.urlopen(f"{form['hub.callback']}?{q}").read() == b"c":
        with lock: subscriptions[i] = (form["hub.callback"], form["hub.secret"])

class Subscriber(http.server.BaseHTTPRequestHandler):  # S callbacks at tinhop's hub, /cb/0 .. /cb/S-1
    protocol_version = "HTTP/1.1"
    def log_message(self, *a): pass
    def answer(self, status, body=b""):
        self.send_response(status); self.send_header("Content-Length", str(len(body))); self.end_headers(); self.wfile.write(body)
    def do_GET(self):
        url = urllib.parse.urlsplit(self.path); q = dict(urllib.parse.parse_qsl(url.query))
        with lock: verified.add(url.path)
        self.answer(200, q.get("hub.challenge", "").encode())
    def do_POST(self):
        data = self.rfile.read(int(self.headers["Content-Length"])).decode(); at = time.time()
        with lock:
            for story in STORY.findall(data): seen_sub.setdefault((self.path, int(story)), at)
        self.answer(202)

# Python's default listen backlog (5) would drop connections; a subscriber's real server takes them.
http.server.ThreadingHTTPServer.request_queue_size = 1024
for handler, p in ((Origin, origin_port), (Subscriber, sub_port)):
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", p), handler); srv.daemon_threads = True
    threading.Thread(target=srv.serve_forever, daemon=True).start()

sources = "".join(f'[[source]]\nurl = "{origin}/pushed/{i}.atom"\n' for i in range(P))
sources += "".join(f'[[source]]\nurl = "{origin}/polled/{i}.atom"\n' for i in range(Q))
open(f"{work}/tinhop.toml", "w").write(
    f'[server]\nlisten = "127.0.0.1:{port}"\nbase_url = "http://127.0.0.1:{port}"\n[admin]\nenabled = false\n[database]\npath = "{work}/t.db"\n'
    f'[poll]\ndefault_interval = "60s"\nmin_interval = "60s"\n'
    f'[fetch]\nhost_spacing = "0s"\nper_host_concurrency = 64\nallow_networks = ["127.0.0.0/8"]\n' + sources)
log = open(f"{work}/serve.log", "w")
daemon = subprocess.Popen([BIN, "serve", "--config", f"{work}/tinhop.toml"], stderr=log)

def watch_feed(stop):  # a reader of /feed.atom: when each pushed story first shows
    while not stop.is_set():
        try:
            data = urllib.request.urlopen(f"http://127.0.0.1:{port}/feed.atom?limit=100").read().decode(); at = time.time()
            for story in STORY.findall(data): seen_feed.setdefault(int(story), at)
        except OSError:
            pass
        time.sleep(0.02)

def pct(values, q):
    return values[min(len(values) - 1, int(len(values) * q))] if values else float("nan")

stop = threading.Event()
try:
    t0 = time.time()
    while len(subscriptions) < P and time.time() - t0 < 120 and daemon.poll() is None: time.sleep(0.1)
    print(f"{len(subscriptions)} of {P} pushed sources subscribed in {time.time() - t0:.1f} s")
    for s in range(S):
        body = urllib.parse.urlencode({"hub.mode": "subscribe", "hub.topic": f"http://127.0.0.1:{port}/feed.atom",
                                       "hub.callback": f"http://127.0.0.1:{sub_port}/cb/{s}", "hub.secret": f"secret{s}"}).encode()
        assert urllib.request.urlopen(urllib.request.Request(f"http://127.0.0.1:{port}/websub/hub", data=body)).status == 202
    while len(verified) < S and time.time() - t0 < 180: time.sleep(0.05)
    # Pushes start once every source's first poll is stored: the first polls bring P + Q
    # stories with one date, a burst that would push early pushed stories off the feeds'
    # first page (and so out of the deliveries: docs/websub.md) before they are timed.
    def polls_done():
        m = urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics").read().decode()
        return sum(float(l.rsplit(" ", 1)[1]) for l in m.splitlines() if l.startswith("tinhop_polls_total{"))
    while polls_done() < P + Q and time.time() - t0 < 300: time.sleep(0.2)
    print(f"{len(verified)} of {S} subscribers verified; load average {os.getloadavg()[0]:.1f}")
    threading.Thread(target=watch_feed, args=(stop,), daemon=True).start()
    sent = {}
    start = time.time()
    for story in range(1, N + 1):
        i = story % P
        callback, secret = subscriptions[i]
        body = atom("pushed", i, entry(f"pushed-{i}-{story}", f"Pushed story {story}")).encode()
        sig = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
        req = urllib.request.Request(callback, data=body, method="POST",
                                     headers={"Content-Type": "application/atom+xml", "X-Hub-Signature": sig})
        sent[story] = time.time(); urllib.request.urlopen(req).read()
        time.sleep(max(0.0, start + story / RATE - time.time()))
    time.sleep(5)
    stop.set()
    load = os.getloadavg()
    feed = sorted((seen_feed[k] - sent[k]) * 1000 for k in sent if k in seen_feed)
    subs = sorted((at - sent[k]) * 1000 for (who, k), at in seen_sub.items() if k in sent)
    print(f"{N} pushes over {P} sources at {RATE:g}/s, {Q} sources polled every 60 s; load average {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}")
    print(f"push -> /feed.atom: {len(feed)} of {N} seen; p50 {pct(feed, .5):.0f} ms, p99 {pct(feed, .99):.0f} ms, max {feed[-1] if feed else 0:.0f} ms")
    print(f"push -> delivery at {S} subscribers: {len(subs)} of {N * S}; p50 {pct(subs, .5):.0f} ms, p99 {pct(subs, .99):.0f} ms, max {subs[-1] if subs else 0:.0f} ms")
    m = urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics").read().decode()
    print("\n".join(l for l in m.splitlines() if l.startswith(("tinhop_hub_pushes", "tinhop_hub_delivery_seconds", "tinhop_websub_pushes"))))
finally:
    daemon.terminate(); daemon.wait(30)
