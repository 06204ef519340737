import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import * as eventschemas from 'aws-cdk-lib/aws-eventschemas';
import { Construct } from 'constructs';
import { EventSchemaFileError } from '../errors.ts';

export const SCHEMA_FILE_SUFFIX = '.schema.json';

export interface EventSchemasProps {
  /** `schemas/events/`: one JSON Schema (draft-04) per event. */
  readonly directory: string;
  readonly registryName: string;
  /** Schema names are `<source>@<DetailTypeInPascalCase>`, as EventBridge names discovered schemas. */
  readonly source: string;
}

/**
 * A schema registry with one schema per file found in `schemas/events/` at synth time, so other teams can browse
 * the event contracts and generate code bindings from the console.
 */
export class EventSchemas extends Construct {
  readonly registry: eventschemas.CfnRegistry;
  readonly schemas: eventschemas.CfnSchema[] = [];

  constructor(scope: Construct, id: string, props: EventSchemasProps) {
    super(scope, id);
    this.registry = new eventschemas.CfnRegistry(this, 'Registry', {
      registryName: props.registryName,
      description: 'aurora-imports event contracts (JSON Schema draft-04)',
    });
    for (const file of schemaFiles(props.directory)) {
      const base = path.basename(file, SCHEMA_FILE_SUFFIX);
      const content = readFileSync(file, 'utf8');
      try {
        JSON.parse(content);
      } catch (error) {
        throw new EventSchemaFileError(file, `is not JSON: ${error instanceof Error ? error.message : String(error)}`);
      }
      const name = pascalCase(base);
      this.schemas.push(
        new eventschemas.CfnSchema(this, name, {
          registryName: this.registry.attrRegistryName,
          schemaName: `${props.source}@${name}`,
          type: 'JSONSchemaDraft4',
          content,
          description: `aurora-imports event, from ${path.basename(file)}`,
        }),
      );
    }
  }
}

/** The schema files of a directory, sorted; none when it does not exist yet. */
export function schemaFiles(directory: string): string[] {
  let names: string[];
  try {
    names = readdirSync(directory);
  } catch {
    return [];
  }
  return names
    .filter((name) => name.endsWith(SCHEMA_FILE_SUFFIX))
    .sort()
    .map((name) => path.join(directory, name));
}

function pascalCase(kebab: string): string {
  return kebab
    .split(/[-_.\s]+/)
    .filter((part) => part !== '')
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');
}
