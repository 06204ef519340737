/** A function got a payload it cannot use: a bug in the caller (our state machine), never retried. */
export class InvalidPayloadError extends Error {
  override readonly name = 'InvalidPayloadError';
}

/** Narrows a payload to an object, or says which function got what. */
export function payloadObject(payload: unknown, functionName: string): Record<string, unknown> {
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) {
    throw new InvalidPayloadError(`${functionName}: payload must be a JSON object, got ${JSON.stringify(payload)}`);
  }
  return payload as Record<string, unknown>;
}

export function requiredString(payload: Record<string, unknown>, field: string, functionName: string): string {
  const value = payload[field];
  if (typeof value !== 'string' || value === '') {
    throw new InvalidPayloadError(
      `${functionName}: field '${field}' must be a non-empty string, got ${JSON.stringify(value)}`,
    );
  }
  return value;
}

export function optionalString(payload: Record<string, unknown>, field: string, functionName: string): string | null {
  const value = payload[field];
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string') {
    throw new InvalidPayloadError(
      `${functionName}: field '${field}' must be a string or null, got ${JSON.stringify(value)}`,
    );
  }
  return value;
}

export function requiredInteger(payload: Record<string, unknown>, field: string, functionName: string): number {
  const value = payload[field];
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    throw new InvalidPayloadError(`${functionName}: field '${field}' must be an integer, got ${JSON.stringify(value)}`);
  }
  return value;
}

export function optionalBoolean(payload: Record<string, unknown>, field: string, functionName: string): boolean {
  const value = payload[field];
  if (value === undefined || value === null) return false;
  if (typeof value !== 'boolean') {
    throw new InvalidPayloadError(`${functionName}: field '${field}' must be a boolean, got ${JSON.stringify(value)}`);
  }
  return value;
}
