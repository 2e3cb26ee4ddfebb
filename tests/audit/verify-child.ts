// Verifies an audit log and prints the report as JSON: run with a small heap to show
// the walk's memory does not grow with the log.
import { verifyFile } from "../../runtime/audit/index.js";

const report = await verifyFile(process.argv[2]!, process.argv[3] ? { keyPath: process.argv[3] } : {});
process.stdout.write(JSON.stringify({ ...report, heapUsed: process.memoryUsage().heapUsed }) + "\n");
