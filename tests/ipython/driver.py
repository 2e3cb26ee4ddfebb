"""Drives Debian's ipykernel (a real Python kernel, kernelspec "python3") with Debian's
jupyter_client through scenarios that load the openclaw_kernel_ext extension, and prints
one JSON document with what each observed. The TypeScript tests assert on it.

usage: /usr/bin/python3 driver.py SCENARIO[,SCENARIO...]
env: HOME (holds the extension, installed with `install --ipython --user`), OC_CWD, OC_SECRET
"""
import json, os, queue, signal, sys, time

from jupyter_client.manager import KernelManager

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "helpers"))
import jupyter_msgs  # noqa: E402

SECRET = os.environ.get("OC_SECRET", "")
out = {}
all_msgs = []


def drain_iopub(kc, msg_id, timeout=30):
    return jupyter_msgs.drain_iopub(kc, msg_id, timeout, all_msgs)


def shell_reply(kc, msg_id, timeout=30):
    return jupyter_msgs.shell_reply(kc, msg_id, timeout, all_msgs)


def settle(kc, timeout=60):
    """A kernel_info round trip. After a cell fails with stop_on_error, ipykernel aborts every
    execute_request it receives until a "stop aborting" event it puts on its own queue runs; that
    event is queued before this request is answered, so a cell sent after the reply is not aborted."""
    shell_reply(kc, kc.kernel_info(), timeout)


def summarize(msgs):
    return jupyter_msgs.summarize(msgs, status="skip")


def run(kc, code, timeout=120, allow_stdin=False, answers=(), stop_on_error=False):
    # Cells here are run one by one: ipykernel (6.x) aborts requests that arrive in a short window
    # after an error when stop_on_error is set, which would turn the next check into "aborted".
    # Run All semantics are checked by scenario_error and scenario_interpolate, which queue with
    # the default; every other cell that is meant to fail is sent with stop_on_error=False.
    msg_id = kc.execute(code, allow_stdin=allow_stdin, stop_on_error=stop_on_error)
    asked = []
    for a in answers:
        req = kc.get_stdin_msg(timeout=timeout)
        all_msgs.append(req)
        asked.append(req["content"])
        kc.input(a)
    reply = shell_reply(kc, msg_id, timeout)
    msgs, idle = drain_iopub(kc, msg_id, 30)
    c = reply["content"]
    return {"status": c["status"], "ename": c.get("ename"), "evalue": c.get("evalue"), "traceback": c.get("traceback"), "idle": idle,
            "msgs": summarize(msgs), "asked": asked}


def text_of(r):
    return "\n".join(m.get("text", "") + m.get("plain", "") + m.get("html", "") for m in r["msgs"])


def host_pid(kc):
    r = run(kc, "import openclaw_kernel_ext as _oc\nprint('host=%d' % _oc._host.proc.pid)")
    return int(text_of(r).split("host=")[1].split()[0])


def alive(pid):
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().rsplit(") ", 1)[1].split()[0] != "Z"
    except (FileNotFoundError, IndexError):
        return False


descendants_cmdlines = jupyter_msgs.descendants_cmdlines


def wait_gone(pids, timeout=15):
    end = time.time() + timeout
    while time.time() < end and any(alive(p) for p in pids):
        time.sleep(0.1)
    return [p for p in pids if alive(p)]


def start(cwd=None):
    km = KernelManager(kernel_name="python3")
    # The kernel must not inherit the test secret: it may only learn it through stdin.
    env = {k: v for k, v in os.environ.items() if k != "OC_SECRET"}
    km.start_kernel(cwd=cwd or os.environ["OC_CWD"], env=env)
    kc = km.client()
    kc.start_channels()
    kc.wait_for_ready(timeout=120)
    return km, kc


# -- scenarios on one kernel -----------------------------------------------------------------

def scenario_load(km, kc):
    t0 = time.time()
    r = run(kc, "%load_ext openclaw_kernel_ext")
    first = run(kc, "%openclaw help")
    return {"load": r["status"], "help": first["status"], "help_mime": sorted({x for m in first["msgs"] for x in m.get("mime", [])}),
            "first_s": time.time() - t0, "host_pid": host_pid(kc)}


def scenario_doctor(km, kc):
    r = run(kc, "%openclaw doctor", 180)
    return {"status": r["status"], "msgs": r["msgs"]}


def scenario_gateway(km, kc):
    cells = ["%openclaw gateway start", "%openclaw gateway status", "%openclaw gateway status --json", "%openclaw gateway stop", "%openclaw gateway status --json"]
    rs = [run(kc, c, 120) for c in cells]
    return {"statuses": [r["status"] for r in rs], "texts": [text_of(r)[:3000] for r in rs],
            "json": [next((m["plain"] for m in r["msgs"] if "application/json" in m.get("mime", [])), None) for r in rs]}


def scenario_rag(km, kc):
    idx = run(kc, "%openclaw rag index", 600)
    q = run(kc, '%openclaw rag query "How do we onboard new hires for product training?" --topk 3', 300)
    return {"index": idx["status"], "index_ename": idx["ename"], "index_tb": idx["traceback"], "query": q["status"], "msgs": q["msgs"]}


def scenario_agent(km, kc):
    r = run(kc, "%%openclaw agent --model scripted/ipython-test.json\nSay hello to the notebook.", 180)
    return {"status": r["status"], "ename": r["ename"], "evalue": r["evalue"], "msgs": [{k: m.get(k) for k in ("type", "mime", "display_id", "plain")} for m in r["msgs"]]}


RISKY = """%%openclaw skill
---
name: risky-ipy
description: A high-risk skill; a person must approve every run.
risk: high
exec:
  cmd: echo ran-after-approval
  timeoutSec: 30
---
# risky-ipy
"""


def scenario_approval(km, kc):
    reg = run(kc, RISKY, 60)
    yes = run(kc, "%openclaw skills run risky-ipy", 120, allow_stdin=True, answers=["y"])
    no = run(kc, "%openclaw skills run risky-ipy", 120, allow_stdin=True, answers=["n"])
    headless = run(kc, "%openclaw skills run risky-ipy", 120, allow_stdin=False)
    return {"register": reg["status"], "yes": {"status": yes["status"], "asked": yes["asked"], "text": text_of(yes)[-3000:]},
            "no": {"status": no["status"], "asked": no["asked"], "text": text_of(no)[-3000:], "ename": no["ename"]},
            "headless": {"status": headless["status"], "asked": headless["asked"], "text": text_of(headless)[-3000:]}}


def scenario_secret(km, kc):
    s = run(kc, "%openclaw secret OC_IPY_SECRET", 60, allow_stdin=True, answers=[SECRET])
    listed = run(kc, "%openclaw secret list --json", 60)
    env = run(kc, "import os\nprint('in-python-env=%s' % ('OC_IPY_SECRET' in os.environ))")
    return {"status": s["status"], "asked": s["asked"], "listed": text_of(listed), "env": text_of(env), "text": text_of(s)}


SLEEPER = """%%openclaw skill
---
name: sleeper-ipy
description: Sleeps; used to test Stop.
exec:
  cmd: sleep 37
  timeoutSec: 120
---
# sleeper-ipy
"""


def scenario_interrupt(km, kc):
    reg = run(kc, SLEEPER, 60)
    hpid = host_pid(kc)
    msg_id = kc.execute("%openclaw skills run sleeper-ipy", stop_on_error=False)
    running = []
    end = time.time() + 60
    while time.time() < end and not running:
        running = [p for p, c in descendants_cmdlines(hpid) if "sleep 37" in c]
        time.sleep(0.05)
    t0 = time.time()
    km.interrupt_kernel()
    reply = shell_reply(kc, msg_id, 30)
    dt = time.time() - t0
    msgs, _ = drain_iopub(kc, msg_id, 10)
    left = wait_gone(running, 5)
    after = run(kc, "%openclaw help", 60)
    return {"register": reg["status"], "was_running": len(running), "reply_s": dt, "status": reply["content"]["status"],
            "ename": reply["content"].get("ename"), "left": left, "after": after["status"], "same_host": host_pid(kc) == hpid}


def scenario_interrupt_prompt(km, kc):
    """Stop while an approval question waits on the kernel's stdin: the command is cancelled, nothing ran."""
    msg_id = kc.execute("%openclaw skills run risky-ipy", allow_stdin=True, stop_on_error=False)
    req = kc.get_stdin_msg(timeout=60)
    all_msgs.append(req)
    t0 = time.time()
    km.interrupt_kernel()
    reply = shell_reply(kc, msg_id, 30)
    dt = time.time() - t0
    msgs, _ = drain_iopub(kc, msg_id, 10)
    after = run(kc, "%openclaw audit tail -n 3 --json", 60)
    return {"asked": req["content"]["prompt"][:60], "reply_s": dt, "status": reply["content"]["status"], "ename": reply["content"].get("ename"),
            "ran": "ran-after-approval" in json.dumps(summarize(msgs)), "after": after["status"], "audit": text_of(after)[-3000:]}


def scenario_host_crash(km, kc):
    """The host dies mid-command (kill -9): the cell fails with HostError at once; the next command starts a new host."""
    hpid = host_pid(kc)
    msg_id = kc.execute("%openclaw skills run sleeper-ipy", stop_on_error=False)
    end = time.time() + 60
    while time.time() < end and not any("sleep 37" in c for _, c in descendants_cmdlines(hpid)):
        time.sleep(0.05)
    sleepers = [p for p, c in descendants_cmdlines(hpid) if "sleep 37" in c]
    os.kill(hpid, signal.SIGKILL)
    t0 = time.time()
    reply = shell_reply(kc, msg_id, 30)
    dt = time.time() - t0
    drain_iopub(kc, msg_id, 10)
    after = run(kc, "%openclaw help", 120)
    for p in sleepers:  # a host killed -9 cannot clean up; do not leave the test's sleep behind
        try:
            os.kill(p, signal.SIGKILL)
        except OSError:
            pass
    return {"status": reply["content"]["status"], "ename": reply["content"].get("ename"), "evalue": reply["content"].get("evalue"), "reply_s": dt,
            "after": after["status"], "new_host": host_pid(kc) != hpid}


def scenario_error(km, kc):
    bad = run(kc, "%openclaw nope", 60)
    a = kc.execute("%openclaw config validate --config missing-file.json")
    b = kc.execute("print('queued behind a failed cell')")
    ra, rb = shell_reply(kc, a, 60), shell_reply(kc, b, 60)
    drain_iopub(kc, a, 10)
    drain_iopub(kc, b, 10)
    return {"status": bad["status"], "ename": bad["ename"], "evalue": bad["evalue"], "traceback": bad["traceback"], "msgs": bad["msgs"],
            "first": ra["content"]["status"], "first_ename": ra["content"].get("ename"), "queued": rb["content"]["status"]}


PY_VALUES = """city = "Reyk" + "javík-" + str(6 * 7)
facts = {"population": 139875, "tags": ("north", "harbour")}
from fractions import Fraction
ratio = Fraction(1, 3)
big = "x" * 200001
class Loud:
    def __repr__(self):
        raise RuntimeError("no repr today")
loud = Loud()
"""


def scenario_interpolate(km, kc):
    """{name} in an agent prompt from the Python namespace (the model is the test's loopback OpenAI server)."""
    setup = run(kc, PY_VALUES, 60)
    cell = run(kc, "%%openclaw agent\nTell me about {city} ({facts}, {ratio}); keep {{braces}}.", 180)
    line = run(kc, '%openclaw agent "One line on {city}" --new', 180)
    big = run(kc, "%%openclaw agent\nSummarize {big}", 60)
    loud = run(kc, "%%openclaw agent\nDescribe {loud}", 60)
    # Run All: the cell with an unknown name fails and the one queued behind it does not run.
    a = kc.execute("%%openclaw agent\nWhat about {nowhere} and {city}?")
    b = kc.execute("print('queued behind the unknown name')")
    ra, rb = shell_reply(kc, a, 120), shell_reply(kc, b, 60)
    ma, _ = drain_iopub(kc, a, 10)
    drain_iopub(kc, b, 10)
    pick = lambda r: {k: r[k] for k in ("status", "ename", "evalue")}
    return {"setup": setup["status"], "cell": pick(cell), "cell_text": text_of(cell)[-4000:], "line": pick(line), "big": pick(big), "loud": pick(loud),
            "unknown": {"status": ra["content"]["status"], "ename": ra["content"].get("ename"), "evalue": ra["content"].get("evalue"), "text": text_of({"msgs": summarize(ma)})[-3000:]},
            "queued": rb["content"]["status"]}


def scenario_shutdown(km, kc):
    hpid = host_pid(kc)
    kids = [p for p, _ in descendants_cmdlines(hpid)]
    km.shutdown_kernel(now=False)
    left = wait_gone([hpid] + kids, 15)
    return {"host_pid": hpid, "host_alive": hpid in left, "left": left}


def scenario_kill9(km, kc):
    """A second kernel (its folder's config sends runs to the background after 300 ms), killed
    with SIGKILL while its host runs a gateway and a background `sleep 37`: the host sees stdin
    close and exits, and takes its children with it."""
    km2, kc2 = start(os.environ["OC_CWD_BG"])
    try:
        run(kc2, "%load_ext openclaw_kernel_ext")
        gw = run(kc2, "%openclaw gateway start", 120)
        reg = run(kc2, SLEEPER, 60)
        bg = run(kc2, "%openclaw skills run sleeper-ipy", 120)
        hpid = host_pid(kc2)
        kids = [p for p, _ in descendants_cmdlines(hpid)]
        sleeping = [p for p, c in descendants_cmdlines(hpid) if "sleep 37" in c]
        kpid = km2.provisioner.process.pid
        os.kill(kpid, signal.SIGKILL)
        t0 = time.time()
        left = wait_gone([hpid] + kids, 20)
        return {"gateway": gw["status"], "register": reg["status"], "background": bg["status"], "bg_text": text_of(bg)[:2000], "host_pid": hpid,
                "kids": len(kids), "sleeping": len(sleeping), "host_alive": hpid in left, "left": left, "gone_s": time.time() - t0}
    finally:
        kc2.stop_channels()
        try:
            km2.shutdown_kernel(now=True)
        except Exception:
            pass


def main():
    names = sys.argv[1].split(",")
    km, kc = start()
    try:
        for n in names:
            settle(kc)
            t = time.time()
            try:
                out[n] = globals()["scenario_" + n](km, kc)
            except Exception as e:
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
    os._exit(0)


main()
