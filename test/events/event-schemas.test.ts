import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { InvalidEventError } from '../../events/errors.ts';
import { checkImportEventEnvelope, readEventSchema, validateImportEvent } from '../../events/event-schemas.ts';
import {
  IMPORT_DETAIL_TYPES,
  type ImportDetailByType,
  type ImportDetailType,
  type ImportEvent,
  type ImportEventEnvelope,
  schemaFileStem,
} from '../../events/event-types.ts';
import failedSample from '../../events/samples/import-failed.json' with { type: 'json' };
import retryingSample from '../../events/samples/import-retrying.json' with { type: 'json' };
import skippedSample from '../../events/samples/import-skipped.json' with { type: 'json' };
import succeededSample from '../../events/samples/import-succeeded.json' with { type: 'json' };
import completedSample from '../../events/samples/orchestration-completed.json' with { type: 'json' };

// Compile-time half of "types and schemas agree": each sample must be assignable to its envelope type, and each
// key list must name exactly the detail interface's fields (TypeScript rejects a missing or extra key).
type Keys<K extends ImportDetailType> = Record<keyof ImportDetailByType[K], true>;
const DETAIL_KEYS: { [K in ImportDetailType]: Keys<K> } = {
  'Import Succeeded': {
    table: true,
    hour: true,
    rowsInserted: true,
    rowsUpdated: true,
    rowsDeleted: true,
    durationMs: true,
    queryExecutionId: true,
    executionArn: true,
    correlationId: true,
  },
  'Import Retrying': {
    table: true,
    hour: true,
    stage: true,
    error: true,
    cause: true,
    attempt: true,
    nextDelaySeconds: true,
    correlationId: true,
  },
  'Import Failed': {
    table: true,
    hour: true,
    stage: true,
    error: true,
    cause: true,
    attempts: true,
    executionArn: true,
    correlationId: true,
  },
  'Import Skipped': { table: true, hour: true, reason: true, correlationId: true },
  'Orchestration Completed': {
    hour: true,
    succeeded: true,
    failed: true,
    skipped: true,
    durationMs: true,
    correlationId: true,
  },
};

const SAMPLES = {
  'Import Succeeded': succeededSample as ImportEventEnvelope<'Import Succeeded'>,
  'Import Retrying': retryingSample as ImportEventEnvelope<'Import Retrying'>,
  'Import Failed': failedSample as ImportEventEnvelope<'Import Failed'>,
  'Import Skipped': skippedSample as ImportEventEnvelope<'Import Skipped'>,
  'Orchestration Completed': completedSample as ImportEventEnvelope<'Orchestration Completed'>,
} satisfies { [K in ImportDetailType]: ImportEventEnvelope<K> };

const toEvent = <K extends ImportDetailType>(detailType: K): ImportEvent =>
  ({ detailType, detail: SAMPLES[detailType].detail }) as ImportEvent;

describe('event schemas (draft-04, whole envelope)', () => {
  it('exist for exactly our detail types, one file each', () => {
    const files = readdirSync(new URL('../../schemas/events/', import.meta.url)).sort();
    expect(files).toEqual(IMPORT_DETAIL_TYPES.map((t) => `${schemaFileStem(t)}.schema.json`).sort());
  });

  it.each(IMPORT_DETAIL_TYPES)('%s: schema fields = TypeScript fields, sample valid', (detailType) => {
    const schema = readEventSchema(detailType);
    expect(schema.$schema).toBe('http://json-schema.org/draft-04/schema#');
    expect(schema['x-amazon-events-detail-type']).toBe(detailType);
    const definition = Object.values(schema.definitions as Record<string, Record<string, unknown>>)[0] ?? {};
    const typeKeys = Object.keys(DETAIL_KEYS[detailType]).sort();
    expect(Object.keys(definition.properties as object).sort()).toEqual(typeKeys);
    expect([...(definition.required as string[])].sort()).toEqual(typeKeys);
    expect(definition.additionalProperties).toBe(false);

    const sample = SAMPLES[detailType];
    expect(sample['detail-type']).toBe(detailType);
    expect(Object.keys(sample.detail).sort()).toEqual(typeKeys);
    expect(checkImportEventEnvelope(sample)).toBeUndefined();
    expect(() => validateImportEvent(toEvent(detailType))).not.toThrow();
  });

  it('sample files are literal JSON on disk (what the schema registry and subscribers see)', () => {
    const text = readFileSync(new URL('../../events/samples/import-succeeded.json', import.meta.url), 'utf8');
    expect(JSON.parse(text)).toEqual(succeededSample);
  });

  it('rejects an invalid event naming the detail type and the field', () => {
    const bad = { detailType: 'Import Succeeded', detail: { ...succeededSample.detail, hour: '2026-11-27 10' } };
    expect(() => validateImportEvent(bad as ImportEvent)).toThrow(InvalidEventError);
    try {
      validateImportEvent(bad as ImportEvent);
    } catch (error) {
      expect(error).toMatchObject({ detailType: 'Import Succeeded', field: '/hour' });
      expect((error as Error).message).toMatch(/^Invalid 'Import Succeeded' event: detail\.hour /);
    }
    const { correlationId: _dropped, ...withoutCorrelation } = skippedSample.detail;
    expect(() =>
      validateImportEvent({ detailType: 'Import Skipped', detail: withoutCorrelation } as ImportEvent),
    ).toThrow("Invalid 'Import Skipped' event: detail.correlationId is required");
    const extra = { detailType: 'Import Skipped', detail: { ...skippedSample.detail, surprise: 1 } };
    expect(() => validateImportEvent(extra as ImportEvent)).toThrow('detail.surprise is not allowed');
    const negative = { detailType: 'Import Failed', detail: { ...failedSample.detail, attempts: 0 } };
    expect(() => validateImportEvent(negative as ImportEvent)).toThrow(/detail\.attempts/);
  });
});
