import { App } from 'aws-cdk-lib';
import { describe, expect, it } from 'vitest';
import { CONTEXT_PREFIX, readDeploymentConfig } from '../../infra/config.ts';
import { InvalidContextError } from '../../infra/errors.ts';
import { cdkJsonContext, synthStack } from './synth-stack.ts';

function configWith(overrides: Record<string, unknown>) {
  const context = { ...cdkJsonContext() };
  for (const [key, value] of Object.entries(overrides)) {
    if (value === undefined) delete context[CONTEXT_PREFIX + key];
    else context[CONTEXT_PREFIX + key] = value;
  }
  return readDeploymentConfig(new App({ context }).node);
}

describe('deployment context', () => {
  it('cdk.json defaults describe an existing cluster with lightMaxConcurrency 4', () => {
    const config = configWith({});
    expect(config.createDevCluster).toBe(false);
    expect(config.existingDatabase?.privateSubnetIds).toHaveLength(2);
    expect(config.lightMaxConcurrency).toBe(4);
    expect(config.emrStepNames).toBeUndefined();
  });

  it('accepts command-line strings for lists, numbers and booleans', () => {
    const config = configWith({
      privateSubnetIds: 'subnet-a, subnet-b, subnet-c',
      availabilityZones: 'eu-west-1a,eu-west-1b,eu-west-1c',
      lightMaxConcurrency: '12',
      emrServerless: 'true',
      emrStepNames: 'daily-*,hourly-aggregations',
    });
    expect(config.existingDatabase?.privateSubnetIds).toEqual(['subnet-a', 'subnet-b', 'subnet-c']);
    expect(config.lightMaxConcurrency).toBe(12);
    expect(config.emrServerless).toBe(true);
    expect(config.emrStepNames).toEqual(['daily-*', 'hourly-aggregations']);
  });

  it.each([0, 41, '2.5'])('rejects lightMaxConcurrency %s, naming the key', (value) => {
    expect(() => configWith({ lightMaxConcurrency: value })).toThrow(InvalidContextError);
    expect(() => configWith({ lightMaxConcurrency: value })).toThrow(/auroraImports:lightMaxConcurrency/);
  });

  it('requires the existing cluster values unless createDevCluster is set', () => {
    expect(() => configWith({ vpcId: undefined })).toThrow(/context value "auroraImports:vpcId" is required/);
    const dev = configWith({ vpcId: undefined, clusterSecurityGroupId: undefined, createDevCluster: true });
    expect(dev.existingDatabase).toBeUndefined();
  });

  it('rejects mismatched subnets and zones, a non-secret ARN, a bad e-mail, a bad boolean, bad attempts', () => {
    expect(() => configWith({ availabilityZones: ['eu-west-1a'] })).toThrow(/auroraImports:availabilityZones/);
    expect(() => configWith({ dbSecretArn: 'my-secret' })).toThrow(/auroraImports:dbSecretArn/);
    expect(() => configWith({ alarmEmail: 'ops' })).toThrow(/auroraImports:alarmEmail/);
    expect(() => configWith({ createDevCluster: 'yes' })).toThrow(/auroraImports:createDevCluster/);
    expect(() => configWith({ athenaRetryMaxAttempts: { throttling: 0 } })).toThrow(
      /auroraImports:athenaRetryMaxAttempts.throttling" must be an integer >= 1/,
    );
  });

  it('a synth with an invalid value fails before creating anything', () => {
    expect(() => synthStack({ context: { lightMaxConcurrency: 50 } })).toThrow(/between 1 and 40/);
  });
});
