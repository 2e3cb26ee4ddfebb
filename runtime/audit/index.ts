// SKELETON: replaced by the audit implementation (issue 4).
export class AuditLog {
  constructor(readonly cfg: { path: string; fsync: boolean }) {}
  async close(): Promise<void> {}
}
