/**
 * Asking the person at the notebook: `input_request` on the stdin channel, addressed to
 * the client that sent the running execute_request, answered by `input_reply`. Only
 * when that request set allow_stdin; otherwise approvals resolve false (deny).
 */
import { AbortedError, UsageError } from "../runtime/errors.js";
import { approvalPrompt } from "../magics/render/sanitize.js";
import type { ApprovalRequest } from "../runtime/events.js";
import type { Message } from "./session.js";
import type { KernelWire as Wire } from "./wire.js";

interface Pending {
  resolve(value: string): void;
  reject(e: unknown): void;
  /** The msg_id of the input_request we sent. */
  requestId: string;
  /** The execute_request that asked: its client's session and ZeroMQ identity. */
  parent: Message;
}

/**
 * Why an input_reply does not answer the pending input_request, or undefined when it does.
 * It must come from the client session that sent the execute_request, and name our
 * input_request as its parent (JupyterLab does). jupyter_client's `input()` sends no
 * parent header at all; such a reply is accepted only from the same ZeroMQ identity as
 * the execute_request (jupyter_client uses one identity for shell and stdin).
 */
export function mismatch(reply: Message, p: { requestId: string; parent: Message }): string | undefined {
  if (reply.header.msg_type !== "input_reply") return `a ${String(reply.header.msg_type).slice(0, 40)} on the stdin channel`;
  if (reply.header.session !== p.parent.header.session) return "it comes from another client session than the cell's";
  const answers = reply.parent_header?.msg_id;
  if (answers !== undefined && answers !== null && answers !== "") {
    return answers === p.requestId ? undefined : "it answers another input_request";
  }
  const same = reply.identities.length === p.parent.identities.length && reply.identities.every((id, i) => id.equals(p.parent.identities[i]!));
  return same ? undefined : "it names no input_request and comes from another connection than the cell's";
}

/** What the IPython extension says about one name of its namespace (openclaw_scope_reply). */
export interface ScopeReply {
  found: boolean;
  /** The value as text (a str as it is, plain data as JSON, anything else its repr()), at most max_chars. */
  text?: string;
  /** Why a found value cannot be sent: its text is too long (chars), or making it failed (problem). */
  chars?: number;
  problem?: string;
}

interface PendingLookup {
  resolve(r: ScopeReply): void;
  reject(e: unknown): void;
  requestId: string;
  parent: Message;
}

export class Stdin {
  private pending: Pending | undefined;
  private lookupPending: PendingLookup | undefined;

  constructor(
    private readonly wire: Wire,
    private readonly log: (line: string) => void = () => undefined,
  ) {}

  /** Routes an input_reply from the stdin channel to the waiting question; anything else is dropped and logged. */
  onReply(msg: Message): void {
    if (msg.header.msg_type === "openclaw_scope_reply") return this.onScopeReply(msg);
    const p = this.pending;
    const why = p ? mismatch(msg, p) : "no input_request is pending";
    if (why) {
      this.wire.dropped["unexpected-input-reply"] = (this.wire.dropped["unexpected-input-reply"] ?? 0) + 1;
      this.log(`dropped a message on stdin (${String(msg.header.msg_type).slice(0, 40)} ${String(msg.header.msg_id).slice(0, 40)}): ${why}`);
      return;
    }
    this.pending = undefined;
    p!.resolve(String((msg.content as { value?: unknown }).value ?? ""));
  }

  /** Cancels a question or a name lookup in flight (interrupt, shutdown). */
  cancel(): void {
    this.cancelInput();
    const l = this.lookupPending;
    this.lookupPending = undefined;
    l?.reject(new AbortedError("interrupted while waiting for a value from the Python kernel"));
  }

  private cancelInput(): void {
    const p = this.pending;
    this.pending = undefined;
    p?.reject(new AbortedError("interrupted while waiting for input"));
  }

  /**
   * Asks the IPython extension that sent the running cell for one name of its user namespace
   * (`openclaw_scope_request` on the stdin channel; the extension answers while it waits for
   * the cell's reply, whatever allow_stdin says: no person is asked). The name comes from the
   * runtime's one placeholder parser; the extension only looks it up and makes its text.
   * Nothing of the reply is logged (a value may be a secret).
   */
  lookup(parent: Message, name: string, maxChars: number, signal?: AbortSignal): Promise<ScopeReply> {
    if (signal?.aborted) return Promise.reject(new AbortedError("interrupted"));
    const l = this.lookupPending;
    this.lookupPending = undefined;
    l?.reject(new AbortedError("superseded by another lookup"));
    return new Promise<ScopeReply>((resolve, reject) => {
      const onAbort = () => this.cancel();
      signal?.addEventListener("abort", onAbort, { once: true });
      const header = this.wire.session.header("openclaw_scope_request");
      const done = () => signal?.removeEventListener("abort", onAbort);
      this.lookupPending = {
        requestId: header.msg_id,
        parent,
        resolve: (r) => (done(), resolve(r)),
        reject: (e) => (done(), reject(e)),
      };
      void this.wire.reply("stdin", parent, "openclaw_scope_request", { name, max_chars: maxChars }, {}, header);
    });
  }

  private onScopeReply(msg: Message): void {
    const l = this.lookupPending;
    const why = !l
      ? "no name lookup is pending"
      : msg.header.session !== l.parent.header.session
        ? "it comes from another client session than the cell's"
        : msg.parent_header?.msg_id !== l.requestId
          ? "it answers another openclaw_scope_request"
          : undefined;
    if (why) {
      this.wire.dropped["unexpected-scope-reply"] = (this.wire.dropped["unexpected-scope-reply"] ?? 0) + 1;
      this.log(`dropped an openclaw_scope_reply (${String(msg.header.msg_id).slice(0, 40)}): ${why}`);
      return;
    }
    this.lookupPending = undefined;
    const c = msg.content as Record<string, unknown>;
    l!.resolve({
      found: c.found === true,
      ...(typeof c.text === "string" ? { text: c.text } : {}),
      ...(typeof c.chars === "number" ? { chars: c.chars } : {}),
      ...(typeof c.problem === "string" ? { problem: c.problem } : {}),
    });
  }

  ask(parent: Message, prompt: string, password: boolean, signal?: AbortSignal): Promise<string> {
    if (!parent.content.allow_stdin) {
      return Promise.reject(new UsageError("this front end does not accept input (allow_stdin is false)", { fix: "run the cell in Jupyter/Colab with input enabled, or set the value in the environment that starts the kernel" }));
    }
    if (signal?.aborted) return Promise.reject(new AbortedError("interrupted"));
    this.cancelInput();
    return new Promise<string>((resolve, reject) => {
      const onAbort = () => this.cancel();
      signal?.addEventListener("abort", onAbort, { once: true });
      const header = this.wire.session.header("input_request");
      this.pending = {
        requestId: header.msg_id,
        parent,
        resolve: (v) => {
          signal?.removeEventListener("abort", onAbort);
          resolve(v);
        },
        reject: (e) => {
          signal?.removeEventListener("abort", onAbort);
          reject(e);
        },
      };
      void this.wire.reply("stdin", parent, "input_request", { prompt, password }, {}, header);
    });
  }

  /** An Approver for one cell: asks y/N through stdin, or denies when stdin is not allowed. */
  approver(parent: Message, signal?: AbortSignal): (req: ApprovalRequest) => Promise<boolean> {
    return async (req) => {
      if (!parent.content.allow_stdin) return false;
      const a = await this.ask(parent, approvalPrompt(req), false, signal).catch(() => "");
      return /^\s*y(es)?\s*$/i.test(a);
    };
  }
}
