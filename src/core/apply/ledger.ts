import type { Store } from "../store/index.js";
import type { ApplyLedger } from "./apply.js";

/**
 * The store as apply's ledger: journals are recorded in the store before the
 * journal file is written, applies are recorded with the sha256 of each file,
 * and everything is audited as `actor`.
 */
export function storeLedger(store: Store, actor: string): ApplyLedger {
  return {
    open: (j) => store.openApplyJournal({ id: j.journalId, planId: j.planId, dir: j.dir, journal: j.journal, actor }),
    lookup: async (id) => {
      const rec = await store.applyJournal(id);
      return rec === undefined ? undefined : { dir: rec.dir, journal: rec.journal, status: rec.status };
    },
    openFor: async (dir) => (await store.openApplyJournals(dir)).map((j) => j.id),
    rolledBack: (id, reason) => store.settleApplyJournal(id, actor, reason),
    commit: (c) => store.recordApply({ planId: c.planId, dir: c.dir, files: c.written, actor, hashes: c.hashes, ...(c.journalId !== undefined ? { journalId: c.journalId } : {}) }),
    lastWritten: (dir, paths) => store.lastWritten(dir, paths),
  };
}
