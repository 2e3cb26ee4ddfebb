/** Generated text per schema file name: where it goes under runtime/generated/ and what it holds. */
export function generateAll(root?: string): Promise<Record<string, { out: string; text: string }>>;
/** runtime/generated/ files that differ from what the schemas generate, are missing, or have no schema. */
export function staleFiles(root?: string): Promise<string[]>;
