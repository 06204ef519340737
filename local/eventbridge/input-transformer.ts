import { ValidationError } from './errors.ts';
import { evaluateJsonPath, parseJsonPath } from './json-path.ts';

/** The AWS `InputTransformer` of a target. */
export interface InputTransformer {
  /** Placeholder name → JSONPath into the event. */
  readonly InputPathsMap?: Readonly<Record<string, string>>;
  /** Text with `<placeholder>`s; a JSON object/array template must still be JSON after substitution. */
  readonly InputTemplate: string;
}

/** How a target wants its input: at most one of the three (as AWS requires). */
export interface TargetInputOptions {
  /** Constant JSON text sent instead of the event. */
  readonly input?: string;
  readonly inputPath?: string;
  readonly inputTransformer?: InputTransformer;
}

/** The values behind the predefined `<aws.events.*>` placeholders. */
export interface TransformContext {
  readonly ruleArn: string;
  readonly ruleName: string;
  /** ISO-8601 time the bus received the event. */
  readonly ingestionTime: string;
}

/** The text a target receives, or why AWS would deliver nothing. */
export type TransformResult =
  | { readonly delivered: true; readonly text: string }
  | { readonly delivered: false; readonly reason: string };

const PREDEFINED = new Set([
  'aws.events.rule-arn',
  'aws.events.rule-name',
  'aws.events.event.ingestion-time',
  'aws.events.event',
  'aws.events.event.json',
]);

const PLACEHOLDER = /<([A-Za-z0-9_.-]+)>/g;

/** PutTargets-time validation with AWS's messages; throws {@link ValidationError}. */
export function validateTargetInput(targetId: string, options: TargetInputOptions): void {
  const given = [options.input, options.inputPath, options.inputTransformer].filter((v) => v !== undefined);
  if (given.length > 1) {
    throw new ValidationError(
      `Only one of Input, InputPath, or InputTransformer must be provided for target ${targetId}.`,
    );
  }
  if (options.inputPath !== undefined) checkPath(targetId, options.inputPath);
  const transformer = options.inputTransformer;
  if (transformer) {
    const map = transformer.InputPathsMap ?? {};
    if (Object.keys(map).length > 100) {
      throw new ValidationError(`InputPathsMap for target ${targetId} has more than 100 entries.`);
    }
    for (const [name, path] of Object.entries(map)) {
      if (name.startsWith('aws.events.')) {
        throw new ValidationError(`InputPathsMap for target ${targetId} uses the reserved key ${name}.`);
      }
      checkPath(targetId, path);
    }
    for (const match of transformer.InputTemplate.matchAll(PLACEHOLDER)) {
      const name = match[1] ?? '';
      if (!(name in map) && !PREDEFINED.has(name)) {
        throw new ValidationError(`InputTemplate for target ${targetId} contains invalid placeholder ${name}.`);
      }
    }
  }
  if (options.input !== undefined) {
    try {
      JSON.parse(options.input);
    } catch {
      throw new ValidationError(`Input for target ${targetId} is not valid JSON text.`);
    }
  }
}

function checkPath(targetId: string, path: string): void {
  try {
    parseJsonPath(path);
  } catch (error) {
    throw new ValidationError(`Invalid InputPath for target ${targetId}: ${(error as Error).message}`);
  }
}

/**
 * Computes what a target receives for an event: the whole event, the constant Input, the InputPath selection, or the
 * InputTransformer result. A JSON template that does not stay valid JSON is not delivered (AWS drops it silently; we
 * say why).
 */
export function transformTargetInput(
  event: Readonly<Record<string, unknown>>,
  options: TargetInputOptions,
  context: TransformContext,
): TransformResult {
  if (options.input !== undefined) return { delivered: true, text: options.input };
  if (options.inputPath !== undefined) {
    const selected = evaluateJsonPath(event, parseJsonPath(options.inputPath));
    return { delivered: true, text: JSON.stringify(selected ?? null) };
  }
  const transformer = options.inputTransformer;
  if (!transformer) return { delivered: true, text: JSON.stringify(event) };
  const values = new Map<string, unknown>();
  for (const [name, path] of Object.entries(transformer.InputPathsMap ?? {})) {
    values.set(name, evaluateJsonPath(event, parseJsonPath(path)));
  }
  values.set('aws.events.rule-arn', context.ruleArn);
  values.set('aws.events.rule-name', context.ruleName);
  values.set('aws.events.event.ingestion-time', context.ingestionTime);
  values.set('aws.events.event', {
    id: event.id,
    account: event.account,
    detailType: event['detail-type'],
    time: context.ingestionTime,
    source: event.source,
    region: event.region,
    resources: event.resources,
    version: event.version,
  });
  values.set('aws.events.event.json', event);
  const template = transformer.InputTemplate;
  const isJsonTemplate = /^\s*[[{]/.test(template);
  const text = renderTemplate(template, values, isJsonTemplate);
  if (isJsonTemplate) {
    try {
      JSON.parse(text);
    } catch (error) {
      return { delivered: false, reason: `transformed input is not valid JSON: ${(error as Error).message}` };
    }
  }
  return { delivered: true, text };
}

/**
 * Substitutes placeholders. Inside a quoted JSON string a value is spliced in as text (objects of a plain-text
 * template lose their quotes, as AWS prints them: `{acc_id:1,sf_id:baz}`); outside quotes it is written as JSON, a
 * missing value as `""`.
 */
function renderTemplate(template: string, values: ReadonlyMap<string, unknown>, isJsonTemplate: boolean): string {
  let out = '';
  let inString = false;
  let pos = 0;
  while (pos < template.length) {
    const ch = template[pos] ?? '';
    if (ch === '\\' && inString) {
      out += template.slice(pos, pos + 2);
      pos += 2;
      continue;
    }
    if (ch === '"') {
      inString = !inString;
      out += ch;
      pos++;
      continue;
    }
    const placeholder = ch === '<' ? /^<([A-Za-z0-9_.-]+)>/.exec(template.slice(pos)) : null;
    if (placeholder?.[1] !== undefined && values.has(placeholder[1])) {
      out += inString
        ? renderInString(values.get(placeholder[1]), isJsonTemplate)
        : renderAsJson(values.get(placeholder[1]));
      pos += placeholder[0].length;
      continue;
    }
    out += ch;
    pos++;
  }
  return out;
}

function renderInString(value: unknown, isJsonTemplate: boolean): string {
  if (value === undefined) return '';
  if (typeof value === 'string') return JSON.stringify(value).slice(1, -1);
  if (typeof value === 'object' && value !== null) {
    return isJsonTemplate ? JSON.stringify(value) : JSON.stringify(value).replaceAll('"', '');
  }
  return String(value);
}

function renderAsJson(value: unknown): string {
  return value === undefined ? '""' : JSON.stringify(value);
}
