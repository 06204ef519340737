import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { type App, Validations } from 'aws-cdk-lib';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { afterAll, describe, expect, it } from 'vitest';
import { buildStack, SYNTH_TIMEOUT_MS } from './synth-stack.ts';

const outdirs: string[] = [];
afterAll(() => {
  for (const dir of outdirs) rmSync(dir, { recursive: true, force: true });
});
function outdir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'aurora-imports-nag-'));
  outdirs.push(dir);
  return dir;
}

function findings(app: App): string[] {
  return new AwsSolutionsChecks()
    .validateScope(app)
    .violations.flatMap((violation) =>
      violation.violatingResources.map((resource) => `${violation.ruleName} at ${resource.constructPath}`),
    );
}

function acknowledgements(root: IConstruct): { path: string; id: string; reason: string }[] {
  return root.node.findAll().flatMap((construct) =>
    construct.node.metadata
      .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((entry) =>
        Object.entries(entry.data as Record<string, string>).map(([id, reason]) => ({
          path: construct.node.path,
          id,
          reason,
        })),
      ),
  );
}

describe('cdk-nag AwsSolutionsChecks', { timeout: SYNTH_TIMEOUT_MS }, () => {
  it.each([
    ['an existing cluster (cdk.json)', {}],
    [
      'a dev cluster and every option',
      {
        createDevCluster: true,
        emrServerless: true,
        alarmEmail: 'ops@example.com',
        lakeFormation: true,
        dbProxyEndpoint: 'proxy.example',
      },
    ],
  ])('has zero unacknowledged findings with %s', (_label, context) => {
    const { app } = buildStack({ context, outdir: outdir() });
    expect(findings(app)).toEqual([]);
  });

  it('every acknowledgement carries a reason', () => {
    const { app } = buildStack({ outdir: outdir() });
    const all = acknowledgements(app);
    expect(all.length).toBeGreaterThan(10);
    for (const { path: at, id, reason } of all) {
      expect(id, at).toMatch(/AwsSolutions-|@aws-cdk\/aws-ec2:noSubnetRouteTableId/);
      expect(reason.length, `${id} at ${at}`).toBeGreaterThan(30);
    }
  });

  // validateScope above is what the plugin's validate() runs; this checks the wiring infra/app.ts relies on.
  it('as a synthesis plugin (as infra/app.ts registers it), an unacknowledged finding stops the synth', () => {
    const dirty = buildStack({ outdir: outdir() });
    new sqs.Queue(dirty.stack, 'UnencryptedQueue', { encryption: sqs.QueueEncryption.UNENCRYPTED });
    Validations.of(dirty.app).addPlugins(new AwsSolutionsChecks(dirty.app));
    expect(() => dirty.app.synth()).toThrow(/SQS Queue does not have server-side encryption/);
    expect(findings(dirty.app).join('\n')).toMatch(/AwsSolutions-SQS\d at AuroraImports\/UnencryptedQueue/);
  });
});
