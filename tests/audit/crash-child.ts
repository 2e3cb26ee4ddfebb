// Appends one record, says so, then hangs until killed: the parent SIGKILLs it the
// moment "appended" arrives and checks the record is on disk.
import { AuditLog } from "../../runtime/audit/index.js";

const log = new AuditLog({ path: process.argv[2]!, fsync: true });
const rec = await log.append({ actor: { host: "cli", sessionId: "crash" }, action: "skill.invoke", skill: "x", decision: "allow", exitCode: 0 });
process.stdout.write(`appended ${rec.seq} ${rec.hash}\n`);
setInterval(() => undefined, 1000);
