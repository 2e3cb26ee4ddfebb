// mtls: TLS with client certificates required against the configured CA. The test makes
// its own CA, server and client certificates with Debian's openssl (argv, no shell).
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { request } from "node:https";
import { join } from "node:path";
import { test } from "node:test";
import WebSocket from "ws";
import { needsSystemTool, tmp, writeFile } from "../helpers/index.js";
import { startGateway } from "./helpers.js";

const OPENSSL = ["/usr/bin/openssl", "/usr/local/bin/openssl"].find((p) => existsSync(p));

function ssl(args: string[], cwd: string): void {
  execFileSync(OPENSSL!, args, { cwd, stdio: "ignore" });
}

/** CA + leaf certs: server (127.0.0.1/localhost), a client of the CA, and a client of a rogue CA. */
function makePki(dir: string) {
  const ca = (name: string) => ssl(["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", `${name}.key`, "-out", `${name}.crt`, "-days", "2", "-subj", `/CN=${name}`], dir);
  const leaf = (name: string, caName: string, ext: string) => {
    ssl(["req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", `${name}.key`, "-out", `${name}.csr`, "-subj", `/CN=${name}`], dir);
    writeFile(join(dir, `${name}.ext`), ext);
    ssl(["x509", "-req", "-in", `${name}.csr`, "-CA", `${caName}.crt`, "-CAkey", `${caName}.key`, "-CAcreateserial", "-out", `${name}.crt`, "-days", "2", "-extfile", `${name}.ext`], dir);
  };
  ca("ca");
  ca("rogue");
  leaf("server", "ca", "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n");
  leaf("client", "ca", "extendedKeyUsage=clientAuth\n");
  leaf("intruder", "rogue", "extendedKeyUsage=clientAuth\n");
  const f = (n: string) => readFileSync(join(dir, n));
  return { f, dir };
}

function getTls(port: number, opts: { cert?: Buffer; key?: Buffer; ca: Buffer }): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port, path: "/metrics", ca: opts.ca, cert: opts.cert, key: opts.key, agent: false, headers: { Host: `127.0.0.1:${port}` } }, (res) => {
      let body = "";
      res.on("data", (d) => (body += d));
      res.on("end", () => resolve({ status: res.statusCode!, body }));
    });
    req.on("error", reject);
    req.end();
  });
}

test("mtls: a client certificate from the configured CA is required (HTTP and WebSocket)", { skip: needsSystemTool(!!OPENSSL, "openssl is not installed", "openssl") }, async (t) => {
  const dir = tmp(t, "oc-pki-");
  const { f } = makePki(dir);
  const { port, started } = await startGateway(t, { auth: { mode: "mtls", cert: join(dir, "server.crt"), key: join(dir, "server.key"), ca: join(dir, "ca.crt") } });
  assert.equal(started.tls, true);
  assert.match(started.url!, /^https:/);
  const ok = await getTls(port, { ca: f("ca.crt"), cert: f("client.crt"), key: f("client.key") });
  assert.equal(ok.status, 200);
  assert.match(ok.body, /openclaw_gateway_http_requests_total/);
  await assert.rejects(getTls(port, { ca: f("ca.crt") }), "no client certificate: the handshake fails");
  await assert.rejects(getTls(port, { ca: f("ca.crt"), cert: f("intruder.crt"), key: f("intruder.key") }), "a certificate from another CA fails");

  const ws = new WebSocket(`wss://127.0.0.1:${port}/ws`, { ca: f("ca.crt"), cert: f("client.crt"), key: f("client.key") });
  const reply = await new Promise<any>((resolve, reject) => {
    ws.once("open", () => ws.send(JSON.stringify({ type: "req", id: "c", method: "connect", params: {} })));
    ws.once("message", (d) => resolve(JSON.parse(String(d))));
    ws.once("error", reject);
  });
  assert.equal(reply.ok, true);
  ws.close();
  const bad = new WebSocket(`wss://127.0.0.1:${port}/ws`, { ca: f("ca.crt") });
  await new Promise<void>((resolve) => {
    bad.once("error", () => resolve());
    bad.once("open", () => assert.fail("opened without a client certificate"));
  });
});
