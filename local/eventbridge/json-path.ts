/**
 * The JSONPath subset EventBridge accepts in InputPath and InputPathsMap: `$`, `.name`, `['name']` and `[index]`.
 */
export type JsonPathStep = string | number;

/** Parses a path like `$.detail.items[0]['odd key']`; throws with the offending position when it cannot. */
export function parseJsonPath(path: string): JsonPathStep[] {
  if (!path.startsWith('$')) throw new Error(`JSONPath '${path}' must start with '$'`);
  const steps: JsonPathStep[] = [];
  let pos = 1;
  while (pos < path.length) {
    const ch = path[pos];
    if (ch === '.') {
      const match = /^[^.[\]]+/.exec(path.slice(pos + 1));
      if (!match) throw new Error(`JSONPath '${path}' has an empty name at position ${pos + 1}`);
      steps.push(match[0]);
      pos += 1 + match[0].length;
    } else if (ch === '[') {
      const rest = path.slice(pos);
      const index = /^\[(\d+)\]/.exec(rest);
      const quoted = /^\[(['"])(.*?)\1\]/.exec(rest);
      if (index?.[1] !== undefined) {
        steps.push(Number(index[1]));
        pos += index[0].length;
      } else if (quoted?.[2] !== undefined) {
        steps.push(quoted[2]);
        pos += quoted[0].length;
      } else {
        throw new Error(`JSONPath '${path}' has an unsupported selector at position ${pos}`);
      }
    } else {
      throw new Error(`JSONPath '${path}' has an unexpected '${ch}' at position ${pos}`);
    }
  }
  return steps;
}

/** Evaluates a parsed path; undefined when any step is missing. */
export function evaluateJsonPath(value: unknown, steps: readonly JsonPathStep[]): unknown {
  let current = value;
  for (const step of steps) {
    if (typeof step === 'number') {
      if (!Array.isArray(current)) return undefined;
      current = current[step];
    } else {
      if (typeof current !== 'object' || current === null || Array.isArray(current)) return undefined;
      current = (current as Record<string, unknown>)[step];
    }
    if (current === undefined) return undefined;
  }
  return current;
}
