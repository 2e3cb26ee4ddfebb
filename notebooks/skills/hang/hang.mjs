// A stubborn process for the timeout lesson: ignores SIGTERM and leaves a grandchild running.
import { spawn } from "node:child_process";
process.on("SIGTERM", () => console.log("got SIGTERM, ignoring it"));
const child = spawn("sleep", ["600"], { stdio: "ignore" });
console.log(`started; grandchild pid ${child.pid}; waiting forever`);
setInterval(() => {}, 1000);
