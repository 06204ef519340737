import { type Kysely, sql } from 'kysely';
import type { TableWeight } from '../catalog/catalog-types.ts';
import { ImportSlotBusyError } from '../errors.ts';

/** Default number of heavy imports Aurora runs at once, across every orchestration. */
export const DEFAULT_HEAVY_SLOTS = 1;
/** Default number of light imports Aurora runs at once, across every orchestration. */
export const DEFAULT_LIGHT_SLOTS = 4;

/**
 * The first key of a slot's advisory lock, one per weight; the second key is the slot number. Fixed numbers (not a
 * hash computed in SQL) so an operator can find the holders in `pg_locks` (`classid` = this, `objid` = the slot).
 * Two-key advisory locks live apart from one-key (bigint) ones; the (table, hour) lock uses two `hashtext` keys,
 * which would have to hit this exact pair to collide.
 */
export const SLOT_LOCK_KEYS: Readonly<Record<TableWeight, number>> = {
  heavy: 0x41494801, // 'AIH' + 1
  light: 0x41494c01, // 'AIL' + 1
};

/** How many imports of each weight may run at once. */
export interface ImportSlotLimits {
  readonly heavySlots?: number | undefined;
  readonly lightSlots?: number | undefined;
}

/** The slot count for a weight: the request's value, else the default; must be a whole number ≥ 1. */
export function slotCount(weight: TableWeight, limits: ImportSlotLimits): number {
  const given = weight === 'heavy' ? limits.heavySlots : limits.lightSlots;
  const count = given ?? (weight === 'heavy' ? DEFAULT_HEAVY_SLOTS : DEFAULT_LIGHT_SLOTS);
  if (!Number.isInteger(count) || count < 1)
    throw new RangeError(`${weight}Slots must be a whole number ≥ 1, got ${String(given)}`);
  return count;
}

/**
 * Takes one of the `slots` import slots of `weight` for the current transaction, or throws `ImportSlotBusyError`
 * when all are held. Each slot is a transaction-level advisory lock, tried without waiting
 * (`pg_try_advisory_xact_lock`), so it is released by COMMIT or ROLLBACK, and by the server when the session dies
 * (a crashed or killed import never keeps its slot). Must run inside the import's transaction.
 *
 * Returns the slot number taken (0-based).
 */
export async function acquireImportSlot<DB>(
  db: Kysely<DB>,
  table: string,
  weight: TableWeight,
  slots: number,
): Promise<number> {
  // One statement per slot, in order: a single `select ... from generate_series` might try (and take) more than
  // one lock, since PostgreSQL does not promise to stop evaluating at the first hit.
  for (let slot = 0; slot < slots; slot++) {
    const result = await sql<{ taken: boolean }>`select pg_try_advisory_xact_lock(${sql.lit(
      SLOT_LOCK_KEYS[weight],
    )}::int, ${sql.lit(slot)}::int) as taken`.execute(db);
    if (result.rows[0]?.taken === true) return slot;
  }
  throw new ImportSlotBusyError(table, weight, slots);
}
