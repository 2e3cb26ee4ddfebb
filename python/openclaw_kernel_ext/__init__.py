"""The %openclaw magics in any IPython kernel (Colab, VS Code, JupyterLab with ipykernel, papermill).

    %load_ext openclaw_kernel_ext
    %openclaw doctor
    %%openclaw agent --model scripted/demo.json
    Say hello.

A thin front door with no policy of its own: on first use it starts ONE host process of the
openclaw-kernel npm package (`openclaw-kernel host`) for this Python kernel. The runtime lives
there, exactly as in the TypeScript kernel; this module only forwards each magic line over a
private pipe (the host's stdin/stdout: nothing listens on any socket) and maps back what the
host says: rich displays (updated in place by display id), streams, questions (input() for
approvals, getpass for secrets) and errors, raised with the same typed names and fix hints.
Stop (KeyboardInterrupt) asks the host to cancel the running command and re-raises.
`{name}` in an agent prompt: the host parses the prompt and asks for each name it uses
(openclaw_scope_request); this module answers with that name's text from the user namespace
(_scope_value), and the host fences it as data.
The host exits when this kernel exits (atexit), or sees its stdin close if the kernel is killed.

Python 3.9+, IPython 7+, no other dependency.
"""
import atexit
import getpass
import json
import os
import queue
import shutil
import subprocess
import sys
import threading
import time
import uuid

__version__ = "0.1.0"
__all__ = ["load_ipython_extension", "unload_ipython_extension", "OpenClawError", "HostError", "run", "command"]

#: How long the host may take to start (a loaded machine, a cold npm cache).
START_TIMEOUT_S = float(os.environ.get("OPENCLAW_HOST_START_TIMEOUT", "120"))
#: How long Stop waits for the host to confirm the command was cancelled.
INTERRUPT_WAIT_S = 3.0


class OpenClawError(Exception):
    """A failed %openclaw command. Subclasses carry the runtime's typed names (SafetyError, ConfigError, ...)."""

    ename = "OpenClawError"
    traceback_lines = ()

    def _render_traceback_(self):
        # IPython shows these lines instead of a Python stack: the host's message and fix hint.
        lines = list(self.traceback_lines) or ["%s: %s" % (self.ename, self)]
        return lines


class HostError(OpenClawError):
    """The host process could not start, or stopped."""

    ename = "HostError"


class _Stopped(KeyboardInterrupt):
    """What Stop raises: a KeyboardInterrupt whose traceback IPython does not have to build from source (fast)."""

    def _render_traceback_(self):
        return ["KeyboardInterrupt: the %openclaw command was stopped (the host cancelled it; the extension stays usable)"]


_Stopped.__name__ = _Stopped.__qualname__ = "KeyboardInterrupt"

_error_classes = {"OpenClawError": OpenClawError, "HostError": HostError}


def _error_class(name):
    name = name if isinstance(name, str) and name.isidentifier() else "OpenClawError"
    cls = _error_classes.get(name)
    if cls is None:
        cls = type(name, (OpenClawError,), {"ename": name, "__module__": __name__})
        _error_classes[name] = cls
        globals()[name] = cls
    return cls


def _make_error(content):
    cls = _error_class(content.get("ename"))
    e = cls(str(content.get("evalue", "")))
    e.traceback_lines = tuple(str(l) for l in (content.get("traceback") or []))
    return e


def _host_argv():
    """How to start the host: $OPENCLAW_KERNEL_CLI, else what `openclaw-kernel install --ipython` recorded, else PATH."""
    cli = os.environ.get("OPENCLAW_KERNEL_CLI")
    if cli:
        return [cli, "host"]
    here = os.path.dirname(os.path.abspath(__file__))
    try:
        with open(os.path.join(here, "_host.json"), encoding="utf-8") as f:
            rec = json.load(f)
        if os.path.exists(rec.get("cli", "")) and os.path.exists(rec.get("node", "")):
            return [rec["node"], rec["cli"], "host"]
    except (OSError, ValueError):
        pass
    found = shutil.which("openclaw-kernel")
    if found:
        return [found, "host"]
    raise HostError(
        "openclaw-kernel is not installed where this kernel can find it. "
        "Fix: `npm install -g openclaw-kernel && openclaw-kernel install --ipython`, "
        "or set OPENCLAW_KERNEL_CLI to the path of bin/openclaw-kernel"
    )


def _allow_stdin():
    """Whether the running cell may ask (ipykernel sets this per execute_request; a terminal can always)."""
    try:
        from IPython import get_ipython

        kernel = getattr(get_ipython(), "kernel", None)
    except Exception:
        kernel = None
    if kernel is None:
        return sys.stdin is not None and sys.stdin.isatty()
    return bool(getattr(kernel, "_allow_stdin", True))


class Host:
    """One `openclaw-kernel host` child and the JSON-lines protocol to it."""

    def __init__(self, argv=None, cwd=None, env=None):
        self.session = uuid.uuid4().hex
        self.argv = argv or _host_argv()
        self.inbox = queue.Queue()
        self.busy = False
        self.closed = False
        self.result = None
        self.show = True
        self.lock = threading.Lock()
        try:
            self.proc = subprocess.Popen(
                self.argv,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                cwd=cwd or os.getcwd(),
                env=env,
                # Its own session: signals meant for this kernel's process group (Stop) do not reach it;
                # Stop travels as an interrupt_request instead.
                start_new_session=True,
            )
        except OSError as e:
            raise HostError("could not start %s: %s. Fix: check that Node.js 20+ and openclaw-kernel are installed" % (" ".join(self.argv), e))
        self.reader = threading.Thread(target=self._read, name="openclaw-host-reader", daemon=True)
        self.reader.start()
        self.info = self._wait_started()

    # -- the pipe -------------------------------------------------------------------------

    def _read(self):
        for raw in self.proc.stdout:
            try:
                m = json.loads(raw.decode("utf-8"))
            except ValueError:
                continue
            if not self.busy and m.get("channel") == "iopub" and m.get("header", {}).get("msg_type") == "stream":
                # A notice between cells (a background run finished): shown at once, like the TypeScript kernel.
                _show_stream(m.get("content", {}))
                continue
            self.inbox.put(m)
        self.inbox.put(None)

    def _send(self, channel, msg_type, content, parent=None, metadata=None):
        header = {"msg_id": uuid.uuid4().hex, "msg_type": msg_type, "session": self.session, "username": "ipython", "version": "5.3",
                  "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
        line = json.dumps({"channel": channel, "header": header, "parent_header": parent or {}, "metadata": metadata or {}, "content": content}) + "\n"
        with self.lock:
            try:
                self.proc.stdin.write(line.encode("utf-8"))
                self.proc.stdin.flush()
            except (OSError, ValueError):
                raise self._gone()
        return header

    def _gone(self):
        code = self.proc.poll()
        self.closed = True
        return HostError("the openclaw-kernel host stopped (exit %s); its log is in this kernel's stderr. Run the magic again to start a new one" % code)

    def _next(self, timeout):
        try:
            m = self.inbox.get(timeout=timeout)
        except queue.Empty:
            return False
        if m is None:
            self.inbox.put(None)
            raise self._gone()
        return m

    def _wait_started(self):
        end = time.time() + START_TIMEOUT_S
        while time.time() < end:
            m = self._next(0.2)
            if m and m.get("header", {}).get("msg_type") == "status" and m.get("content", {}).get("execution_state") == "starting":
                return m["content"]
        self.kill()
        raise HostError("the openclaw-kernel host did not start within %ds. Fix: run `openclaw-kernel doctor` in a terminal" % START_TIMEOUT_S)

    # -- one command ----------------------------------------------------------------------

    def run(self, code, show=True):
        """Runs one %openclaw line or %%openclaw cell in the host; shows what it shows (unless show is
        False); raises what it raises; returns the result's JSON (application/json), if any."""
        if self.closed:
            raise self._gone()
        allow = _allow_stdin()
        self.busy = True
        try:
            req = self._send("shell", "execute_request", {"code": code, "silent": False, "store_history": True, "user_expressions": {},
                                                          "allow_stdin": allow, "stop_on_error": True},
                             # This extension answers openclaw_scope_request ({name} in an agent prompt).
                             metadata={"openclaw_scope": 1})
            self.result = None
            self.show = show
            try:
                reply = self._until_reply(req["msg_id"])
            except KeyboardInterrupt:
                self._interrupt(req["msg_id"])
                raise _Stopped() from None
        finally:
            self.busy = False
        c = reply.get("content", {})
        if c.get("status") == "error":
            raise _make_error(c)
        if c.get("status") == "aborted":
            raise _error_class("AbortedError")("the command was aborted")
        return self.result

    def _until_reply(self, msg_id, deadline=None):
        while deadline is None or time.time() < deadline:
            m = self._next(0.1)
            if not m:
                continue
            channel, kind = m.get("channel"), m.get("header", {}).get("msg_type")
            if m.get("parent_header", {}).get("msg_id") != msg_id:
                if channel == "iopub":
                    _show(kind, m.get("content", {}))
                continue
            if channel == "shell" and kind == "execute_reply":
                return m
            if channel == "stdin" and kind == "input_request":
                self._answer(m)
            elif channel == "stdin" and kind == "openclaw_scope_request":
                self._lookup(m)
            elif channel == "iopub":
                data = m.get("content", {}).get("data") or {}
                if kind in ("display_data", "update_display_data") and "application/json" in data:
                    self.result = data["application/json"]
                if self.show or kind == "stream":
                    _show(kind, m.get("content", {}))
        return None

    def _answer(self, m):
        c = m.get("content", {})
        prompt = str(c.get("prompt", ""))
        try:
            value = getpass.getpass(prompt) if c.get("password") else input(prompt)
        except KeyboardInterrupt:
            raise
        except Exception:  # no stdin here (StdinNotImplementedError, EOFError): an empty answer denies
            value = ""
        self._send("stdin", "input_reply", {"value": value}, parent=m.get("header"))

    def _lookup(self, m):
        """{name} in an agent prompt: the host parsed the prompt and asks for one name; this sends its text back."""
        c = m.get("content", {})
        try:
            reply = _scope_value(_namespace(), str(c.get("name", "")), int(c.get("max_chars") or MAX_VALUE_CHARS))
        except Exception as e:  # the host waits for an answer: it always gets one
            reply = {"found": True, "problem": "looking it up raised %s" % type(e).__name__}
        self._send("stdin", "openclaw_scope_reply", reply, parent=m.get("header"))

    def _interrupt(self, msg_id):
        """Stop: the host cancels the running command; wait (briefly) for it to say so."""
        try:
            self._send("control", "interrupt_request", {})
            self._until_reply(msg_id, time.time() + INTERRUPT_WAIT_S)
        except (KeyboardInterrupt, HostError):
            pass

    # -- life -----------------------------------------------------------------------------

    def kill(self):
        self.closed = True
        try:
            os.killpg(self.proc.pid, 9)
        except OSError:
            pass

    def close(self, timeout=8.0):
        """Asks the host to shut down (it stops the gateway and its children), then makes sure it is gone."""
        if self.proc.poll() is None and not self.closed:
            try:
                self._send("control", "shutdown_request", {"restart": False})
            except HostError:
                pass
        self.closed = True
        try:
            self.proc.stdin.close()
        except OSError:
            pass
        try:
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            self.proc.wait(5)


#: The most characters a value may have as text; the host says its own limit with each request.
MAX_VALUE_CHARS = 200000
_PLAIN_SCALARS = (str, int, float, bool, type(None))


def _namespace():
    """Where {name} is looked up: IPython's user namespace, or __main__'s globals without IPython (command() in a script)."""
    try:
        from IPython import get_ipython

        shell = get_ipython()
    except Exception:
        shell = None
    if shell is not None and getattr(shell, "user_ns", None) is not None:
        return shell.user_ns
    main = sys.modules.get("__main__")
    return getattr(main, "__dict__", {})


def _is_plain(v, depth=0):
    """True for JSON-like data made of exact built-in types (no subclass can run code while it is converted)."""
    t = type(v)
    if t in _PLAIN_SCALARS:
        return True
    if depth > 100:
        return False
    if t in (list, tuple):
        return all(_is_plain(x, depth + 1) for x in v)
    if t is dict:
        return all(type(k) is str and _is_plain(x, depth + 1) for k, x in v.items())
    return False


def _scope_value(ns, name, max_chars=MAX_VALUE_CHARS):
    """The reply to an openclaw_scope_request: one name of the namespace as prompt text.

    A name is looked up as a key of the namespace, nothing else (no attribute, no index, no
    expression is evaluated). A str goes as it is; plain data (None, bool, int, float, str, and
    lists, tuples and str-keyed dicts of them) as JSON with indent 2, like a TypeScript value; any
    other object as its repr(). Text longer than max_chars is not sent: the reply says how long
    it is and the host fails the cell naming it. The host fences the text as untrusted data."""
    if not name.isidentifier() or name not in ns:
        return {"found": False}
    v = ns[name]
    if type(v) is str:
        text = v
    else:
        try:
            text = None
            if _is_plain(v):
                try:
                    text = json.dumps(v, indent=2, ensure_ascii=False, allow_nan=False)
                except ValueError:  # NaN or infinity: not JSON
                    text = None
            if text is None:
                text = repr(v)
            if type(text) is not str:
                raise TypeError("repr() returned %s, not str" % type(text).__name__)
        except Exception as e:
            return {"found": True, "problem": "making its text (repr) raised %s: %s" % (type(e).__name__, str(e)[:200])}
    if len(text) > max_chars:
        return {"found": True, "chars": len(text)}
    return {"found": True, "text": text}


def _show_stream(c):
    stream = sys.stderr if c.get("name") == "stderr" else sys.stdout
    stream.write(str(c.get("text", "")))
    stream.flush()


def _show(kind, c):
    """One iopub message from the host, through IPython's display machinery (plain text without IPython)."""
    if kind == "stream":
        return _show_stream(c)
    if kind not in ("display_data", "execute_result", "update_display_data", "clear_output"):
        return  # status, execute_input, error (raised instead), shutdown_reply: nothing to show
    try:
        from IPython.display import clear_output, display, update_display
    except ImportError:
        if kind != "clear_output":
            _show_stream({"name": "stdout", "text": str((c.get("data") or {}).get("text/plain", "")) + "\n"})
        return
    did = (c.get("transient") or {}).get("display_id")
    if kind == "update_display_data":
        if did:
            update_display(c.get("data") or {}, raw=True, metadata=c.get("metadata") or {}, display_id=did)
    elif kind == "clear_output":
        clear_output(wait=bool(c.get("wait")))
    else:
        kw = {"raw": True, "metadata": c.get("metadata") or {}}
        if did:
            kw["display_id"] = did
        display(c.get("data") or {}, **kw)


_host = None
_host_lock = threading.Lock()


def _get_host():
    global _host
    with _host_lock:
        if _host is None or _host.closed or _host.proc.poll() is not None:
            _host = Host()
        return _host


def run(code, show=True):
    """Runs `%openclaw ...` / `%%openclaw ...` source in the host (what the magics call)."""
    return _get_host().run(code, show)


def command(line, body=None, show=False):
    """A command's result as Python data (its application/json), e.g. `command("gateway status")["url"]`.
    Shown in the cell too with show=True; failures raise like the magics do."""
    if "\n" in line or "\r" in line:
        raise _error_class("UsageError")("command() takes one command line; got a line break. Fix: pass a cell body as body=")
    src = ("%openclaw " + line) if body is None else ("%%openclaw " + line + "\n" + body)
    return run(src, show)


def shutdown():
    """Stops the host (atexit does this when the kernel exits)."""
    global _host
    with _host_lock:
        h, _host = _host, None
    if h is not None:
        h.close()


atexit.register(shutdown)


def _no_var_expand(f):
    # The grammar is the host's: IPython must not expand $x or {x} in the line first.
    try:
        from IPython.core.magic import no_var_expand
    except ImportError:  # IPython < 7.3
        return f
    return no_var_expand(f)


@_no_var_expand
def openclaw_line(line):
    """%openclaw COMMAND ...: one openclaw-kernel command (`%openclaw help` lists them)."""
    run(("%openclaw " + line).rstrip())


@_no_var_expand
def openclaw_cell(line, cell):
    """%%openclaw COMMAND: the command with the cell as its body (skill, agent, ...)."""
    run(("%%openclaw " + line).rstrip() + "\n" + (cell or ""))


def load_ipython_extension(ip):
    ip.register_magic_function(openclaw_line, "line", "openclaw")
    ip.register_magic_function(openclaw_cell, "cell", "openclaw")


def unload_ipython_extension(ip):
    shutdown()
