/**
 * Stand-in Lambda entry used only while a handler file under `functions/` does not exist yet and bundling is skipped
 * (unit tests). A real synth refuses to bundle it; see `ImportFunctions`.
 */
export function handler(): never {
  throw new Error('aurora-imports: this function was synthesized without its handler');
}
