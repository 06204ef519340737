import type { Catalog, TableSpec } from '../shared/catalog/catalog-types.ts';

/** True when an EMR step name matches a catalog `producedBy`: exact, or `*` standing for any run of characters. */
export function producedByMatches(producedBy: string, stepName: string): boolean {
  const pattern = producedBy
    .split('*')
    .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  return new RegExp(`^${pattern}$`).test(stepName);
}

/** The catalog tables an EMR step produces, in catalog order. */
export function tablesProducedBy(catalog: Catalog, stepName: string): TableSpec[] {
  return catalog.tables.filter((table) => producedByMatches(table.producedBy, stepName));
}
