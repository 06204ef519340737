/**
 * Per-transition overhead of the local Step Functions engine, next to the same work as plain JavaScript calls.
 * Run: npm run bench:engine   (npx tsx bench/engine.bench.ts)
 */
import { StepFunctionsEngine } from '../local/stepfunctions/index.ts';

const ROUNDS = 5;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

async function time(fn: () => Promise<unknown> | unknown): Promise<number> {
  const samples: number[] = [];
  await fn(); // warm-up
  for (let i = 0; i < ROUNDS; i++) {
    const start = process.hrtime.bigint();
    await fn();
    samples.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  return median(samples);
}

const engine = new StepFunctionsEngine({ maxHistoryEvents: Number.POSITIVE_INFINITY });

// 1. A Map of 10,000 Pass items (40 at a time, AWS's inline limit).
// Small items: the input and the Map's result must stay under the 256 KiB payload limit, as on AWS.
const ITEMS = Array.from({ length: 10_000 }, (_, i) => i);
const mapArn = engine.createStateMachine({
  name: 'map-10k-pass',
  definition: {
    StartAt: 'Map',
    States: {
      Map: {
        Type: 'Map',
        ItemsPath: '$.items',
        ItemProcessor: {
          StartAt: 'Item',
          States: { Item: { Type: 'Pass', Parameters: { 'n.$': '$', ok: 1 }, End: true } },
        },
        End: true,
      },
    },
  },
});

// 2. A 1,000-step Choice/Pass loop (2,000 transitions), in JSONPath and in JSONata.
const loopPathArn = engine.createStateMachine({
  name: 'loop-jsonpath',
  definition: {
    StartAt: 'Check',
    States: {
      Check: { Type: 'Choice', Choices: [{ Variable: '$.i', NumericLessThan: 1000, Next: 'Step' }], Default: 'Done' },
      Step: { Type: 'Pass', Parameters: { 'i.$': 'States.MathAdd($.i, 1)' }, Next: 'Check' },
      Done: { Type: 'Succeed' },
    },
  },
});
const loopJsonataArn = engine.createStateMachine({
  name: 'loop-jsonata',
  definition: {
    QueryLanguage: 'JSONata',
    StartAt: 'Check',
    States: {
      Check: {
        Type: 'Choice',
        Choices: [{ Condition: '{% $states.input.i < 1000 %}', Next: 'Step' }],
        Default: 'Done',
      },
      Step: { Type: 'Pass', Output: { i: '{% $states.input.i + 1 %}' }, Next: 'Check' },
      Done: { Type: 'Succeed' },
    },
  },
});

async function execute(arn: string, input: unknown): Promise<number> {
  const execution = engine.startExecution({ stateMachineArn: arn, input });
  const result = await execution.done;
  if (result.status !== 'SUCCEEDED') throw new Error(`${arn}: ${result.status} ${result.error} ${result.cause}`);
  return execution.history.filter((e) => e.type.endsWith('StateEntered')).length;
}

// Plain JavaScript doing the same work: one function call per item / step.
function passItem(n: number) {
  return { n, ok: 1 };
}
async function plainMap() {
  const out = new Array(ITEMS.length);
  for (let i = 0; i < ITEMS.length; i++) out[i] = await passItem(ITEMS[i] as number);
  return out;
}
const check = (s: { i: number }) => s.i < 1000;
const step = (s: { i: number }) => ({ i: s.i + 1 });
async function plainLoop() {
  let state = { i: 0 };
  while (await check(state)) state = await step(state);
  return state;
}

const rows: { name: string; transitions: number; engineMs: number; plainMs: number }[] = [];
const mapTransitions = await execute(mapArn, { items: ITEMS });
rows.push({
  name: 'Map of 10,000 Pass items',
  transitions: mapTransitions,
  engineMs: await time(() => execute(mapArn, { items: ITEMS })),
  plainMs: await time(plainMap),
});
const loopTransitions = await execute(loopPathArn, { i: 0 });
rows.push({
  name: '1,000-step Choice/Pass loop (JSONPath)',
  transitions: loopTransitions,
  engineMs: await time(() => execute(loopPathArn, { i: 0 })),
  plainMs: await time(plainLoop),
});
const loopJsonataTransitions = await execute(loopJsonataArn, { i: 0 });
rows.push({
  name: '1,000-step Choice/Pass loop (JSONata)',
  transitions: loopJsonataTransitions,
  engineMs: await time(() => execute(loopJsonataArn, { i: 0 })),
  plainMs: await time(plainLoop),
});

console.log(`Local Step Functions engine, median of ${ROUNDS} runs after a warm-up (Node ${process.version})\n`);
console.log('| workload | transitions | engine ms | µs / transition | transitions / s | plain JS ms | ratio |');
console.log('|---|---:|---:|---:|---:|---:|---:|');
for (const r of rows) {
  const perTransition = (r.engineMs * 1000) / r.transitions;
  console.log(
    `| ${r.name} | ${r.transitions.toLocaleString('en-US')} | ${r.engineMs.toFixed(1)} | ${perTransition.toFixed(1)} | ${Math.round((r.transitions / r.engineMs) * 1000).toLocaleString('en-US')} | ${r.plainMs.toFixed(2)} | ${Math.round(r.engineMs / r.plainMs).toLocaleString('en-US')}× |`,
  );
}
