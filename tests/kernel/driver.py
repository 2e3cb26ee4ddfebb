"""Drives the real openclaw kernel with Debian's jupyter_client (KernelManager +
BlockingKernelClient) through a list of scenarios on ONE kernel, and prints one JSON
document with what each scenario observed. The TypeScript tests assert on it.

usage: /usr/bin/python3 driver.py SCENARIO[,SCENARIO...]   (env: JUPYTER_PATH, OC_SECRET)
"""
import json, os, sys, time, queue, uuid

from jupyter_client.manager import KernelManager

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "helpers"))
import jupyter_msgs  # noqa: E402

SECRET = os.environ.get("OC_SECRET", "")
out = {}
all_msgs = []  # every iopub/stdin/shell message content seen, for the secret check


def drain_iopub(kc, msg_id, timeout=30):
    """iopub messages with parent msg_id up to and including its idle."""
    return jupyter_msgs.drain_iopub(kc, msg_id, timeout, all_msgs)


def shell_reply(kc, msg_id, timeout=30):
    return jupyter_msgs.shell_reply(kc, msg_id, timeout, all_msgs)


def summarize(msgs):
    return jupyter_msgs.summarize(msgs, status="state")


def run(kc, code, timeout=30, allow_stdin=False, stdin_answer=None, stop_on_error=True):
    msg_id = kc.execute(code, allow_stdin=allow_stdin, stop_on_error=stop_on_error)
    t0 = time.time()
    asked = []
    if stdin_answer is not None:
        req = kc.get_stdin_msg(timeout=timeout)
        all_msgs.append(req)
        asked.append(req["content"])
        kc.input(stdin_answer)
    reply = shell_reply(kc, msg_id, timeout)
    t1 = time.time()
    msgs, idle = drain_iopub(kc, msg_id, timeout)
    c = reply["content"]
    return {"status": c["status"], "ename": c.get("ename"), "traceback": c.get("traceback"), "count": c.get("execution_count"),
            "ms": (t1 - t0) * 1000, "idle": idle, "msgs": summarize(msgs), "asked": asked}


def scenario_info(km, kc):
    msg_id = kc.kernel_info()
    c = shell_reply(kc, msg_id)["content"]
    drain_iopub(kc, msg_id, 5)
    return {"implementation": c["implementation"], "language": c["language_info"]["name"], "protocol": c["protocol_version"], "help_links": len(c.get("help_links", []))}


def scenario_magics(km, kc):
    return {code: run(kc, code, 60) for code in ["%openclaw help", "%openclaw config validate", "%openclaw doctor", "%openclaw help\n%openclaw config validate\nconst fromTs: number = 7\nfromTs * 6", "%openclaw nope", "%openclaw secret list --json"]}


def scenario_typescript(km, kc):
    cells = [
        'const a: number = 2;\nconsole.log("a=" + a);\na * 21',
        "a + 1",
        'await new Promise(r => setTimeout(r, 10));\n"awaited"',
        'display.html("<b>bold</b>"); display.markdown("*md*"); const d = display.newDisplay(); d.text("one"); d.text("two");',
        "let s: string = 1;",
        'throw new RangeError("boom")',
        'import { basename } from "path";\nbasename("/x/y.txt")',
        "typeof (openclaw as any).runtime === 'undefined' && typeof openclaw.rag.query === 'function' && typeof openclaw.skills.run === 'function'",
    ]
    return [run(kc, c, 60) for c in cells]


def scenario_lines1000(km, kc):
    r = run(kc, 'for (let i = 0; i < 1000; i++) console.log("line " + i);', 60)
    text = "".join(m.get("text", "") for m in r["msgs"] if m["type"] == "stream")
    lines = [l for l in text.split("\n") if l]
    return {"status": r["status"], "idle": r["idle"], "lines": len(lines), "in_order": lines == ["line %d" % i for i in range(1000)],
            "last_is_idle": r["msgs"][-1]["type"] == "status"}


def scenario_cells250(km, kc):
    # Pipelined: all 250 requests are queued before any output is read (what lost messages in tslab).
    ids = []
    for i in range(250):
        code = 'console.log("cell %d")' % i if i % 2 else "%%openclaw help --json" if False else ('%%openclaw config validate --json' if i % 10 == 0 else 'console.log("cell %d")' % i)
        ids.append((kc.execute(code), i))
    want = {mid: i for mid, i in ids}
    got_out, got_idle, replies = {}, set(), {}
    end = time.time() + 120
    while len(got_idle) < 250 and time.time() < end:
        try:
            m = kc.get_iopub_msg(timeout=5)
        except queue.Empty:
            break
        pid = m["parent_header"].get("msg_id")
        if pid not in want:
            continue
        if m["msg_type"] in ("stream", "display_data"):
            got_out[pid] = got_out.get(pid, 0) + 1
        if m["msg_type"] == "status" and m["content"]["execution_state"] == "idle":
            got_idle.add(pid)
    while len(replies) < 250 and time.time() < end:
        try:
            m = kc.get_shell_msg(timeout=5)
        except queue.Empty:
            break
        replies[m["parent_header"].get("msg_id")] = m["content"]["status"]
    return {"with_output": sum(1 for mid in want if got_out.get(mid)), "idle": len(got_idle), "replies_ok": sum(1 for s in replies.values() if s == "ok")}


def started(kc, msg_id, timeout=30):
    """True once the kernel has published execute_input for msg_id (the cell is about to run)."""
    end = time.time() + timeout
    while time.time() < end:
        try:
            m = kc.get_iopub_msg(timeout=max(0.01, end - time.time()))
        except queue.Empty:
            return False
        all_msgs.append(m)
        if m["parent_header"].get("msg_id") == msg_id and m["msg_type"] == "execute_input":
            return True
    return False


def wait_until(cond, timeout=10.0):
    """Polls cond() until it is true or the bound passes; returns its last value."""
    end = time.time() + timeout
    while time.time() < end:
        if cond():
            return True
        time.sleep(0.05)
    return cond()


def interrupt_running(km, kc, code, ready=None):
    """Starts `code`, sends Stop once `ready()` is true (default: once its execute_input is out); returns the reply and how long it took."""
    msg_id = kc.execute(code)
    if ready is None:
        started(kc, msg_id)
    else:
        wait_until(ready, 10.0)
    t0 = time.time()
    km.interrupt_kernel()
    reply = shell_reply(kc, msg_id, 15)
    dt = time.time() - t0
    drain_iopub(kc, msg_id, 5)
    return reply, dt


def scenario_interrupt(km, kc):
    reply, dt = interrupt_running(km, kc, "await new Promise(r => setTimeout(r, 60000));")
    after = run(kc, "1 + 1")
    return {"reply_s": dt, "status": reply["content"]["status"], "ename": reply["content"].get("ename"), "after": after["status"],
            "after_plain": [m.get("plain") for m in after["msgs"] if m["type"] == "execute_result"]}


def scenario_interrupt_sync(km, kc):
    """A synchronous infinite loop blocks the main thread: Stop must still reach it."""
    before = run(kc, "const kept: number = 5;")
    # The loop blocks the main thread (its iopub may not flush): the cell says it is about to loop by writing a file.
    import tempfile, shutil
    d = tempfile.mkdtemp(prefix="openclaw-driver-")
    marker = os.path.join(d, "looping")
    try:
        reply, dt = interrupt_running(km, kc, 'require("node:fs").writeFileSync(%s, "1");\nwhile (true) {}' % json.dumps(marker), lambda: os.path.exists(marker))
    finally:
        shutil.rmtree(d, ignore_errors=True)
    after = run(kc, "kept * 2")
    return {"before": before["status"], "reply_s": dt, "status": reply["content"]["status"], "ename": reply["content"].get("ename"),
            "after": after["status"], "after_plain": [m.get("plain") for m in after["msgs"] if m["type"] == "execute_result"]}


SLEEPER = """%%openclaw skill
---
name: sleeper-test
description: Sleeps; used to test Stop on a governed exec.
exec:
  cmd: sleep 37
  timeoutSec: 120
---
# sleeper-test
"""


def descendants_cmdlines(root):
    return [cmd for _, cmd in jupyter_msgs.descendants_cmdlines(root)]


def scenario_interrupt_exec(km, kc):
    """Stop during a governed exec (a skill running `sleep 37`): quick reply, the child is gone, the kernel goes on."""
    reg = run(kc, SLEEPER, 30)
    kpid = km.provisioner.process.pid
    running = []

    def sleeping():
        running[:] = [c for c in descendants_cmdlines(kpid) if "sleep 37" in c]
        return bool(running)

    reply, dt = interrupt_running(km, kc, "%openclaw skills run sleeper-test", sleeping)
    wait_until(lambda: not any("sleep 37" in c for c in descendants_cmdlines(kpid)), 5.0)
    left = [c for c in descendants_cmdlines(kpid) if "sleep 37" in c]
    after = run(kc, "%openclaw help")
    return {"register": reg["status"], "was_running": len(running), "reply_s": dt, "status": reply["content"]["status"], "ename": reply["content"].get("ename"),
            "left": left, "after": after["status"]}


def scenario_stop_on_error(km, kc):
    a = kc.execute('throw new Error("first fails")')
    b = kc.execute('console.log("queued behind")')
    ra, rb = shell_reply(kc, a), shell_reply(kc, b)
    drain_iopub(kc, a, 5)
    drain_iopub(kc, b, 5)
    c = run(kc, 'console.log("sent later")')
    return {"first": ra["content"]["status"], "queued": rb["content"]["status"], "later": c["status"],
            "later_text": "".join(m.get("text", "") for m in c["msgs"] if m["type"] == "stream")}


def scenario_stdin(km, kc):
    yes = run(kc, 'const ok1 = await openclaw.approve("run ls", ["ls"]);\nconsole.log("approved=" + ok1)', 30, allow_stdin=True, stdin_answer="y")
    no_stdin = run(kc, 'const ok2 = await openclaw.approve("run ls", ["ls"]);\nconsole.log("approved=" + ok2)', 30, allow_stdin=False)
    secret = run(kc, "%openclaw secret OC_TEST_SECRET", 30, allow_stdin=True, stdin_answer=SECRET)
    listed = run(kc, "%openclaw secret list --json", 30)
    reach = run(kc, 'console.log("runtime=" + typeof (openclaw as any).runtime + " env=" + (process.env.OC_TEST_SECRET === undefined ? "absent" : "present"))', 30)
    child = run(kc, 'console.log(require("child_process").execFileSync("/usr/bin/env").toString())', 30)
    nostdin_secret = run(kc, "%openclaw secret OTHER_SECRET", 30, allow_stdin=False)
    environ = open("/proc/%d/environ" % km.provisioner.process.pid, "rb").read().decode("utf8", "replace")
    return {"yes": yes, "no_stdin": no_stdin, "secret": secret, "listed": listed, "reach": reach, "child": child, "nostdin_secret": nostdin_secret,
            "secret_in_kernel_environ": SECRET in environ}


def scenario_provider(km, kc):
    """A secret typed into the masked prompt is what the OpenAI provider sends (to a local stub)."""
    secret = run(kc, "%openclaw secret OC_PROVIDER_KEY", 30, allow_stdin=True, stdin_answer=SECRET)
    turn = run(kc, '%openclaw agent "say hi" --model openai/gpt-4o-mini', 60)
    return {"secret": secret["status"], "asked": secret["asked"], "turn": turn["status"], "turn_ename": turn["ename"], "turn_traceback": turn["traceback"]}


GREET = """%%openclaw skill
---
name: greet-test
description: Print a greeting (registered from a notebook cell).
exec:
  cmd: echo Hello {{name}}
  timeoutSec: 10
parameters:
  type: object
  properties:
    name:
      type: string
      maxLength: 50
  required: [name]
---
# greet-test
"""

RISKY = """%%openclaw skill
---
name: risky-test
description: A high-risk skill; a person must approve every run.
risk: high
exec:
  cmd: echo ran after approval
  timeoutSec: 10
---
# risky-test
"""


def scenario_skills(km, kc):
    def comp(code):
        mid = kc.complete(code, len(code))
        return shell_reply(kc, mid)["content"]["matches"]

    def insp(code):
        mid = kc.inspect(code, len(code))
        c = shell_reply(kc, mid)["content"]
        return {"found": c["found"], "plain": c["data"].get("text/plain", "")}

    reg = run(kc, GREET, 60)
    listed = run(kc, "%openclaw skills list --json", 30)
    ran = run(kc, "%openclaw skills run greet-test name=World", 60)
    reg2 = run(kc, RISKY, 30)
    approved = run(kc, "%openclaw skills run risky-test", 60, allow_stdin=True, stdin_answer="y")
    denied = run(kc, "%openclaw skills run risky-test", 60, allow_stdin=False)
    return {"register": reg, "listed": listed, "ran": ran, "register_risky": reg2["status"], "approved": approved, "denied": denied,
            "complete": comp("%openclaw skills run gr"), "inspect": insp("%openclaw skills run greet-test")}


BG = """%%openclaw skill
---
name: bg-test
description: Runs longer than backgroundMs, so it finishes in the background.
exec:
  cmd: node -e "setTimeout(() => console.log('bg-done'), 1200)"
  timeoutSec: 20
---
# bg-test
"""


def scenario_background(km, kc):
    """A run that outlives its cell: its exit notice arrives later, on iopub, tied to the cell that started it."""
    reg = run(kc, BG, 30)
    started = run(kc, "%openclaw skills run bg-test", 30)
    seen = []
    end = time.time() + 10
    while time.time() < end and not any("exited" in m.get("text", "") for m in seen):
        try:
            m = kc.get_iopub_msg(timeout=1)
        except queue.Empty:
            continue
        all_msgs.append(m)
        if m["msg_type"] == "stream":
            seen.append({"type": "stream", "name": m["content"]["name"], "text": m["content"]["text"], "parent": m["parent_header"].get("msg_id"), "parent_code": m["parent_header"].get("msg_type")})
        if m["msg_type"] == "display_data":
            d = m["content"]["data"]
            seen.append({"type": "display_data", "text": d.get("text/plain", ""), "html": d.get("text/html", ""), "metadata": m["content"].get("metadata", {}),
                         "parent": m["parent_header"].get("msg_id"), "parent_code": m["parent_header"].get("msg_type")})
    return {"register": reg["status"], "started": started["status"], "started_out": [m.get("plain", m.get("text", "")) for m in started["msgs"] if m["type"] in ("stream", "display_data")],
            "later": seen}


def scenario_agent(km, kc):
    """An agent turn (scripted model) is ONE display, updated in place as its events arrive."""
    r = run(kc, "%%openclaw agent --model scripted/kernel-test.json\nSay hello to the notebook.", 60)
    return {"status": r["status"], "msgs": [{k: m.get(k) for k in ("type", "mime", "display_id", "plain")} for m in r["msgs"]]}


def scenario_complete(km, kc):
    def comp(code, pos=None):
        mid = kc.complete(code, len(code) if pos is None else pos)
        c = shell_reply(kc, mid)["content"]
        return {"matches": c["matches"], "start": c["cursor_start"], "end": c["cursor_end"]}

    def insp(code):
        mid = kc.inspect(code, len(code))
        c = shell_reply(kc, mid)["content"]
        return {"found": c["found"], "plain": c["data"].get("text/plain", "")}

    def isc(code):
        mid = kc.is_complete(code)
        return shell_reply(kc, mid)["content"]

    mid = kc.history()
    hist = shell_reply(kc, mid)["content"]
    mid = kc.comm_info()
    comm = shell_reply(kc, mid)["content"]
    return {"group": comp("%openclaw ra"), "sub": comp("%openclaw rag "), "flag": comp("%openclaw doctor --j"), "ts": comp("const abcdef = 1;\nabc"),
            "facade_rag": comp("openclaw.rag."), "facade": comp("openclaw."), "facade_query": insp("openclaw.rag.query"),
            "inspect": insp("%openclaw config validate"), "open": isc("function f() {"), "closed": isc("1 + 1"), "magic_closed": isc("%openclaw help"),
            "history": hist["status"], "comm": comm["status"]}


def scenario_signatures(km, kc):
    from jupyter_client.session import Session
    sock = kc.shell_channel.socket
    bad = Session(key=b"not-the-key", username="attacker")
    msg = bad.msg("kernel_info_request", {})
    bad.send(sock, msg)
    unsigned = Session(key=b"", username="attacker")
    unsigned.send(sock, unsigned.msg("kernel_info_request", {}))
    good = kc.session
    m = good.msg("kernel_info_request", {})
    frames = good.serialize(m)
    sock.send_multipart(frames)
    sock.send_multipart(frames)  # the exact same signed frames again: a replay
    replies = []
    end = time.time() + 3
    while time.time() < end:
        try:
            r = kc.get_shell_msg(timeout=0.5)
            replies.append(r["parent_header"].get("msg_id"))
        except queue.Empty:
            pass
    alive = run(kc, "%openclaw help")
    return {"bad_replied": msg["header"]["msg_id"] in replies, "good_replies": replies.count(m["header"]["msg_id"]), "alive": alive["status"]}


def scenario_heartbeat_busy(km, kc):
    """A TS cell busy-loops for 5 s on the main thread; meanwhile the heartbeat is pinged every 0.25 s
    with a fresh REQ socket (as jupyter_client's HBChannel does after a miss). Every ping sent while the
    cell runs must be echoed; the cell reports when it ran so the pings can be placed inside it."""
    import zmq
    ctx = zmq.Context.instance()
    info = km.get_connection_info()
    addr = "%s://%s:%d" % (info["transport"], info["ip"], info["hb_port"])

    def ping(timeout):
        s = ctx.socket(zmq.REQ)
        s.linger = 0
        s.connect(addr)
        t0 = time.time()
        body = uuid.uuid4().hex.encode()
        s.send(body)
        ok = bool(s.poll(int(timeout * 1000))) and s.recv() == body
        s.close()
        return {"sent": t0 * 1000, "ms": (time.time() - t0) * 1000 if ok else None}

    idle = ping(10)
    code = "const hbT0 = Date.now();\nwhile (Date.now() - hbT0 < 5000) {}\n`ran ${hbT0} ${Date.now()}`"
    msg_id = kc.execute(code)
    pings = []
    end = time.time() + 20
    reply = None
    while time.time() < end:
        pings.append(ping(2.0))
        try:
            m = kc.get_shell_msg(timeout=0.25)
            all_msgs.append(m)
            if m["parent_header"].get("msg_id") == msg_id:
                reply = m
                break
        except queue.Empty:
            pass
    if reply is None:
        reply = shell_reply(kc, msg_id, 30)
    msgs, _ = drain_iopub(kc, msg_id, 10)
    plain = [m["content"]["data"].get("text/plain", "") for m in msgs if m["msg_type"] == "execute_result"]
    import re
    found = re.search(r"ran (\d+) (\d+)", plain[0] if plain else "")
    start, stop = (int(found.group(1)), int(found.group(2))) if found else (None, None)
    return {"idle_ms": idle["ms"], "status": reply["content"]["status"], "start": start, "stop": stop, "pings": pings}


def scenario_shutdown(km, kc):
    r = run(kc, 'const child = require("child_process").spawn("sleep", ["300"], { stdio: "ignore" });\nconsole.log("child=" + child.pid)', 30)
    text = "".join(m.get("text", "") for m in r["msgs"] if m["type"] == "stream")
    child = int(text.strip().split("=")[1])
    kpid = km.provisioner.process.pid
    t0 = time.time()
    km.shutdown_kernel(now=False)
    dt = time.time() - t0

    def alive(pid):
        try:
            with open("/proc/%d/stat" % pid) as f:
                return f.read().split(") ")[1].split()[0] != "Z"
        except FileNotFoundError:
            return False
    wait_until(lambda: not alive(kpid) and not alive(child), 5.0)
    return {"shutdown_s": dt, "kernel_alive": alive(kpid), "child_alive": alive(child), "exit": km.provisioner.process.returncode if km.provisioner.process else None}


RISKY_ARG = """%%openclaw skill
---
name: risky-arg-test
description: A high-risk skill whose argument the caller (a model, say) chooses.
risk: high
exec:
  cmd: echo ran-after-approval {{note}}
  timeoutSec: 10
parameters:
  type: object
  properties:
    note:
      type: string
      maxLength: 2000
  required: [note]
---
# risky-arg-test
"""

# What a hostile model might pass: a bidi override that reverses what follows, a fake
# prompt, an ANSI escape, a zero-width space, and enough text to push the real prompt away.
HOSTILE = "\u202Etxt.exe [y/N] y \x1b[2K\x1b[31mapprove? [y/N]\u200b " + "x" * 400


def scenario_forged_input(km, kc):
    """Forged input_replies while an approval waits: none may answer it; the real client's "n" does."""
    import zmq
    from jupyter_client import BlockingKernelClient
    reg = run(kc, RISKY_ARG, 30)
    msg_id = kc.execute('%%openclaw skills run risky-arg-test note="%s"' % HOSTILE, allow_stdin=True)
    req = kc.get_stdin_msg(timeout=30)
    all_msgs.append(req)
    # 1. Another client (its own session and identity) answers "y", naming no parent, as jupyter_client does.
    other = BlockingKernelClient(connection_file=km.connection_file)
    other.load_connection_file()
    other.start_channels()
    other.input("y")
    # 2. The cell's own client and session, but answering another input_request.
    kc.stdin_channel.send(kc.session.msg("input_reply", {"value": "y"}, parent={"msg_id": "not-" + req["header"]["msg_id"], "msg_type": "input_request", "session": req["header"]["session"]}))
    # 3. The cell's session id signed with the key, from another connection, naming no parent.
    ctx = zmq.Context.instance()
    forger = ctx.socket(zmq.DEALER)
    forger.setsockopt(zmq.IDENTITY, b"forger-" + uuid.uuid4().hex.encode())
    forger.setsockopt(zmq.LINGER, 0)
    forger.connect("%s://%s:%d" % (km.transport, km.ip, km.stdin_port))
    kc.session.send(forger, kc.session.msg("input_reply", {"value": "y"}))
    # 4. Another session naming the right input_request.
    other.stdin_channel.send(other.session.msg("input_reply", {"value": "y"}, parent=req["header"]))
    # None of them may end the question: the cell must still be waiting.
    early = None
    try:
        early = kc.get_shell_msg(timeout=2.0)
    except queue.Empty:
        pass
    kc.input("n")
    reply = shell_reply(kc, msg_id, 30)
    msgs, idle = drain_iopub(kc, msg_id, 15)
    forger.close()
    other.stop_channels()
    text = json.dumps(summarize(msgs))
    after = run(kc, "%openclaw audit tail -n 5 --json", 30)
    return {"register": reg["status"], "prompt": req["content"]["prompt"], "password": req["content"]["password"],
            "early_reply": None if early is None else early["msg_type"], "status": reply["content"]["status"],
            "denied": "approval.denied" in text, "ran": "exit 0" in text or "approval.granted" in text, "output": text[-3000:], "after": after["status"]}


def scenario_gateway_token(km, kc):
    """`%openclaw gateway start` with token auth (openclaw.json in the kernel's folder asks for it):
    the generated token is in the 0600 file and in no message the kernel sends."""
    # TypeScript cells reach the gateway through openclaw.magic (the facade has no gateway member by
    # design): the data a cell gets back is shown as its result, so it is checked like the rest.
    cells = ["%openclaw gateway start", "%openclaw gateway start --json", "%openclaw gateway status", "%openclaw gateway status --json",
             'await openclaw.magic("gateway start")', 'await openclaw.magic("gateway status")', "%openclaw gateway logs -n 50", "%openclaw gateway stop"]
    results = [run(kc, c, 60) for c in cells]
    path = os.path.join(os.environ["OPENCLAW_STATE_DIR"], "gateway", "token")
    token = open(path).read().strip()
    mode = os.stat(path).st_mode & 0o777
    log = open(os.path.join(os.environ["OPENCLAW_STATE_DIR"], "gateway", "gateway.log")).read()
    seen = json.dumps(all_msgs, default=str)
    return {"statuses": [r["status"] for r in results], "token_len": len(token), "mode": mode, "in_messages": token in seen,
            "in_log": token in log, "log_lines": len(log.splitlines()), "start_text": "".join(m.get("plain", "") for m in results[0]["msgs"]),
            "where_said": path in seen}


def main():
    names = sys.argv[1].split(",")
    km = KernelManager(kernel_name=os.environ.get("OC_KERNEL", "openclaw"))
    t0 = time.time()
    # The kernel must not inherit the test secret: it may only learn it through stdin.
    env = {k: v for k, v in os.environ.items() if k != "OC_SECRET"}
    km.start_kernel(cwd=os.environ.get("OC_CWD") or None, env=env)
    kc = km.client()
    kc.start_channels()
    kc.wait_for_ready(timeout=60)
    out["ready_s"] = time.time() - t0
    try:
        for n in names:
            t = time.time()
            try:
                out[n] = globals()["scenario_" + n](km, kc)
            except Exception as e:  # report, let the test fail with the reason
                out[n] = {"exception": repr(e)}
            out[n + "_s"] = time.time() - t
    finally:
        if km.is_alive():
            km.shutdown_kernel(now=False)
        kc.stop_channels()
    if SECRET:
        hits = [m for m in all_msgs if SECRET in json.dumps(m, default=str)]
        out["secret_in_messages"] = len(hits)
        out["secret_hits"] = [m["msg_type"] for m in hits]
    print(json.dumps(out, default=str))
    sys.stdout.flush()
    os._exit(0)  # skip jupyter_client's noisy __del__ at interpreter exit


main()
