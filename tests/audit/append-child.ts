// Opens the audit log, says "ready", waits for "go" on stdin, then appends N records as
// fast as it can: two of these at once test the cross-process lock.
import { AuditLog } from "../../runtime/audit/index.js";

const [path, n, who] = [process.argv[2]!, Number(process.argv[3]), process.argv[4]!];
const log = new AuditLog({ path, fsync: false, ...(process.argv[5] ? { rotateBytes: Number(process.argv[5]) } : {}) });
await log.ready();
process.stdout.write("ready\n");
process.stdin.once("data", async () => {
  for (let i = 0; i < n; i++) log.appendSync({ actor: { host: "cli", sessionId: who }, action: "skill.invoke", skill: `${who}-${i}`, decision: "allow" });
  await log.close();
  process.stdout.write("done\n");
  process.exit(0);
});
