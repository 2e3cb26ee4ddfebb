/** Unit tests of the wire layer: signing, replay, connection files, send queue, cell splitting. */
import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import { describe, it } from "node:test";
import { parseConnection } from "../../kernel/connection.js";
import { splitCell, magicAt } from "../../kernel/cells.js";
import { SendQueue } from "../../kernel/queue.js";
import { DroppedMessage, Session } from "../../kernel/session.js";
import { SafetyError, UsageError } from "../../runtime/errors.js";

const KEY = "6c9e2d53-5f4c-4f0a-9c53-2d1f0f3c1a77";

function reason(f: () => unknown): string | undefined {
  try {
    f();
  } catch (e) {
    if (e instanceof DroppedMessage) return e.reason;
    throw e;
  }
  return undefined;
}

describe("Session (HMAC-SHA256, replay history)", () => {
  const ident = Buffer.from("client-1");
  const msg = (s: Session) => ({ identities: [ident], header: s.header("kernel_info_request"), parent_header: {}, metadata: {}, content: {} });

  it("signs as jupyter_client does: hex HMAC over the four JSON frames", () => {
    const s = new Session({ key: KEY });
    const frames = s.serialize(msg(s));
    assert.equal(frames[1]!.toString(), "<IDS|MSG>");
    const h = createHmac("sha256", KEY);
    for (const f of frames.slice(3, 7)) h.update(f);
    assert.equal(frames[2]!.toString(), h.digest("hex"));
    const back = new Session({ key: KEY }).deserialize(frames);
    assert.equal(back.header.msg_type, "kernel_info_request");
    assert.deepEqual(back.identities, [ident]);
  });

  it("drops a bad signature, a missing one, a replay and a malformed message", () => {
    const sender = new Session({ key: KEY });
    const recv = new Session({ key: KEY });
    const frames = sender.serialize(msg(sender));
    assert.equal(reason(() => recv.deserialize(frames)), undefined);
    assert.equal(reason(() => recv.deserialize(frames)), "replayed");
    const forged = new Session({ key: "other" }).serialize(msg(sender));
    assert.equal(reason(() => recv.deserialize(forged)), "bad-signature");
    const tampered = sender.serialize(msg(sender));
    tampered[6] = Buffer.from('{"code":"evil"}');
    assert.equal(reason(() => recv.deserialize(tampered)), "bad-signature");
    const unsigned = new Session({ key: "" }).serialize(msg(sender));
    assert.equal(reason(() => recv.deserialize(unsigned)), "unsigned");
    assert.equal(reason(() => recv.deserialize([Buffer.from("x")])), "malformed");
  });

  it("forgets the oldest signatures once the bounded history is full", () => {
    const sender = new Session({ key: KEY });
    const recv = new Session({ key: KEY, historySize: 3 });
    const all = Array.from({ length: 5 }, () => sender.serialize(msg(sender)));
    for (const f of all) recv.deserialize(f);
    assert.equal(reason(() => recv.deserialize(all[4]!)), "replayed");
    assert.equal(reason(() => recv.deserialize(all[0]!)), undefined, "evicted from the history");
  });
});

describe("connection file", () => {
  const base = { transport: "tcp", ip: "127.0.0.1", shell_port: 1, iopub_port: 2, stdin_port: 3, control_port: 4, hb_port: 5, signature_scheme: "hmac-sha256" };
  it("refuses an empty key unless --insecure", () => {
    assert.throws(() => parseConnection({ ...base, key: "" }), SafetyError);
    assert.equal(parseConnection({ ...base, key: "" }, "f", { insecure: true }).key, "");
    assert.equal(parseConnection({ ...base, key: KEY }).key, KEY);
  });
  it("names every bad field", () => {
    assert.throws(
      () => parseConnection({ ...base, key: KEY, shell_port: "x", signature_scheme: "hmac-md5" }),
      (e: unknown) => e instanceof UsageError && e.details.some((d) => d.startsWith("shell_port")) && e.details.some((d) => d.startsWith("signature_scheme")),
    );
  });
});

describe("SendQueue", () => {
  it("never overlaps sends on a socket (zeromq 6 throws EBUSY) and keeps their order", async () => {
    let busy = false;
    const sent: string[] = [];
    const sock = {
      async send(frames: Buffer[]) {
        if (busy) throw new Error("EBUSY: Socket is busy writing");
        busy = true;
        await new Promise((r) => setImmediate(r));
        sent.push(frames[0]!.toString());
        busy = false;
      },
    };
    const errors: unknown[] = [];
    const q = new SendQueue(sock, (e) => errors.push(e));
    await Promise.all(Array.from({ length: 1000 }, (_, i) => q.send([Buffer.from(String(i))])));
    assert.deepEqual(errors, []);
    assert.equal(sent.length, 1000);
    assert.deepEqual(sent, Array.from({ length: 1000 }, (_, i) => String(i)));
  });
  it("keeps going after a failed send", async () => {
    let n = 0;
    const sent: number[] = [];
    const errors: unknown[] = [];
    const q = new SendQueue(
      {
        async send() {
          const i = n++;
          if (i === 1) throw new Error("boom");
          sent.push(i);
        },
      },
      (e) => errors.push(e),
    );
    await Promise.all([q.send([]), q.send([]), q.send([])]);
    assert.equal(errors.length, 1);
    assert.deepEqual(sent, [0, 2]);
  });
});

describe("splitCell", () => {
  it("reads TypeScript, leading magic lines, and cell magics", () => {
    assert.deepEqual(splitCell("1+1"), [{ kind: "typescript", code: "1+1", lineNo: 1 }]);
    const parts = splitCell("%openclaw help\n\n%openclaw doctor --json\nconst x = 1\nx");
    assert.deepEqual(parts.slice(0, 2), [
      { kind: "magic", line: "help", lineNo: 1 },
      { kind: "magic", line: "doctor --json", lineNo: 3 },
    ]);
    assert.equal(parts[2]!.kind, "typescript");
    assert.equal((parts[2] as { code: string }).code, "\n\n\nconst x = 1\nx", "line numbers stay true to the cell");
    assert.deepEqual(splitCell("%%openclaw agent --model scripted/demo.json\nWhat is up?\nline 2"), [{ kind: "magic", line: "agent --model scripted/demo.json", body: "What is up?\nline 2", lineNo: 1 }]);
    assert.deepEqual(splitCell("   \n"), []);
    assert.equal(splitCell("// %openclaw help")[0]!.kind, "typescript");
  });
  it("finds the magic under the cursor", () => {
    assert.deepEqual(magicAt("%openclaw rag q", 15), { line: "rag q", offset: 10, cell: false });
    assert.equal(magicAt("const a = 1", 5), undefined);
  });
});
