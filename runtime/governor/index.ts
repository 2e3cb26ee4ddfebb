/**
 * The governor: the one holder of the ExecManager and the AuditLog. Front doors reach it
 * only through actor-bound Doors (`runtime.door()`); the agent loop, through the model
 * door factory the Runtime hands it at construction.
 */
export { Governor, type GovernorOptions } from "./governor.js";
export { doorFactories } from "./door.js";
export type { CallOptions, Door, DoorFactory, ModelDoorFactory, PatchResult, PersonActor } from "./types.js";
