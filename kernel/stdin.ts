/**
 * Asking the person at the notebook: `input_request` on the stdin channel, addressed to
 * the client that sent the running execute_request, answered by `input_reply`. Only
 * when that request set allow_stdin; otherwise approvals resolve false (deny).
 */
import { AbortedError, UsageError } from "../runtime/errors.js";
import type { ApprovalRequest } from "../runtime/events.js";
import type { Message } from "./session.js";
import type { Wire } from "./wire.js";

interface Pending {
  resolve(value: string): void;
  reject(e: unknown): void;
}

export class Stdin {
  private pending: Pending | undefined;

  constructor(private readonly wire: Wire) {}

  /** Routes an input_reply from the stdin channel to the waiting question. */
  onReply(msg: Message): void {
    if (msg.header.msg_type !== "input_reply" || !this.pending) return;
    const p = this.pending;
    this.pending = undefined;
    p.resolve(String((msg.content as { value?: unknown }).value ?? ""));
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
      this.pending = {
        resolve: (v) => {
          signal?.removeEventListener("abort", onAbort);
          resolve(v);
        },
        reject: (e) => {
          signal?.removeEventListener("abort", onAbort);
          reject(e);
        },
      };
      void this.wire.reply("stdin", parent, "input_request", { prompt, password });
    });
  }

  /** An Approver for one cell: asks y/N through stdin, or denies when stdin is not allowed. */
  approver(parent: Message, signal?: AbortSignal): (req: ApprovalRequest) => Promise<boolean> {
    return async (req) => {
      if (!parent.content.allow_stdin) return false;
      const argv = req.argv ? JSON.stringify(req.argv) : "";
      const detail = argv && !req.summary.includes(argv) ? `\n  argv: ${argv}` : "";
      const a = await this.ask(parent, `approve? ${req.summary}${detail} [y/N] `, false, signal).catch(() => "");
      return /^\s*y(es)?\s*$/i.test(a);
    };
  }
}
