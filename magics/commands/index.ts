import type { CommandSpec } from "../types.js";
import { commands as help } from "./help.js";
import { commands as config } from "./config.js";
import { commands as doctor } from "./doctor.js";
import { commands as gateway } from "./gateway.js";
import { commands as models } from "./models.js";
import { commands as skills } from "./skills.js";
import { commands as agent } from "./agent.js";
import { commands as rag } from "./rag.js";
import { commands as exec } from "./exec.js";
import { commands as audit } from "./audit.js";
import { commands as secret } from "./secret.js";
import { commands as kernel } from "./kernel.js";

/** The whole grammar, in the order `help` lists it. Each group lives in its own file. */
export const COMMANDS: CommandSpec[] = [...help, ...config, ...doctor, ...gateway, ...models, ...skills, ...agent, ...rag, ...exec, ...audit, ...secret, ...kernel];
