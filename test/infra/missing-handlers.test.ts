import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { App } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuroraImportsStack } from '../../infra/aurora-imports-stack.ts';
import { readDeploymentConfig } from '../../infra/config.ts';
import { FUNCTION_NAMES } from '../../infra/constructs/import-functions.ts';
import { MissingHandlerError } from '../../infra/errors.ts';
import { cdkJsonContext, projectRoot, SYNTH_TIMEOUT_MS } from './synth-stack.ts';

// A project root with everything but the Lambda handlers: infra, schemas and the shared catalog are linked in.
let root: string;
beforeAll(() => {
  root = mkdtempSync(path.join(tmpdir(), 'aurora-imports-no-handlers-'));
  for (const entry of ['infra', 'schemas', 'package-lock.json', 'node_modules']) {
    symlinkSync(path.join(projectRoot, entry), path.join(root, entry));
  }
  mkdirSync(path.join(root, 'functions'));
  symlinkSync(path.join(projectRoot, 'functions', 'shared'), path.join(root, 'functions', 'shared'));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

function stackWithoutHandlers(bundle: boolean) {
  const app = new App({
    context: { ...cdkJsonContext(), ...(bundle ? {} : { 'aws:cdk:bundling-stacks': [] }) },
    outdir: path.join(root, bundle ? 'cdk.out.bundle' : 'cdk.out'),
  });
  return new AuroraImportsStack(app, 'AuroraImports', { config: readDeploymentConfig(app.node), projectRoot: root });
}

describe('Lambda handlers not written yet', { timeout: SYNTH_TIMEOUT_MS }, () => {
  it('a synth that bundles fails, naming the missing handler file', () => {
    expect(() => stackWithoutHandlers(true)).toThrow(MissingHandlerError);
    expect(() => stackWithoutHandlers(true)).toThrow(
      'Lambda handler functions/plan-imports/handler.ts does not exist: cannot bundle plan-imports',
    );
  });

  it('with bundling skipped (unit tests), the stack synthesizes and warns for each missing handler', () => {
    const stack = stackWithoutHandlers(false);
    const warnings = Annotations.fromStack(stack).findWarning(
      '*',
      Match.stringLikeRegexp('functions/.+/handler\\.ts does not exist; bundling is skipped'),
    );
    expect(warnings).toHaveLength(FUNCTION_NAMES.length);
  });
});
