import { type Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';

/** Units our metrics use. */
export type MetricUnitName = 'Count' | 'Milliseconds' | 'Bytes';

/**
 * Where the functions' metrics go: CloudWatch (EMF through Powertools) in AWS, memory locally and in tests.
 * Each metric carries its own small set of dimensions (CloudWatch allows 30; we use one or two, so costs stay flat).
 */
export interface MetricsSink {
  add(name: string, unit: MetricUnitName, value: number, dimensions?: Readonly<Record<string, string>>): void;
  /** Sends what was added (Powertools: one EMF blob per dimension set). */
  flush(): void;
}

const UNITS: Record<MetricUnitName, (typeof MetricUnit)[keyof typeof MetricUnit]> = {
  Count: MetricUnit.Count,
  Milliseconds: MetricUnit.Milliseconds,
  Bytes: MetricUnit.Bytes,
};

/** Powertools Metrics: metrics with dimensions go out as single metrics, so dimension sets never mix. */
export class PowertoolsMetricsSink implements MetricsSink {
  readonly #metrics: Metrics;

  constructor(metrics: Metrics) {
    this.#metrics = metrics;
  }

  add(name: string, unit: MetricUnitName, value: number, dimensions?: Readonly<Record<string, string>>): void {
    if (!dimensions || Object.keys(dimensions).length === 0) {
      this.#metrics.addMetric(name, UNITS[unit], value);
      return;
    }
    const single = this.#metrics.singleMetric();
    for (const [key, dimensionValue] of Object.entries(dimensions)) single.addDimension(key, dimensionValue);
    single.addMetric(name, UNITS[unit], value);
  }

  flush(): void {
    this.#metrics.publishStoredMetrics();
  }
}

export interface RecordedMetric {
  readonly name: string;
  readonly unit: MetricUnitName;
  readonly value: number;
  readonly dimensions: Readonly<Record<string, string>>;
}

/** Keeps metrics in memory: the local runtime shows them, tests assert on them. */
export class MemoryMetricsSink implements MetricsSink {
  readonly recorded: RecordedMetric[] = [];

  add(name: string, unit: MetricUnitName, value: number, dimensions: Readonly<Record<string, string>> = {}): void {
    this.recorded.push({ name, unit, value, dimensions });
  }

  flush(): void {}

  /** Sum of a metric's values, optionally only where the given dimensions match. */
  total(name: string, dimensions: Readonly<Record<string, string>> = {}): number {
    return this.recorded
      .filter((metric) => metric.name === name)
      .filter((metric) => Object.entries(dimensions).every(([key, value]) => metric.dimensions[key] === value))
      .reduce((sum, metric) => sum + metric.value, 0);
  }
}
