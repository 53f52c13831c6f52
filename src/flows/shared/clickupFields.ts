import type { ClickUpClient } from '../../connectors/clickup/index.ts';
import { coerceFieldValue, findFieldByName } from '../../connectors/clickup/fields.ts';
import type { ClickUpField, CreateTaskBody } from '../../connectors/clickup/types.ts';
import { unwrap } from '../../core/result.ts';

export type FieldNames = Record<string, string | undefined>;

/**
 * ClickUp custom fields by our logical names (partner, issue_type, …), per list. Loaded once per list
 * (a start-up check names every missing field); values are coerced by field type (drop-down → option id).
 */
export class FieldResolver {
  private readonly byList = new Map<string, Map<string, ClickUpField>>();

  constructor(
    readonly client: ClickUpClient,
    private readonly names: FieldNames,
  ) {}

  /** Load a list's fields; returns the problems (missing fields) instead of throwing. */
  async load(listId: string): Promise<string[]> {
    const fields = unwrap(await this.client.getListFields(listId));
    const map = new Map<string, ClickUpField>();
    const problems: string[] = [];
    for (const [logical, name] of Object.entries(this.names)) {
      if (!name) continue;
      const f = findFieldByName(fields, name);
      if (f) map.set(logical, f);
      else
        problems.push(
          `list ${listId} has no custom field named "${name}" (clickup.fields.${logical}); fields there: ${fields.map((x) => x.name).join(', ') || 'none'}`,
        );
    }
    this.byList.set(listId, map);
    return problems;
  }

  /** Drop what was read of a list: the next write loads its fields again. */
  forget(listId: string): void {
    this.byList.delete(listId);
  }

  async ensure(listId: string): Promise<Map<string, ClickUpField>> {
    if (!this.byList.has(listId)) await this.load(listId);
    return this.byList.get(listId)!;
  }

  field(listId: string, logical: string): ClickUpField | undefined {
    return this.byList.get(listId)?.get(logical);
  }

  /** The custom_fields array of a create-task body; a value that does not fit its field is an error naming both. */
  async customFields(
    listId: string,
    values: Record<string, string | number | null>,
  ): Promise<{ ok: true; fields: NonNullable<CreateTaskBody['custom_fields']> } | { ok: false; reason: string }> {
    const map = await this.ensure(listId);
    const out: NonNullable<CreateTaskBody['custom_fields']> = [];
    for (const [logical, value] of Object.entries(values)) {
      if (value === null || value === undefined) continue;
      const f = map.get(logical);
      if (!f) continue;
      const c = coerceFieldValue(f, value);
      if (!c.ok) return { ok: false, reason: c.reason };
      out.push({ id: f.id, value: c.value } as NonNullable<CreateTaskBody['custom_fields']>[number]);
    }
    return { ok: true, fields: out };
  }
}
