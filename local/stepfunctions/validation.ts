/**
 * Checks a definition before it runs. Every problem names the state and field, e.g.
 * `States.Fetch.Next: 'Missing' is not a state`. Structural checks only: what can go wrong with data is
 * reported at run time, as on AWS.
 */
import { DefinitionValidationError } from './errors.ts';
import { isValidPath } from './json-path.ts';
import { isObject, type JsonObject } from './types.ts';

const STATE_TYPES = new Set(['Pass', 'Task', 'Choice', 'Wait', 'Succeed', 'Fail', 'Parallel', 'Map']);
const JSONPATH_ONLY = ['InputPath', 'OutputPath', 'ResultPath', 'Parameters', 'ResultSelector', 'ItemsPath'];
const JSONATA_ONLY = ['Arguments', 'Output', 'Items'];
const PATH_FIELDS = [
  'InputPath',
  'OutputPath',
  'ResultPath',
  'ItemsPath',
  'SecondsPath',
  'TimestampPath',
  'TimeoutSecondsPath',
  'HeartbeatSecondsPath',
];

interface Problem {
  path: string;
  message: string;
}

function checkErrorList(
  list: unknown,
  where: string,
  problems: Problem[],
  needsNext: boolean,
  states: JsonObject,
): void {
  if (list === undefined) return;
  if (!Array.isArray(list)) {
    problems.push({ path: where, message: 'must be an array' });
    return;
  }
  list.forEach((item: unknown, i) => {
    const at = `${where}[${i}]`;
    if (!isObject(item) || !Array.isArray(item.ErrorEquals) || item.ErrorEquals.length === 0) {
      problems.push({ path: `${at}.ErrorEquals`, message: 'must be a non-empty array of error names' });
      return;
    }
    const names = item.ErrorEquals as unknown[];
    if (names.includes('States.ALL') && (names.length > 1 || i !== list.length - 1)) {
      problems.push({ path: `${at}.ErrorEquals`, message: "'States.ALL' must appear alone and in the last element" });
    }
    if (needsNext && (typeof item.Next !== 'string' || !(item.Next in states))) {
      problems.push({ path: `${at}.Next`, message: `'${String(item.Next)}' is not a state` });
    }
    if (
      !needsNext &&
      item.MaxAttempts !== undefined &&
      (typeof item.MaxAttempts !== 'number' || item.MaxAttempts < 0)
    ) {
      problems.push({ path: `${at}.MaxAttempts`, message: 'must be a non-negative integer' });
    }
  });
}

function checkChoiceRule(rule: unknown, at: string, problems: Problem[], jsonata: boolean): void {
  if (!isObject(rule)) {
    problems.push({ path: at, message: 'must be an object' });
    return;
  }
  if (jsonata) {
    if (rule.Condition === undefined)
      problems.push({ path: `${at}.Condition`, message: 'is required in JSONata choice rules' });
    return;
  }
  for (const op of ['And', 'Or'] as const) {
    if (rule[op] !== undefined) {
      if (!Array.isArray(rule[op])) problems.push({ path: `${at}.${op}`, message: 'must be an array' });
      else {
        (rule[op] as unknown[]).forEach((r, i) => {
          checkChoiceRule(r, `${at}.${op}[${i}]`, problems, jsonata);
        });
      }
      return;
    }
  }
  if (rule.Not !== undefined) {
    checkChoiceRule(rule.Not, `${at}.Not`, problems, jsonata);
    return;
  }
  if (typeof rule.Variable !== 'string' || !isValidPath(rule.Variable)) {
    problems.push({ path: `${at}.Variable`, message: 'must be a JSONPath' });
  }
}

function checkMachine(machine: unknown, where: string, problems: Problem[], parentLanguage: string): void {
  if (!isObject(machine)) {
    problems.push({ path: where || '(definition)', message: 'must be an object' });
    return;
  }
  const prefix = where ? `${where}.` : '';
  const language = (machine.QueryLanguage as string | undefined) ?? parentLanguage;
  if (language !== 'JSONPath' && language !== 'JSONata') {
    problems.push({ path: `${prefix}QueryLanguage`, message: "must be 'JSONPath' or 'JSONata'" });
  }
  if (!isObject(machine.States) || Object.keys(machine.States).length === 0) {
    problems.push({ path: `${prefix}States`, message: 'must be an object with at least one state' });
    return;
  }
  const states = machine.States;
  if (typeof machine.StartAt !== 'string' || !(machine.StartAt in states)) {
    problems.push({ path: `${prefix}StartAt`, message: `'${String(machine.StartAt)}' is not a state` });
  }
  for (const [name, raw] of Object.entries(states)) {
    const at = `${prefix}States.${name}`;
    if (name.length > 80) problems.push({ path: at, message: 'state names are at most 80 characters' });
    if (!isObject(raw)) {
      problems.push({ path: at, message: 'must be an object' });
      continue;
    }
    const type = raw.Type;
    if (typeof type !== 'string' || !STATE_TYPES.has(type)) {
      problems.push({ path: `${at}.Type`, message: `unknown state type '${String(type)}'` });
      continue;
    }
    const stateLanguage = (raw.QueryLanguage as string | undefined) ?? language;
    if (language === 'JSONata' && raw.QueryLanguage === 'JSONPath') {
      problems.push({ path: `${at}.QueryLanguage`, message: 'a JSONPath state cannot appear in a JSONata machine' });
    }
    const jsonata = stateLanguage === 'JSONata';
    for (const field of jsonata ? JSONPATH_ONLY : JSONATA_ONLY) {
      if (raw[field] !== undefined) {
        problems.push({ path: `${at}.${field}`, message: `is not allowed in a ${stateLanguage} state` });
      }
    }
    if (!jsonata) {
      for (const field of PATH_FIELDS) {
        const value = raw[field];
        if (typeof value === 'string' && !isValidPath(value))
          problems.push({ path: `${at}.${field}`, message: `'${value}' is not a valid JSONPath` });
      }
    }
    const terminal = type === 'Choice' || type === 'Succeed' || type === 'Fail';
    if (!terminal) {
      const hasNext = typeof raw.Next === 'string';
      const isEnd = raw.End === true;
      if (hasNext === isEnd) problems.push({ path: at, message: 'must have exactly one of Next or End: true' });
      if (hasNext && !((raw.Next as string) in states)) {
        problems.push({ path: `${at}.Next`, message: `'${String(raw.Next)}' is not a state` });
      }
    }
    if (type === 'Task' && typeof raw.Resource !== 'string')
      problems.push({ path: `${at}.Resource`, message: 'must be a string' });
    if (type === 'Choice') {
      if (!Array.isArray(raw.Choices) || raw.Choices.length === 0) {
        problems.push({ path: `${at}.Choices`, message: 'must be a non-empty array' });
      } else {
        raw.Choices.forEach((rule: unknown, i) => {
          checkChoiceRule(rule, `${at}.Choices[${i}]`, problems, jsonata);
          if (isObject(rule) && (typeof rule.Next !== 'string' || !(rule.Next in states))) {
            problems.push({ path: `${at}.Choices[${i}].Next`, message: `'${String(rule.Next)}' is not a state` });
          }
        });
      }
      if (raw.Default !== undefined && (typeof raw.Default !== 'string' || !(raw.Default in states))) {
        problems.push({ path: `${at}.Default`, message: `'${String(raw.Default)}' is not a state` });
      }
    }
    if (type === 'Task' || type === 'Parallel' || type === 'Map') {
      checkErrorList(raw.Retry, `${at}.Retry`, problems, false, states);
      checkErrorList(raw.Catch, `${at}.Catch`, problems, true, states);
    } else {
      if (raw.Retry !== undefined) problems.push({ path: `${at}.Retry`, message: `is not allowed in a ${type} state` });
      if (raw.Catch !== undefined) problems.push({ path: `${at}.Catch`, message: `is not allowed in a ${type} state` });
    }
    if (type === 'Parallel') {
      if (!Array.isArray(raw.Branches) || raw.Branches.length === 0)
        problems.push({ path: `${at}.Branches`, message: 'must be a non-empty array' });
      else {
        raw.Branches.forEach((b: unknown, i) => {
          checkMachine(b, `${at}.Branches[${i}]`, problems, stateLanguage);
        });
      }
    }
    if (type === 'Map') {
      const processor = raw.ItemProcessor ?? raw.Iterator;
      if (processor === undefined) problems.push({ path: `${at}.ItemProcessor`, message: 'is required' });
      else
        checkMachine(processor, `${at}.${raw.ItemProcessor ? 'ItemProcessor' : 'Iterator'}`, problems, stateLanguage);
      if (
        isObject(raw.ItemProcessor) &&
        isObject(raw.ItemProcessor.ProcessorConfig) &&
        raw.ItemProcessor.ProcessorConfig.Mode === 'DISTRIBUTED'
      ) {
        problems.push({
          path: `${at}.ItemProcessor.ProcessorConfig.Mode`,
          message: 'DISTRIBUTED Map is not supported by the local engine',
        });
      }
    }
    if (type === 'Wait') {
      const fields = ['Seconds', 'SecondsPath', 'Timestamp', 'TimestampPath'].filter((f) => raw[f] !== undefined);
      if (fields.length !== 1)
        problems.push({
          path: at,
          message: 'a Wait state needs exactly one of Seconds, SecondsPath, Timestamp, TimestampPath',
        });
    }
  }
}

/** Throws `DefinitionValidationError` listing every problem found. */
export function validateDefinition(definition: unknown): void {
  const problems: Problem[] = [];
  checkMachine(definition, '', problems, 'JSONPath');
  if (problems.length > 0) throw new DefinitionValidationError(problems);
}
