import type { GridbridgeConfig } from '../../../config/schema.ts';
import { effectiveFieldMappings, targetKey } from '../../../config/mappingSchema.ts';
import type { ClickUpField } from '../../../connectors/clickup/types.ts';
import { checkMappings, type MappingRow } from './check.ts';
import type { FieldDefinition } from './types.ts';
import { toDefinition } from './runtime.ts';

/**
 * `clickup.fields` minus the custom fields an explicit mapping writes (the mapping decides their value);
 * the TG case id field always stays (it finds a task again after a crash).
 */
export function logicalFieldNames(config: GridbridgeConfig): Record<string, string | undefined> {
  const targeted = new Set(
    config.mapping.fields
      .filter((m) => m.direction === 'to_clickup' || m.direction === 'both')
      .map((m) => targetKey(m.clickup)),
  );
  return Object.fromEntries(
    Object.entries(config.clickup.fields).filter(
      ([logical, name]) => logical === 'tg_case_id' || !name || !targeted.has(targetKey({ custom_field: name })),
    ),
  );
}

export interface EffectiveMapping {
  fields: Array<
    MappingRow & { values_map: unknown; owner: string; unmapped: { to_clickup: unknown; to_tradinggrid: unknown } }
  >;
  problems: string[];
  users: GridbridgeConfig['mapping']['users'];
  assign: GridbridgeConfig['mapping']['assign'];
  filters: GridbridgeConfig['mapping']['filters'];
  integration_user: GridbridgeConfig['mapping']['integration_user'] & { user_id?: number | null };
}

/**
 * The mapping in force, as JSON for the console (read-only): every field mapping with its ClickUp field
 * type and whether it fits the list (`listFields`: GET /v2/list/{id}/field of the case list), the user
 * map, assignment rules, filters and the integration user.
 */
export function describeEffectiveMapping(
  config: GridbridgeConfig,
  listFields: readonly (ClickUpField | FieldDefinition)[],
  opts: { statuses?: readonly string[]; integrationUserId?: number | null } = {},
): EffectiveMapping {
  const defs = listFields.map((f) => ('type_config' in f ? toDefinition(f) : (f as FieldDefinition)));
  const mappings = effectiveFieldMappings(config);
  // Without the list's statuses the status check has nothing to compare: use the ones the map names.
  const statuses = opts.statuses ?? Object.keys(config.clickup.status_map);
  const check = checkMappings(mappings, { listId: config.clickup.list_id, fields: defs, statuses });
  return {
    fields: check.rows.map((r, i) => {
      const m = mappings[i]!;
      return {
        ...r,
        values_map: m.values ?? null,
        owner: m.owner,
        unmapped: { to_clickup: m.unmapped_to_clickup, to_tradinggrid: m.unmapped_to_tradinggrid },
      };
    }),
    problems: check.errors,
    users: config.mapping.users,
    assign: config.mapping.assign,
    filters: config.mapping.filters,
    integration_user: {
      ...config.mapping.integration_user,
      ...(opts.integrationUserId !== undefined ? { user_id: opts.integrationUserId } : {}),
    },
  };
}
