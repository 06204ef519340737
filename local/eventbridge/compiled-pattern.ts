import type { CidrRange } from './cidr.ts';
import type { WildcardPattern } from './wildcard.ts';

/** A JSON scalar as it can appear in an event leaf. */
export type Scalar = string | number | boolean | null;

/** One element of a pattern field's array: a value test on a single event leaf (or on its absence). */
export type Matcher =
  | { readonly kind: 'exact'; readonly value: Scalar }
  | { readonly kind: 'prefix' | 'suffix'; readonly value: string; readonly ignoreCase: boolean }
  | { readonly kind: 'equals-ignore-case'; readonly value: string }
  | { readonly kind: 'wildcard'; readonly pattern: WildcardPattern }
  | { readonly kind: 'numeric'; readonly bounds: readonly NumericBound[] }
  | { readonly kind: 'exists'; readonly exists: boolean }
  | { readonly kind: 'cidr'; readonly range: CidrRange }
  | { readonly kind: 'anything-but'; readonly inner: AnythingBut };

/** What `anything-but` excludes. */
export type AnythingBut =
  | { readonly kind: 'values'; readonly values: readonly (string | number)[] }
  | { readonly kind: 'prefix' | 'suffix'; readonly values: readonly string[] }
  | { readonly kind: 'equals-ignore-case'; readonly values: readonly string[] }
  | { readonly kind: 'wildcard'; readonly patterns: readonly WildcardPattern[] };

export interface NumericBound {
  readonly operator: '<' | '<=' | '>' | '>=' | '=';
  readonly value: number;
}

/** One field of a pattern: the dotted path from the event root and the alternatives any one of which must hold. */
export interface FieldCondition {
  readonly path: string;
  readonly matchers: readonly Matcher[];
}

/** A validated pattern: every field condition must hold, and in every `$or` group at least one alternative. */
export interface CompiledPattern {
  readonly fields: readonly FieldCondition[];
  readonly orGroups: readonly (readonly CompiledPattern[])[];
}
