"""Message helpers shared by the Python drivers of the tests (tests/kernel/driver.py,
tests/kernel/steps.py, tests/ipython/driver.py): each drives a real kernel with Debian's
jupyter_client and prints JSON the TypeScript tests assert on.

`seen`, when given, collects every message read (the drivers' secret checks look at all of them).
"""
import os, queue, time


def drain_iopub(kc, msg_id, timeout=30, seen=None):
    """iopub messages with parent msg_id up to and including its idle; (msgs, reached_idle)."""
    msgs = []
    end = time.time() + timeout
    while time.time() < end:
        try:
            m = kc.get_iopub_msg(timeout=max(0.01, end - time.time()))
        except queue.Empty:
            break
        if seen is not None:
            seen.append(m)
        if m["parent_header"].get("msg_id") != msg_id:
            continue
        msgs.append(m)
        if m["msg_type"] == "status" and m["content"]["execution_state"] == "idle":
            return msgs, True
    return msgs, False


def shell_reply(kc, msg_id, timeout=30, seen=None):
    """The shell reply to msg_id (other replies read meanwhile are dropped)."""
    end = time.time() + timeout
    while time.time() < end:
        m = kc.get_shell_msg(timeout=max(0.01, end - time.time()))
        if seen is not None:
            seen.append(m)
        if m["parent_header"].get("msg_id") == msg_id:
            return m
    raise TimeoutError("no reply to " + msg_id)


def summarize(msgs, status="plain"):
    """Each message as a small dict; status messages: "plain" (type only), "state" (with execution_state) or "skip"."""
    res = []
    for m in msgs:
        c = m["content"]
        if m["msg_type"] == "status" and status == "skip":
            continue
        item = {"type": m["msg_type"]}
        if "data" in c:
            item["mime"] = sorted(c["data"].keys())
            item["plain"] = c["data"].get("text/plain", "")
            item["html"] = c["data"].get("text/html", "")
        if m["msg_type"] == "stream":
            item["name"], item["text"] = c["name"], c["text"]
        if m["msg_type"] == "error":
            item["ename"], item["evalue"], item["traceback"] = c["ename"], c["evalue"], c["traceback"]
        if m["msg_type"] == "status" and status == "state":
            item["state"] = c["execution_state"]
        if "transient" in c and c["transient"].get("display_id"):
            item["display_id"] = c["transient"]["display_id"]
        res.append(item)
    return res


def descendants_cmdlines(root):
    """(pid, command line) of every process below root, from /proc."""
    kids = {}
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            stat = open("/proc/%s/stat" % pid).read()
            ppid = int(stat[stat.rindex(")") + 2:].split()[1])
            cmd = open("/proc/%s/cmdline" % pid, "rb").read().replace(b"\0", b" ").decode()
        except (OSError, ValueError):
            continue
        kids.setdefault(ppid, []).append((int(pid), cmd))
    found, todo = [], [root]
    while todo:
        for pid, cmd in kids.get(todo.pop(), []):
            found.append((pid, cmd))
            todo.append(pid)
    return found
