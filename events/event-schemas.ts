import { readFileSync } from 'node:fs';
import type { ErrorObject, ValidateFunction } from 'ajv';
import AjvDraft04 from 'ajv-draft-04';
import addFormats from 'ajv-formats';
import { InvalidEventError } from './errors.ts';
import { IMPORT_DETAIL_TYPES, type ImportDetailType, type ImportEvent, schemaFileStem } from './event-types.ts';

/** Where the draft-04 schemas live: `schemas/events/<kebab-name>.schema.json`. */
export const EVENT_SCHEMA_DIR = new URL('../schemas/events/', import.meta.url);

/** The JSON Schema (draft-04, whole EventBridge envelope, detail under `definitions`) of one detail type. */
export function readEventSchema(detailType: ImportDetailType): Record<string, unknown> {
  const url = new URL(`${schemaFileStem(detailType)}.schema.json`, EVENT_SCHEMA_DIR);
  return JSON.parse(readFileSync(url, 'utf8')) as Record<string, unknown>;
}

interface Validators {
  readonly envelope: ValidateFunction;
  readonly detail: ValidateFunction;
}

let cache: Map<ImportDetailType, Validators> | undefined;

function validators(): Map<ImportDetailType, Validators> {
  if (cache) return cache;
  // CommonJS interop: under Node ESM the default import is the module object, whose `default` is the class.
  const Ajv = AjvDraft04.default;
  const ajv = new Ajv({ allErrors: false, strict: false });
  addFormats.default(ajv as never, ['date-time']);
  const map = new Map<ImportDetailType, Validators>();
  for (const detailType of IMPORT_DETAIL_TYPES) {
    const schema = readEventSchema(detailType);
    const envelope = ajv.compile(schema);
    const definitions = schema.definitions as Record<string, unknown>;
    const name = Object.keys(definitions)[0] ?? '';
    const detail = ajv.compile({ $ref: `${String(schema.id)}#/definitions/${name}` });
    map.set(detailType, { envelope, detail });
  }
  cache = map;
  return map;
}

function describe(error: ErrorObject | undefined): { field: string; problem: string } {
  if (!error) return { field: '', problem: 'is invalid' };
  const params = error.params as Record<string, unknown>;
  if (error.keyword === 'required') {
    return { field: `${error.instancePath}/${String(params.missingProperty)}`, problem: 'is required' };
  }
  if (error.keyword === 'additionalProperties') {
    return { field: `${error.instancePath}/${String(params.additionalProperty)}`, problem: 'is not allowed' };
  }
  return { field: error.instancePath, problem: error.message ?? 'is invalid' };
}

/** Validates an event's detail against its schema; throws {@link InvalidEventError} naming the detail type and field. */
export function validateImportEvent(event: ImportEvent): void {
  const detailType = (event as { detailType?: unknown }).detailType;
  const entry = validators().get(detailType as ImportDetailType);
  if (!entry) throw new InvalidEventError(String(detailType), '', `has unknown detail type '${String(detailType)}'`);
  if (!entry.detail(event.detail)) {
    const { field, problem } = describe(entry.detail.errors?.[0]);
    throw new InvalidEventError(event.detailType, field, problem);
  }
}

/**
 * Validates a whole received envelope (`source`, `detail-type`, `detail`, ...) against the schema of its detail
 * type. Returns the problem as text, or undefined when valid.
 */
export function checkImportEventEnvelope(envelope: unknown): string | undefined {
  const detailType = (envelope as Record<string, unknown> | null)?.['detail-type'];
  const entry = validators().get(detailType as ImportDetailType);
  if (!entry) return `unknown detail-type '${String(detailType)}'`;
  if (entry.envelope(envelope)) return undefined;
  const { field, problem } = describe(entry.envelope.errors?.[0]);
  return `${field || '/'} ${problem}`;
}
