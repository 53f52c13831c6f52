import { tokenOwnerVerdict } from '../../../sync/tokenOwner.ts';
import type { Logger } from 'pino';
import type { ClickUpClient } from '../../../connectors/clickup/index.ts';
import type { ClickUpField } from '../../../connectors/clickup/types.ts';
import type { GridbridgeConfig } from '../../../config/schema.ts';
import { effectiveFieldMappings } from '../../../config/mappingSchema.ts';
import type { CaseRecord } from '../../../core/case.ts';
import { checkMappings, checkUpdateFilter, checkUsers, namesUsers, type MappingRow } from './check.ts';
import { caseFilterVerdict, taskFilterVerdict, type CaseFacts } from './filters.ts';
import { planTaskFields, type TaskFieldPlan } from './plan.ts';
import { assigneesFor, resolveUsers, type Member } from './users.ts';
import type { FieldDefinition, FieldMapping } from './types.ts';

/** A ClickUp field as the pure mapping code sees it. */
export function toDefinition(f: ClickUpField): FieldDefinition {
  return {
    id: f.id,
    name: f.name,
    type: f.type,
    options: (f.type_config?.options ?? []).map((o) => ({
      id: o.id,
      name: o.name ?? null,
      label: o.label ?? null,
      orderindex: (o as { orderindex?: number | string | null }).orderindex ?? null,
    })),
  };
}

/** The lists the config sends cases to. */
export function caseListIds(config: GridbridgeConfig): string[] {
  return [
    ...new Set([
      config.clickup.list_id,
      ...Object.values(config.partners.map)
        .map((m) => m.list_id)
        .filter((x): x is string => !!x),
    ]),
  ];
}

export interface ListReport {
  listId: string;
  rows: MappingRow[];
}

/**
 * The configured mappings at run time: checked against ClickUp at start-up, field
 * definitions re-read after `field_definitions_ttl_seconds` so an option renamed in ClickUp is caught
 * before a write, workspace members for the user map, and the integration user's id.
 */
export class MappingRuntime {
  readonly mappings: FieldMapping[];
  /** Only the mappings of `mapping.fields`: the shorthand ones are applied by the existing code paths. */
  readonly explicit: FieldMapping[];
  integrationUserId: number | null = null;
  private members: Member[] | null = null;
  private readonly defs = new Map<string, { at: number; fields: FieldDefinition[] }>();

  constructor(
    readonly clickup: ClickUpClient,
    readonly config: GridbridgeConfig,
    private readonly now: () => number,
    private readonly logger?: Logger,
  ) {
    this.mappings = effectiveFieldMappings(config);
    this.explicit = this.mappings.filter((m) => m.origin === 'mapping');
  }

  private get m() {
    return this.config.mapping;
  }

  /** Reads the integration user, the members (when users are named) and checks every list; returns the problems. */
  async start(warn: (msg: string) => void = () => undefined): Promise<{ problems: string[]; lists: ListReport[] }> {
    const problems: string[] = [];
    const lists: ListReport[] = [];
    if (this.m.integration_user.ignore_own_changes) {
      const me = await this.clickup.getAuthorizedUser();
      if (me.ok) {
        this.integrationUserId = me.value.id;
        const owner = tokenOwnerVerdict(me.value, this.m);
        if (!owner.ok) warn(owner.detail);
      } else problems.push(`reading the integration user (GET /v2/user) with clickup.token: ${me.error.detail}`);
    }
    if (namesUsers(this.m)) {
      const r = await this.loadMembers();
      if (!r.ok) problems.push(`reading the ClickUp workspace members for mapping.users / mapping.assign: ${r.reason}`);
      else problems.push(...checkUsers(this.m.users, this.m.assign, this.members!).errors);
    }
    for (const listId of caseListIds(this.config)) {
      const fields = await this.clickup.getListFields(listId);
      const list = await this.clickup.getList(listId);
      if (!fields.ok || !list.ok) {
        problems.push(`ClickUp list ${listId}: ${(!fields.ok ? fields.error : !list.ok ? list.error : null)?.detail}`);
        continue;
      }
      const defs = fields.value.map(toDefinition);
      this.defs.set(listId, { at: this.now(), fields: defs });
      // The status shorthand and clickup.fields are checked by the existing start-up checks; here the explicit ones.
      const facts = { listId, fields: defs, statuses: list.value.statuses.map((s) => s.status) };
      const check = checkMappings(this.explicit, facts);
      problems.push(...check.errors);
      if (this.explicit.some((x) => x.tradinggrid === 'status')) for (const w of check.warnings) warn(w);
      problems.push(...checkUpdateFilter(this.m.filters.clickup_updates?.custom_field, listId, defs));
      lists.push({ listId, rows: checkMappings(this.mappings, facts).rows });
    }
    return { problems, lists };
  }

  private async loadMembers(): Promise<{ ok: true } | { ok: false; reason: string }> {
    const r = await this.clickup.listWorkspaceMembers();
    if (!r.ok) return { ok: false, reason: r.error.detail };
    this.members = r.value.map((u) => ({ id: u.id, email: u.email, username: u.username }));
    return { ok: true };
  }

  /** The list's field definitions, re-read when older than the configured TTL. */
  async definitions(
    listId: string,
  ): Promise<{ ok: true; fields: FieldDefinition[] } | { ok: false; reason: string; retryable: boolean }> {
    const ttl = this.m.field_definitions_ttl_seconds * 1000;
    const have = this.defs.get(listId);
    if (have && this.now() - have.at < ttl) return { ok: true, fields: have.fields };
    const r = await this.clickup.getListFields(listId);
    if (!r.ok) return { ok: false, reason: r.error.detail, retryable: r.error.retryable };
    const fields = r.value.map(toDefinition);
    this.defs.set(listId, { at: this.now(), fields });
    return { ok: true, fields };
  }

  /** What the explicit mappings write on a new task of this case (errors stop the create). */
  async planTask(
    listId: string,
    c: CaseRecord,
  ): Promise<{ ok: true; plan: TaskFieldPlan } | { ok: false; reason: string; retryable: boolean }> {
    if (this.explicit.length === 0) return { ok: true, plan: { customFields: [], skipped: [], errors: [] } };
    const needsDefs = this.explicit.some(
      (m) => typeof m.clickup === 'object' && (m.direction === 'to_clickup' || m.direction === 'both'),
    );
    const d = needsDefs ? await this.definitions(listId) : { ok: true as const, fields: [] };
    if (!d.ok) return d;
    return { ok: true, plan: planTaskFields(this.explicit, c, d.fields) };
  }

  /** Assignees of a new case task from `mapping.assign`, resolved through the user map; unknown names are returned, not dropped. */
  async assignees(c: CaseRecord): Promise<{ ids: number[]; unknown: string[] }> {
    const refs = assigneesFor(this.m.assign, { partnerId: c.partnerId, tier: c.partnerTier, kind: c.kind });
    if (refs.length === 0) return { ids: [], unknown: [] };
    if (!this.members) {
      const r = await this.loadMembers();
      if (!r.ok) {
        this.logger?.warn({ reason: r.reason }, 'workspace members not readable; assignees left out');
        return { ids: [], unknown: [...refs] };
      }
    }
    let res = resolveUsers(refs, this.m.users, this.members!);
    if (res.unknown.length > 0 && (await this.loadMembers()).ok) res = resolveUsers(refs, this.m.users, this.members!);
    return res;
  }

  /** A webhook history item made by our own token: never echoed back. */
  isOwnChange(item: { user?: unknown }): boolean {
    if (this.integrationUserId === null) return false;
    const u = item.user as { id?: unknown } | null | undefined;
    return u !== null && typeof u === 'object' && Number(u.id) === this.integrationUserId;
  }

  caseVerdict(c: CaseFacts) {
    return caseFilterVerdict(this.m.filters.cases, c);
  }

  /** Whether this task's changes may reach the partner (reads the task only when a filter needs it). */
  async taskVerdict(
    taskId: string,
    linkedListId: string,
  ): Promise<{ sync: true } | { sync: false; reason: string } | { error: string; retryable: boolean }> {
    const f = this.m.filters.clickup_updates;
    if (!f) return { sync: true };
    const t = await this.clickup.getTask(taskId);
    if (!t.ok) return { error: t.error.detail, retryable: t.error.retryable };
    const task = t.value;
    const listId = task.list?.id ?? linkedListId;
    let field;
    if (f.custom_field) {
      const name = f.custom_field.name.trim().toLowerCase();
      const cf = (task.custom_fields ?? []).find((x) => x.name.trim().toLowerCase() === name);
      if (cf) field = { definition: toDefinition(cf), stored: cf.value };
    }
    return taskFilterVerdict(f, { listId, tags: (task.tags ?? []).map((x) => x.name), field });
  }
}
