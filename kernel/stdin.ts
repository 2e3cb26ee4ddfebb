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

export class Stdin {
  private pending: Pending | undefined;

  constructor(
    private readonly wire: Wire,
    private readonly log: (line: string) => void = () => undefined,
  ) {}

  /** Routes an input_reply from the stdin channel to the waiting question; anything else is dropped and logged. */
  onReply(msg: Message): void {
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

  /** Cancels a question in flight (interrupt, shutdown). */
  cancel(): void {
    const p = this.pending;
    this.pending = undefined;
    p?.reject(new AbortedError("interrupted while waiting for input"));
  }

  ask(parent: Message, prompt: string, password: boolean, signal?: AbortSignal): Promise<string> {
    if (!parent.content.allow_stdin) {
      return Promise.reject(new UsageError("this front end does not accept input (allow_stdin is false)", { fix: "run the cell in Jupyter/Colab with input enabled, or set the value in the environment that starts the kernel" }));
    }
    if (signal?.aborted) return Promise.reject(new AbortedError("interrupted"));
    this.cancel();
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
