"""The driver of scripts/hub-test.sh (run by it; /usr/bin/python3 with Debian's tornado).
Through the hub's REST API: start each user's server, open an openclaw kernel there, run
`%openclaw gateway start --json` in it, then check isolation as the users themselves."""
import json, subprocess, sys, time, uuid, urllib.request, urllib.error
from tornado import ioloop, websocket, httpclient

HUB, TOKEN, A, B, ROOT, SYS = sys.argv[1:7]
H = {"Authorization": f"token {TOKEN}", "Content-Type": "application/json"}
failures = []

def api(method, path, body=None):
    req = urllib.request.Request(HUB + path, method=method, headers=H, data=None if body is None else json.dumps(body).encode())
    try:
        with urllib.request.urlopen(req, timeout=60) as r:
            t = r.read()
            return r.status, (json.loads(t) if t else None)
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()

def check(ok, what):
    print(("ok   " if ok else "FAIL ") + what, flush=True)
    if not ok: failures.append(what)

def start_server(u):
    api("POST", f"/hub/api/users/{u}")  # create (409 if it exists)
    s, _ = api("POST", f"/hub/api/users/{u}/server")
    deadline = time.time() + 180
    while time.time() < deadline:
        s, info = api("GET", f"/hub/api/users/{u}")
        if isinstance(info, dict) and info.get("servers", {}).get("", {}).get("ready"):
            return
        time.sleep(1)
    raise SystemExit(f"{u}'s server did not become ready")

async def run_in_kernel(u, code):
    s, k = api("POST", f"/user/{u}/api/kernels", {"name": "openclaw"})
    if s != 201: raise SystemExit(f"cannot start {u}'s kernel: {s} {k}")
    url = HUB.replace("http", "ws") + f"/user/{u}/api/kernels/{k['id']}/channels"
    ws = await websocket.websocket_connect(httpclient.HTTPRequest(url, headers={"Authorization": f"token {TOKEN}"}), )
    mid = uuid.uuid4().hex
    msg = {"header": {"msg_id": mid, "username": u, "session": uuid.uuid4().hex, "msg_type": "execute_request", "version": "5.3", "date": ""},
           "parent_header": {}, "metadata": {}, "channel": "shell",
           "content": {"code": code, "silent": False, "store_history": False, "user_expressions": {}, "allow_stdin": False, "stop_on_error": True}}
    await ws.write_message(json.dumps(msg))
    out = []
    deadline = time.time() + 180
    while time.time() < deadline:
        m = await ws.read_message()
        if m is None: break
        m = json.loads(m)
        if m.get("parent_header", {}).get("msg_id") != mid: continue
        t, c = m["msg_type"], m["content"]
        if t == "stream": out.append(c["text"])
        elif t in ("execute_result", "display_data"): out.append(json.dumps(c["data"].get("application/json")) if "application/json" in c["data"] else c["data"].get("text/plain", ""))
        elif t == "error": out.append("ERROR " + c.get("ename", "") + ": " + c.get("evalue", ""))
        elif t == "status" and c["execution_state"] == "idle": break
    ws.close()
    return k["id"], "\n".join(out)

CLIENT = r'''
const http = require("node:http"); const port = Number(process.argv[1]);
function req(h) { return new Promise((res) => { const r = http.request({ host: "127.0.0.1", port, path: h.Upgrade ? "/ws" : "/health", headers: { Host: "127.0.0.1:" + port, ...h }, agent: false });
  r.on("response", (x) => { x.resume(); x.on("end", () => res(x.statusCode)); }); r.on("upgrade", (x, s) => { s.destroy(); res(x.statusCode); }); r.on("error", () => res(0)); r.end(); }); }
(async () => { const a = await req({}); const b = await req({ Upgrade: "websocket", Connection: "Upgrade", "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==", "Sec-WebSocket-Version": "13" }); console.log(JSON.stringify({ http: a, ws: b })); })();
'''

def as_user(u, *argv):
    return subprocess.run(["runuser", "-u", u, "--", *argv], capture_output=True, text=True, cwd="/", timeout=120)

def port_of(text):
    import re
    m = re.search(r'"port": (\d+)', text) or re.search(r"127\.0\.0\.1:(\d+)", text)
    return int(m.group(1)) if m else None

def wait_hub():
    deadline = time.time() + 120
    while time.time() < deadline:
        try:
            s, _ = api("GET", "/hub/api/")
            if s == 200: return
        except (urllib.error.URLError, ConnectionError, OSError):
            pass
        time.sleep(0.5)
    raise SystemExit("the hub did not answer within 120 s")

async def main():
    t0 = time.time()
    wait_hub()
    print(f"hub up in {time.time()-t0:.0f} s", flush=True)
    for u in (A, B): start_server(u)
    print(f"servers ready in {time.time()-t0:.0f} s", flush=True)
    _, out_a = await run_in_kernel(A, "%openclaw gateway start")
    _, out_b = await run_in_kernel(B, "%openclaw gateway start")
    print("A:", out_a.strip().splitlines()[:3]); print("B:", out_b.strip().splitlines()[:4])
    pa, pb = port_of(out_a), port_of(out_b)
    check(pa is not None and pb is not None and pa != pb, f"both gateways run at once (A on {pa}, B on {pb})")
    if pa == 18789: check("is taken by" in out_b, "B's kernel found the default port taken and said which port it uses")
    for who, port, want in ((A, pa, 200), (B, pa, 403), (B, pb, 200), (A, pb, 403)):
        r = as_user(who, "node", "-e", CLIENT, str(port))
        st = json.loads(r.stdout or "{}")
        check(st.get("http") == want and st.get("ws") == (101 if want == 200 else 403), f"{who} -> gateway on {port}: HTTP {st.get('http')}, WS {st.get('ws')} (want {want})")
    home = subprocess.run(["getent", "passwd", A], capture_output=True, text=True).stdout.split(":")[5]
    state = home + "/.openclaw-kernel"
    # A's RAG index, over a workspace in A's home (the kernel's cwd), so there is one to protect.
    r = subprocess.run(["runuser", "-u", A, "--", "sh", "-c", f"cd {home} && mkdir -p workspace && echo 'Refunds take five days.' > workspace/notes.md && node {ROOT}/bin/openclaw-kernel rag index"], capture_output=True, text=True, timeout=180)
    import os
    check(r.returncode == 0 and os.path.isdir(state + "/rag") and os.path.exists(state + "/gateway/gateway.log"), "A has a RAG index and a gateway log in " + state)
    for p in (state, state + "/gateway/gateway.log", state + "/audit/audit.jsonl", state + "/rag"):
        r = as_user(B, "cat", p)
        check(r.returncode != 0 and "Permission denied" in r.stderr, f"B cannot read {p}")
    log = open(state + "/gateway/gateway.log").read()
    check("http refused: another user's process" in log and "ws upgrade refused: another user's process" in log, "A's gateway log records B's refusals")
    loose = home.replace(A, B) + "/loose.json"
    with open(loose, "w") as f: json.dump({"tools": {"exec": {"applyPatch": {"enabled": True}}}}, f)
    subprocess.run(["chown", f"{B}:{B}", loose])
    r = subprocess.run(["runuser", "-u", B, "--", "env", f"OPENCLAW_SYSTEM_CONFIG={SYS}", "node", ROOT + "/bin/openclaw-kernel", "config", "validate", "--config", loose], capture_output=True, text=True, cwd="/")
    check(r.returncode == 2 and "loosens the admin's pin" in (r.stdout + r.stderr), "B's config cannot loosen the admin's pin (exit 2)")
    for u in (A, B): api("DELETE", f"/hub/api/users/{u}/server")
    print(f"hub-test: {'FAILED ' + str(len(failures)) if failures else 'all checks passed'} in {time.time()-t0:.0f} s")
    sys.exit(1 if failures else 0)

ioloop.IOLoop.current().run_sync(main, timeout=900)
