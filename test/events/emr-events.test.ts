import { describe, expect, it } from 'vitest';
import { parseEmrEvent } from '../../events/emr-events.ts';
import { MalformedEventError, UnrelatedEventError } from '../../events/errors.ts';
import {
  EMR_SERVERLESS_JOB_SUCCEEDED_PATTERN,
  EMR_STEP_COMPLETED_PATTERN,
  EMR_STEP_FAILED_PATTERN,
  IMPORT_FAILED_PATTERN,
  IMPORT_SUCCEEDED_FOR_TABLE_PATTERN,
  IMPORT_SUCCEEDED_PATTERN,
} from '../../events/event-patterns.ts';
import clusterState from '../../events/samples/emr-cluster-state-change.json' with { type: 'json' };
import serverlessSuccess from '../../events/samples/emr-serverless-job-success.json' with { type: 'json' };
import stepCancelled from '../../events/samples/emr-step-cancelled.json' with { type: 'json' };
import stepCompleted from '../../events/samples/emr-step-completed.json' with { type: 'json' };
import stepFailed from '../../events/samples/emr-step-failed.json' with { type: 'json' };
import importFailed from '../../events/samples/import-failed.json' with { type: 'json' };
import importSucceeded from '../../events/samples/import-succeeded.json' with { type: 'json' };
import { testEventPattern } from '../../local/eventbridge/event-pattern.ts';

describe('parseEmrEvent', () => {
  it('reads a COMPLETED step (starts imports)', () => {
    expect(parseEmrEvent(stepCompleted)).toEqual({
      kind: 'step-completed',
      eventId: stepCompleted.id,
      time: '2026-11-27T11:07:42Z',
      stepId: 's-2AB3CD4EF5GH6',
      stepName: 'hourly-aggregations',
      clusterId: 'j-1K48XXXXXXHCB',
      message: stepCompleted.detail.message,
      severity: 'INFO',
      actionOnFailure: 'CONTINUE',
    });
  });

  it('reads FAILED and CANCELLED steps (reported, not imported) and in-progress states', () => {
    expect(parseEmrEvent(stepFailed)).toMatchObject({
      kind: 'step-failed',
      stepId: 's-3BC4DE5FG6HI7',
      severity: 'ERROR',
    });
    expect(parseEmrEvent(stepCancelled)).toMatchObject({ kind: 'step-cancelled', stepId: 's-4CD5EF6GH7IJ8' });
    const running = { ...stepCompleted, detail: { ...stepCompleted.detail, state: 'RUNNING' } };
    expect(parseEmrEvent(running)).toMatchObject({ kind: 'step-in-progress', state: 'RUNNING' });
  });

  it('decodes the JSON string stateChangeReason of a Cluster State Change', () => {
    expect(parseEmrEvent(clusterState)).toEqual({
      kind: 'cluster-state',
      eventId: clusterState.id,
      time: '2026-11-27T11:30:00Z',
      clusterId: 'j-1K48XXXXXXHCB',
      clusterName: 'aggregations',
      state: 'TERMINATED',
      stateChangeReason: { code: 'ALL_STEPS_COMPLETED', message: 'Steps completed' },
      message: clusterState.detail.message,
      severity: 'INFO',
    });
  });

  it('reads an EMR Serverless SUCCESS and other job states', () => {
    expect(parseEmrEvent(serverlessSuccess)).toEqual({
      kind: 'serverless-job-succeeded',
      eventId: serverlessSuccess.id,
      time: '2026-11-27T11:16:31Z',
      applicationId: '00f1982r1uukb925',
      jobRunId: '00f1cbsc6anuij25',
      jobName: 'hourly-aggregations',
      arn: serverlessSuccess.detail.arn,
    });
    const failed = { ...serverlessSuccess, detail: { ...serverlessSuccess.detail, state: 'FAILED' } };
    expect(parseEmrEvent(failed)).toMatchObject({ kind: 'serverless-job-state', state: 'FAILED' });
  });

  it('rejects unrelated events with the reason', () => {
    expect(() => parseEmrEvent('text')).toThrow(UnrelatedEventError);
    expect(() => parseEmrEvent({ ...stepCompleted, source: 'aws.elasticmapreduce' })).toThrow(/CloudTrail API event/);
    expect(() => parseEmrEvent(importSucceeded)).toThrow(
      "source 'aurora-imports' with detail-type 'Import Succeeded' is not an EMR step, cluster or Serverless job run event",
    );
  });

  it('rejects malformed EMR events naming the field', () => {
    const noStepId = { ...stepCompleted, detail: { ...stepCompleted.detail, stepId: undefined } };
    expect(() => parseEmrEvent(noStepId)).toThrow(MalformedEventError);
    expect(() => parseEmrEvent(noStepId)).toThrow(
      `EMR Step Status Change event ${stepCompleted.id}: detail.stepId must be a non-empty string, got nothing`,
    );
    const badState = { ...stepCompleted, detail: { ...stepCompleted.detail, state: 'DONE' } };
    expect(() => parseEmrEvent(badState)).toThrow(/detail\.state 'DONE' is not one of/);
    const badReason = { ...clusterState, detail: { ...clusterState.detail, stateChangeReason: { code: 'X' } } };
    expect(() => parseEmrEvent(badReason)).toThrow(/stateChangeReason must be a JSON string, got object/);
    const noDetail = { ...stepCompleted, detail: 'x' };
    expect(() => parseEmrEvent(noDetail)).toThrow(/detail must be an object/);
  });
});

describe('exported rule patterns', () => {
  it('match the samples they are meant for, and only those', () => {
    const stepRule = EMR_STEP_COMPLETED_PATTERN(['hourly-aggregations', 'daily-*']);
    expect(testEventPattern(stepRule, stepCompleted)).toBe(true);
    expect(testEventPattern(stepRule, stepFailed)).toBe(false);
    const renamed = { ...stepCompleted, detail: { ...stepCompleted.detail, name: 'daily-rollup' } };
    expect(testEventPattern(stepRule, renamed)).toBe(true);
    expect(testEventPattern(EMR_STEP_COMPLETED_PATTERN(['other']), stepCompleted)).toBe(false);
    expect(testEventPattern(EMR_STEP_FAILED_PATTERN(['hourly-aggregations']), stepFailed)).toBe(true);
    expect(testEventPattern(EMR_STEP_FAILED_PATTERN(['hourly-aggregations']), stepCancelled)).toBe(true);
    expect(testEventPattern(EMR_SERVERLESS_JOB_SUCCEEDED_PATTERN, serverlessSuccess)).toBe(true);
    expect(testEventPattern(IMPORT_SUCCEEDED_PATTERN, importSucceeded)).toBe(true);
    expect(testEventPattern(IMPORT_SUCCEEDED_PATTERN, importFailed)).toBe(false);
    expect(testEventPattern(IMPORT_FAILED_PATTERN, importFailed)).toBe(true);
    expect(testEventPattern(IMPORT_SUCCEEDED_FOR_TABLE_PATTERN('show_plays_hourly'), importSucceeded)).toBe(true);
    expect(testEventPattern(IMPORT_SUCCEEDED_FOR_TABLE_PATTERN('other'), importSucceeded)).toBe(false);
  });

  it('refuse an empty step-name list', () => {
    expect(() => EMR_STEP_COMPLETED_PATTERN([])).toThrow(/at least one step name/);
  });
});
