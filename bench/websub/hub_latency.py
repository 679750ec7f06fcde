#!/usr/bin/env python3
# Our hub's commit-to-delivery latency (docs/websub.md, "How fast"): runs `tinhop serve` on
# loopback with one Atom source naming a hub written here, subscribes S local subscribers to
# /feed.atom at tinhop's own hub (/websub/hub), then sends N signed fat pings to tinhop and
# times, for every subscriber, the POST of the ping to the delivery of the feed carrying the
# story (push -> parse -> commit -> delivery: an upper bound of commit -> delivery, which
# /metrics' tinhop_hub_delivery_seconds histogram gives exactly).
#   bench/websub/hub_latency.py build/release/daemon/tinhop [N] [S]
import hashlib, hmac, http.server, os, socket, subprocess, sys, threading, time, urllib.parse, urllib.request

BIN = sys.argv[1]
N = int(sys.argv[2]) if len(sys.argv) > 2 else 20
S = int(sys.argv[3]) if len(sys.argv) > 3 else 100
work = "/tmp/tinhop-hub-bench"; os.makedirs(work, exist_ok=True)
for f in os.listdir(work): os.remove(os.path.join(work, f))

def free_port():
    s = socket.socket(); s.bind(("127.0.0.1", 0)); p = s.getsockname()[1]; s.close(); return p

forms, lock = [], threading.Lock()
verified = set()
received = {}  # (subscriber, story) -> time the delivery carrying it arrived
hub_port, sub_port, port, admin_port = free_port(), free_port(), free_port(), free_port()
base = f"http://127.0.0.1:{hub_port}"
def atom(entries):
    return (f'<feed xmlns="http://www.w3.org/2005/Atom"><title>Agency</title><link rel="hub" href="{base}/hub"/>'
            f'<link rel="self" href="{base}/agency.atom"/>{entries}</feed>')
def entry(i, title):
    return (f"<entry><id>urn:story:{i}</id><title>{title}</title><link href=\"http://127.0.0.1/{i}\"/>"
            f"<updated>2026-12-06T08:00:00Z</updated><summary>{title} summary {i}.</summary></entry>")

class Agency(http.server.BaseHTTPRequestHandler):  # the source and its hub
    def log_message(self, *a): pass
    def do_GET(self):
        body = atom(entry(0, "First story")).encode()
        self.send_response(200); self.send_header("Content-Type", "application/atom+xml")
        self.send_header("Content-Length", str(len(body))); self.end_headers(); self.wfile.write(body)
    def do_POST(self):
        n = int(self.headers["Content-Length"]); data = self.rfile.read(n).decode()
        forms.append(dict(urllib.parse.parse_qsl(data)))
        self.send_response(202); self.send_header("Content-Length", "0"); self.end_headers()

class Subscriber(http.server.BaseHTTPRequestHandler):  # S callbacks, /cb/0 .. /cb/S-1
    protocol_version = "HTTP/1.1"
    def log_message(self, *a): pass
    def answer(self, status, body=b""):
        self.send_response(status); self.send_header("Content-Length", str(len(body))); self.end_headers(); self.wfile.write(body)
    def do_GET(self):
        url = urllib.parse.urlsplit(self.path); q = dict(urllib.parse.parse_qsl(url.query))
        with lock: verified.add(url.path)
        self.answer(200, q.get("hub.challenge", "").encode())
    def do_POST(self):
        n = int(self.headers["Content-Length"]); data = self.rfile.read(n).decode(); at = time.time()
        who = self.path
        with lock:
            for i in range(1, N + 1):
                if (who, i) not in received and f">Pushed story {i}<" in data: received[(who, i)] = at
        self.answer(202)

# Python's listen backlog of 5 would drop connections tinhop opens at once: a real
# subscriber's server takes them (the 580 of 1000 deliveries of the first run, docs/websub.md).
http.server.ThreadingHTTPServer.request_queue_size = 1024
for handler, p in ((Agency, hub_port), (Subscriber, sub_port)):
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", p), handler); srv.daemon_threads = True
    threading.Thread(target=srv.serve_forever, daemon=True).start()

open(f"{work}/token", "w").write("websub-token-0123456789abcdef0123456789\n"); os.chmod(f"{work}/token", 0o600)
open(f"{work}/tinhop.toml", "w").write(
    f'[server]\nlisten = "127.0.0.1:{port}"\nbase_url = "http://127.0.0.1:{port}"\n'
    f'[admin]\nlisten = "127.0.0.1:{admin_port}"\ntoken_file = "{work}/token"\n[database]\npath = "{work}/t.db"\n'
    f'[fetch]\nhost_spacing = "0s"\nallow_networks = ["127.0.0.0/8"]\n[[source]]\nurl = "{base}/agency.atom"\n')
log = open(f"{work}/serve.log", "w")
daemon = subprocess.Popen([BIN, "serve", "--config", f"{work}/tinhop.toml"], stderr=log)
try:
    t0 = time.time()
    while not forms and time.time() - t0 < 30: time.sleep(0.01)
    form = forms[0]
    path = form["hub.callback"][form["hub.callback"].find("/websub/"):]
    q = urllib.parse.urlencode({"hub.mode": "subscribe", "hub.topic": form["hub.topic"], "hub.challenge": "abc", "hub.lease_seconds": "3600"})
    urllib.request.urlopen(f"http://127.0.0.1:{port}{path}?{q}").read()
    feed = urllib.request.urlopen(f"http://127.0.0.1:{port}/feed.atom")
    print("feed Link header:", feed.headers["Link"])
    for s in range(S):
        body = urllib.parse.urlencode({"hub.mode": "subscribe", "hub.topic": f"http://127.0.0.1:{port}/feed.atom",
                                       "hub.callback": f"http://127.0.0.1:{sub_port}/cb/{s}", "hub.secret": f"secret{s}"}).encode()
        assert urllib.request.urlopen(urllib.request.Request(f"http://127.0.0.1:{port}/websub/hub", data=body)).status == 202
    while len(verified) < S and time.time() - t0 < 60: time.sleep(0.01)
    time.sleep(0.5)
    print(f"{len(verified)} subscribers verified")
    sent = {}
    for i in range(1, N + 1):
        body = atom(entry(i, f"Pushed story {i}")).encode()
        sig = "sha256=" + hmac.new(form["hub.secret"].encode(), body, hashlib.sha256).hexdigest()
        req = urllib.request.Request(f"http://127.0.0.1:{port}{path}", data=body, method="POST",
                                     headers={"Content-Type": "application/atom+xml", "X-Hub-Signature": sig})
        sent[i] = time.time(); assert urllib.request.urlopen(req).status == 202
        time.sleep(0.3)
    time.sleep(3)
    lat = sorted((received[(f"/cb/{s}", i)] - sent[i]) * 1000 for s in range(S) for i in range(1, N + 1)
                 if (f"/cb/{s}", i) in received)
    print(f"deliveries: {len(lat)} of {N * S}")
    print(f"push->delivery at {S} subscribers over {N} pushes: p50={lat[len(lat)//2]:.0f} ms "
          f"p99={lat[int(len(lat)*0.99)-1]:.0f} ms max={lat[-1]:.0f} ms")
    time.sleep(1.2); m = urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics").read().decode()
    print("\n".join(l for l in m.splitlines() if l.startswith("tinhop_hub")))
finally:
    daemon.terminate(); daemon.wait(20)
