"""Runs a list of steps (JSON in $OC_STEPS) against ONE real openclaw kernel through Debian's
jupyter_client, and prints one JSON list with what each step observed. The TypeScript tests
(tests/kernel/truth.test.ts) assert on it.

steps: {"op": "run", "code": C, "timeout": S}
       {"op": "stop", "code": C, "when": "display"|"update"|"start"|"stream", "count": N, "contains": S, "append": [PATH, LINE]}
            Stop once the cell has shown its first display (or N display updates whose text holds S, or started, or
            streamed; with append, once LINE appended to PATH was streamed); reports the reply time
       {"op": "is_complete", "code": C} | {"op": "complete", "code": C} | {"op": "history", ...}
       {"op": "restart"}
"""
import json, os, queue, sys, time

from jupyter_client.manager import KernelManager

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "helpers"))
import jupyter_msgs  # noqa: E402


class driver:  # the shared helpers, and a run() that keeps evalue
    drain_iopub = staticmethod(jupyter_msgs.drain_iopub)
    shell_reply = staticmethod(jupyter_msgs.shell_reply)
    summarize = staticmethod(jupyter_msgs.summarize)

    @staticmethod
    def run(kc, code, timeout=30):
        msg_id = kc.execute(code)
        t0 = time.time()
        reply = driver.shell_reply(kc, msg_id, timeout)
        t1 = time.time()
        msgs, idle = driver.drain_iopub(kc, msg_id, timeout)
        c = reply["content"]
        return {"status": c["status"], "ename": c.get("ename"), "evalue": c.get("evalue"), "traceback": c.get("traceback"),
                "ms": (t1 - t0) * 1000, "idle": idle, "msgs": driver.summarize(msgs)}


def stop(km, kc, step):
    msg_id = kc.execute(step["code"])
    want = step.get("when", "display")
    need = step.get("count", 1)
    seen = []
    end = time.time() + step.get("timeout", 60)
    fired = False
    while time.time() < end:
        try:
            m = kc.get_iopub_msg(timeout=max(0.01, end - time.time()))
        except queue.Empty:
            break
        if m["parent_header"].get("msg_id") != msg_id:
            continue
        seen.append(m)
        t = m["msg_type"]
        if want == "stream" and t == "stream":
            # Optionally append a line to a file after the first stream and wait to see it streamed too.
            ap = step.get("append")
            if ap and not any(ap[1] in x["content"].get("text", "") for x in seen if x["msg_type"] == "stream"):
                if not step.get("_appended"):
                    step["_appended"] = True
                    with open(ap[0], "a") as f:
                        f.write(ap[1] + "\n")
                continue
            fired = True
            break
        if (want == "start" and t == "execute_input") or (want == "display" and t == "display_data") or (
                want == "update" and sum(1 for x in seen if x["msg_type"] == "update_display_data"
                                         and step.get("contains", "") in x["content"].get("data", {}).get("text/plain", "")) >= need):
            fired = True
            break
        if t == "status" and m["content"]["execution_state"] == "idle":
            break
    t0 = time.time()
    km.interrupt_kernel()
    reply = driver.shell_reply(kc, msg_id, 30)
    dt = time.time() - t0
    rest, idle = driver.drain_iopub(kc, msg_id, 10)
    c = reply["content"]
    return {"fired": fired, "reply_s": dt, "status": c["status"], "ename": c.get("ename"), "evalue": c.get("evalue"),
            "traceback": c.get("traceback"), "idle": idle, "msgs": driver.summarize(seen + rest)}


def main():
    steps = json.loads(os.environ["OC_STEPS"])
    km = KernelManager(kernel_name=os.environ.get("OC_KERNEL", "openclaw"))
    km.start_kernel(cwd=os.environ.get("OC_CWD") or None, env=dict(os.environ))
    kc = km.client()
    kc.start_channels()
    out = []
    try:
        kc.wait_for_ready(timeout=60)
        for step in steps:
            op = step["op"]
            try:
                if op == "run":
                    out.append(driver.run(kc, step["code"], step.get("timeout", 60)))
                elif op == "stop":
                    out.append(stop(km, kc, step))
                elif op == "is_complete":
                    out.append(driver.shell_reply(kc, kc.is_complete(step["code"]))["content"])
                elif op == "complete":
                    code = step["code"]
                    out.append(driver.shell_reply(kc, kc.complete(code, step.get("pos", len(code))))["content"])
                elif op == "history":
                    args = {k: v for k, v in step.items() if k != "op"}
                    out.append(driver.shell_reply(kc, kc.history(**args))["content"])
                elif op == "restart":
                    km.restart_kernel(now=False)
                    kc.stop_channels()
                    kc = km.client()
                    kc.start_channels()
                    kc.wait_for_ready(timeout=60)
                    out.append({"restarted": True})
                else:
                    out.append({"exception": "unknown op " + op})
            except Exception as e:  # report and go on: one failed step must not hide the others
                out.append({"exception": "%s: %s" % (type(e).__name__, e)})
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=False)
    print(json.dumps(out))
    sys.stdout.flush()
    os._exit(0)  # skip jupyter_client's noisy __del__ at interpreter exit


if __name__ == "__main__":
    main()
