#!/usr/bin/env python3
# WebSub push-to-feed latency (docs/websub.md, "How fast"): runs `tinhop serve` on loopback with
# one Atom source naming a hub written here, answers the verification, then sends N signed
# fat pings and times each from the POST to the story in /feed.json.
#   bench/websub/push_latency.py build/release/daemon/tinhop [N]
import hashlib, hmac, http.server, json, os, socket, subprocess, sys, threading, time, urllib.parse, urllib.request

BIN = sys.argv[1]
N = int(sys.argv[2]) if len(sys.argv) > 2 else 20
work = "/tmp/tinhop-websub-bench"; os.makedirs(work, exist_ok=True)
for f in os.listdir(work): os.remove(os.path.join(work, f))

def free_port():
    s = socket.socket(); s.bind(("127.0.0.1", 0)); p = s.getsockname()[1]; s.close(); return p

forms = []
hub_port, port, admin_port = free_port(), free_port(), free_port()
base = f"http://127.0.0.1:{hub_port}"
def atom(entries):
    return (f'<feed xmlns="http://www.w3.org/2005/Atom"><title>Agency</title><link rel="hub" href="{base}/hub"/>'
            f'<link rel="self" href="{base}/agency.atom"/>{entries}</feed>')
def entry(i, title):
    return (f"<entry><id>urn:story:{i}</id><title>{title}</title><link href=\"http://127.0.0.1/{i}\"/>"
            f"<updated>2026-12-06T08:00:00Z</updated><summary>{title} summary {i}.</summary></entry>")

class H(http.server.BaseHTTPRequestHandler):
    def log_message(self, *a): pass
    def do_GET(self):
        body = atom(entry(0, "First story")).encode()
        self.send_response(200); self.send_header("Content-Type", "application/atom+xml")
        self.send_header("Content-Length", str(len(body))); self.end_headers(); self.wfile.write(body)
    def do_POST(self):
        n = int(self.headers["Content-Length"]); data = self.rfile.read(n).decode()
        forms.append(dict(urllib.parse.parse_qsl(data)))
        self.send_response(202); self.send_header("Content-Length", "0"); self.end_headers()
srv = http.server.ThreadingHTTPServer(("127.0.0.1", hub_port), H)
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
    form = forms[0]; print("subscribe form:", {k: (v if k != "hub.secret" else v[:6] + "...") for k, v in form.items()})
    path = form["hub.callback"][form["hub.callback"].find("/websub/"):]
    q = urllib.parse.urlencode({"hub.mode": "subscribe", "hub.topic": form["hub.topic"], "hub.challenge": "abc123", "hub.lease_seconds": "3600"})
    r = urllib.request.urlopen(f"http://127.0.0.1:{port}{path}?{q}"); print("verification:", r.status, r.read())
    try:
        urllib.request.urlopen(f"http://127.0.0.1:{port}/websub/callback/{'0'*32}?{q}")
    except urllib.error.HTTPError as e: print("unsolicited:", e.code)
    def titles():
        return [i["title"] for i in json.load(urllib.request.urlopen(f"http://127.0.0.1:{port}/feed.json?limit=500"))["items"]]
    lat = []
    for i in range(1, N + 1):
        body = atom(entry(i, f"Pushed story {i}")).encode()
        sig = "sha256=" + hmac.new(form["hub.secret"].encode(), body, hashlib.sha256).hexdigest()
        req = urllib.request.Request(f"http://127.0.0.1:{port}{path}", data=body, method="POST",
                                     headers={"Content-Type": "application/atom+xml", "X-Hub-Signature": sig})
        t = time.time(); r = urllib.request.urlopen(req); assert r.status == 202
        while f"Pushed story {i}" not in titles():
            if time.time() - t > 10: raise SystemExit("not in feed")
            time.sleep(0.002)
        lat.append((time.time() - t) * 1000); time.sleep(0.05)
    forged = atom(entry(999, "Forged")).encode()
    req = urllib.request.Request(f"http://127.0.0.1:{port}{path}", data=forged, method="POST",
                                 headers={"X-Hub-Signature": "sha256=" + "0" * 64})
    print("forged push:", urllib.request.urlopen(req).status); time.sleep(0.5)
    print("forged in feed:", "Forged" in titles())
    lat.sort(); print(f"push->/feed.json latency over {N}: p50={lat[len(lat)//2]:.1f} ms p90={lat[int(len(lat)*0.9)-1]:.1f} ms max={lat[-1]:.1f} ms")
    m = urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics").read().decode()
    time.sleep(1.2); m = urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics").read().decode()
    print("\n".join(l for l in m.splitlines() if l.startswith("tinhop_websub")))
finally:
    daemon.terminate(); daemon.wait(20)
