import { OPERATIONS } from "./table.js";
import type { Operation, Reach } from "./types.js";

export type * from "./types.js";
export { OPERATIONS } from "./table.js";
export { validateParams, ParamsError } from "./validate.js";
export { makeServices, type ServiceBase } from "./services.js";

// The table's entries have precise param types; lookups by name see the general shape.
type AnyOp = Operation<any, unknown>; // eslint-disable-line @typescript-eslint/no-explicit-any

const BY_NAME = new Map<string, AnyOp>((OPERATIONS as readonly AnyOp[]).map((o) => [o.name, o]));

/** An operation by its dotted name (own entries only). */
export function operation(name: string): AnyOp | undefined {
  return BY_NAME.get(name);
}

/** The operations a front door reaches. */
export function operationsFor(reach: Reach): AnyOp[] {
  return (OPERATIONS as readonly AnyOp[]).filter((o) => o.reach.includes(reach));
}

/** Params for the connect handshake: handled by the gateway connection, listed in the protocol schema. */
export const CONNECT_PARAMS = {
  type: "object",
  properties: {
    token: { type: "string", description: "the gateway token (auth mode token)" },
    pairingCode: { type: "string", description: "a one-use pairing code (device pairing)" },
    session: { type: "string", description: "a session from an earlier pairing" },
    client: { type: "object", description: "who connects, e.g. {\"name\": \"my-tool\"}" },
  },
} as const;
