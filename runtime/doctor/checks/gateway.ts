// Doctor checks of "gateway": filled in by the issue that builds it.
import type { CheckProvider } from "../types.js";

export const checks: CheckProvider = async () => [];
