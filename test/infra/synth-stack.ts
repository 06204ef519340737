import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AuroraImportsStack } from '../../infra/aurora-imports-stack.ts';
import { readDeploymentConfig } from '../../infra/config.ts';

export const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The context of cdk.json: what a fresh clone synthesizes with. */
export function cdkJsonContext(): Record<string, unknown> {
  const cdkJson = JSON.parse(readFileSync(path.join(projectRoot, 'cdk.json'), 'utf8')) as {
    context: Record<string, unknown>;
  };
  return cdkJson.context;
}

export interface SynthOptions {
  /** Overrides merged over the cdk.json context (`auroraImports:` prefix added). */
  readonly context?: Record<string, unknown>;
  /** Bundle the functions for real (slow); by default bundling is skipped. */
  readonly bundle?: boolean;
  readonly outdir?: string;
}

/**
 * Synthesis takes seconds (more on a busy machine): suites that synthesize use this timeout, and share one
 * synthesized stack per configuration where they can.
 */
export const SYNTH_TIMEOUT_MS = 240_000;

/** Builds the app and stack as infra/app.ts does, without bundling unless asked, and without synthesizing. */
export function buildStack(options: SynthOptions = {}): { app: App; stack: AuroraImportsStack } {
  const overrides = Object.fromEntries(
    Object.entries(options.context ?? {}).map(([key, value]) => [`auroraImports:${key}`, value]),
  );
  const app = new App({
    context: {
      ...cdkJsonContext(),
      ...overrides,
      ...(options.bundle ? {} : { 'aws:cdk:bundling-stacks': [] }),
    },
    ...(options.outdir ? { outdir: options.outdir } : {}),
  });
  const stack = new AuroraImportsStack(app, 'AuroraImports', { config: readDeploymentConfig(app.node), projectRoot });
  return { app, stack };
}

/** `buildStack`, then synthesizes the template for assertions. */
export function synthStack(options: SynthOptions = {}): { app: App; stack: AuroraImportsStack; template: Template } {
  const { app, stack } = buildStack(options);
  return { app, stack, template: Template.fromStack(stack) };
}
