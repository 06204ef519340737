import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_CATALOG_PATH } from '../../infra/config.ts';
import { bundlingOptions } from '../../infra/constructs/import-functions.ts';
import { projectRoot, SYNTH_TIMEOUT_MS } from './synth-stack.ts';

// Inside the checkout (cdk.out is ignored) so the bundle resolves the external @aws-sdk/* from node_modules, as the
// Lambda runtime would from its own copy.
const outdir = path.join(projectRoot, 'cdk.out', `bundling-test-${process.pid}`);
const catalogFile = path.join(projectRoot, DEFAULT_CATALOG_PATH);

describe('bundling one function for real (esbuild, as cdk synth does)', { timeout: SYNTH_TIMEOUT_MS }, () => {
  let bundleDir: string;

  beforeAll(() => {
    const app = new App({ outdir });
    const stack = new Stack(app, 'BundlingTest');
    new nodejs.NodejsFunction(stack, 'S3ImportToAurora', {
      entry: path.join(projectRoot, 'functions', 's3-import-to-aurora', 'handler.ts'),
      handler: 'handler',
      runtime: lambda.Runtime.NODEJS_22_X,
      architecture: lambda.Architecture.ARM_64,
      projectRoot,
      depsLockFilePath: path.join(projectRoot, 'package-lock.json'),
      bundling: bundlingOptions(catalogFile),
    });
    const template = Template.fromStack(stack);
    const code = Object.values(template.findResources('AWS::Lambda::Function'))[0]?.Properties.Code as {
      S3Key: string;
    };
    bundleDir = path.join(outdir, `asset.${code.S3Key.replace(/\.zip$/, '')}`);
  }, SYNTH_TIMEOUT_MS);

  afterAll(() => rmSync(outdir, { recursive: true, force: true }));

  it('produces an ESM bundle with its source map and the catalog', () => {
    expect(readdirSync(bundleDir).sort()).toEqual(['catalog.json', 'index.mjs', 'index.mjs.map']);
    expect(readFileSync(path.join(bundleDir, 'catalog.json'), 'utf8')).toBe(readFileSync(catalogFile, 'utf8'));
    const bundle = readFileSync(path.join(bundleDir, 'index.mjs'), 'utf8');
    expect(bundle.startsWith('import { createRequire as __createRequire }')).toBe(true);
    // pg is bundled (not left as an import the runtime cannot satisfy); the AWS SDK stays external.
    expect(bundle).not.toMatch(/from\s*["']pg["']/);
    expect(existsSync(path.join(bundleDir, 'node_modules'))).toBe(false);
  });

  it('loads in Node.js and exports the handler', async () => {
    const module = (await import(pathToFileURL(path.join(bundleDir, 'index.mjs')).href)) as { handler?: unknown };
    expect(typeof module.handler).toBe('function');
  });
});
