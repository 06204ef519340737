import { InvalidEventPatternError } from './errors.ts';

/**
 * EventBridge `wildcard` patterns: `*` matches any run of characters, `\*` a literal star and `\\` a backslash.
 * A compiled pattern is the list of literal pieces between the stars.
 */
export interface WildcardPattern {
  readonly source: string;
  /** Literal pieces; a star sits between each consecutive pair. */
  readonly pieces: readonly string[];
}

/**
 * The most NFA states a wildcard may keep alive at once before AWS calls it "too complex". AWS does not publish its
 * limit; 5 accepts every accepted corpus pattern and rejects `*:*:*:*:*:event-bus/*`, which AWS rejected.
 */
const MAX_ACTIVE_STATES = 5;

/** Parses and validates a wildcard pattern with AWS's error wording. */
export function compileWildcard(source: string): WildcardPattern {
  const pieces: string[] = [];
  let current = '';
  let previousWasStar = false;
  for (let i = 0; i < source.length; i++) {
    const ch = source[i];
    if (ch === '\\') {
      const next = source[i + 1];
      if (next !== '*' && next !== '\\') throw new InvalidEventPatternError(`Invalid escape character at pos ${i}`);
      current += next;
      i++;
      previousWasStar = false;
    } else if (ch === '*') {
      if (previousWasStar) throw new InvalidEventPatternError(`Consecutive wildcard characters at pos ${i}`);
      pieces.push(current);
      current = '';
      previousWasStar = true;
    } else {
      current += ch;
      previousWasStar = false;
    }
  }
  pieces.push(current);
  const pattern = { source, pieces };
  if (maxActiveStates(pattern) > MAX_ACTIVE_STATES) {
    throw new InvalidEventPatternError(
      'Rule is too complex - try using fewer wildcard characters or fewer repeating character sequences after a wildcard character',
    );
  }
  return pattern;
}

/** Whether `value` matches the whole wildcard pattern (greedy with backtracking to the last star: linear enough). */
export function matchesWildcard(pattern: WildcardPattern, value: string): boolean {
  const { pieces } = pattern;
  if (pieces.length === 1) return value === pieces[0];
  const first = pieces[0] ?? '';
  const last = pieces[pieces.length - 1] ?? '';
  if (value.length < first.length + last.length) return false;
  if (!value.startsWith(first) || !value.endsWith(last)) return false;
  let at = first.length;
  const end = value.length - last.length;
  for (let i = 1; i < pieces.length - 1; i++) {
    const piece = pieces[i] ?? '';
    const found = value.indexOf(piece, at);
    if (found < 0 || found + piece.length > end) return false;
    at = found + piece.length;
  }
  return true;
}

/**
 * Simulates the pattern's NFA on inputs made of its own characters and returns the largest number of states alive at
 * once: a measure of how much work one event character can cost, which is what AWS limits.
 */
function maxActiveStates(pattern: WildcardPattern): number {
  // States: position in the flattened pattern where each star is a self-looping state.
  type Token = { star: true } | { star: false; ch: string };
  const tokens: Token[] = [];
  pattern.pieces.forEach((piece, index) => {
    if (index > 0) tokens.push({ star: true });
    for (const ch of piece) tokens.push({ star: false, ch });
  });
  const closure = (states: Set<number>): Set<number> => {
    const result = new Set(states);
    for (const state of states) {
      let next = state;
      while (tokens[next]?.star) result.add(++next);
    }
    return result;
  };
  const alphabet = [...new Set(tokens.flatMap((t) => (t.star ? [] : [t.ch]))), '\u0000'];
  let best = 0;
  const seen = new Set<string>();
  let frontier = [closure(new Set([0]))];
  while (frontier.length > 0 && seen.size < 5_000) {
    const nextFrontier: Set<number>[] = [];
    for (const states of frontier) {
      const key = [...states].sort((a, b) => a - b).join(',');
      if (seen.has(key)) continue;
      seen.add(key);
      best = Math.max(best, [...states].filter((s) => tokens[s]?.star).length);
      for (const ch of alphabet) {
        const moved = new Set<number>();
        for (const state of states) {
          const token = tokens[state];
          if (token === undefined) continue;
          if (token.star) moved.add(state);
          else if (token.ch === ch) moved.add(state + 1);
        }
        if (moved.size > 0) nextFrontier.push(closure(moved));
      }
    }
    frontier = nextFrontier;
  }
  return best;
}
