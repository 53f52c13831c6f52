import type { Transaction } from 'kysely';
import type { Database } from '../../store/schema.ts';
import type { SyncContext } from '../../sync/context.ts';
import type { TypedJobHandler } from '../../sync/flowModule.ts';
import type { JobOutcome } from '../../sync/dispatcher.ts';
import type { CaseRecord } from '../../core/case.ts';
import type { IncomingDocument } from '../../core/intake.ts';
import type { ClickUpWebhookEvent, UpdateTaskBody } from '../../connectors/clickup/types.ts';
import type { CaseFieldsInput } from '../../connectors/tradinggrid/port.ts';
import { CASE_KINDS } from '../../connectors/tradinggrid/events.ts';
import { checked, newJob, type Job, type JobPayload } from '../catalogue.ts';
import { getCase } from '../../store/ops/cases.ts';
import { getLink } from '../../store/ops/links.ts';
import { appendAudit } from '../../store/ops/audit.ts';
import { enqueueJobs } from '../../store/ops/enqueueJobs.ts';
import { getFieldMemory, rememberField } from '../../store/ops/fieldMemory.ts';
import { setCaseSlaDueAt } from '../../store/ops/setCaseSlaDueAt.ts';
import { outcomeFromRemote } from '../../sync/outcome.ts';
import { effectiveFieldMappings, targetKey } from '../../config/mappingSchema.ts';
import { caseTaskDraft, incomingOf } from '../01-case-intake/decisions/caseIntake.ts';
import { tradingGridFieldValue } from '../01-case-intake/mapping/caseValues.ts';
import { fromClickUpFieldValue } from '../01-case-intake/mapping/customFieldValue.ts';
import { planTaskFields, PRIORITY_NAMES } from '../01-case-intake/mapping/plan.ts';
import { toDefinition } from '../01-case-intake/mapping/runtime.ts';
import { toTradingGridValue } from '../01-case-intake/mapping/values.ts';
import {
  mappingLabel,
  TG_WRITABLE_FIELDS,
  type FieldMapping,
  type LogicalValue,
} from '../01-case-intake/mapping/types.ts';
import { partnerRoute } from '../../channels/partner-email/route.ts';
import { shareField } from '../../core/sharing/rules.ts';
import { sharingRulesOf } from '../../config/sharingSchema.ts';
import { sideStamp } from '../shared/sideStamp.ts';
import { changedFields, decideFieldEdit, type EditDecision, type EditPolicy } from './decisions/fieldEdits.ts';
import type { Side } from './decisions/editDirection.ts';

type HistoryItem = NonNullable<ClickUpWebhookEvent['history_items']>[number];

/**
 * One field of a linked case that edits keep in step: a task field the bridge derives from the case (name,
 * description, priority, a `clickup.fields` custom field; Trading Grid → ClickUp only), or a mapping of
 * `mapping.fields` with its own direction.
 */
export interface EditEntry {
  key: string;
  label: string;
  policy: EditPolicy;
  target:
    /** `mapping`: `mapping.fields` maps the case's title to the task's name (its description to the description). */
    | { kind: 'name' | 'description'; mapping?: FieldMapping }
    | { kind: 'priority' | 'due' }
    | { kind: 'field'; logical: string; fieldName: string }
    | { kind: 'mapping'; mapping: FieldMapping };
}

const DERIVED: EditPolicy = { owner: 'tradinggrid', direction: 'to_clickup' };
const MEMORY = (key: string) => `edit:${key}`;
const norm = (s: string) =>
  s
    .trim()
    .toLowerCase()
    .replace(/[_\s]+/g, ' ');
/** The canonical form two sides' values are compared in (names compare case- and space-insensitively). */
export function canonical(v: LogicalValue | undefined): string {
  if (v === undefined || v === null) return 'null';
  if (typeof v === 'string') return JSON.stringify(norm(v));
  if (Array.isArray(v)) return JSON.stringify(v.map(norm).sort());
  return JSON.stringify(v);
}

/** The synced fields of a case task under the config in force. */
export function editEntries(ctx: SyncContext): EditEntry[] {
  const mappings = effectiveFieldMappings(ctx.config).filter((m) => m.tradinggrid !== 'status');
  const explicit = mappings.filter((m) => m.origin === 'mapping');
  const standard = (kind: 'name' | 'description', label: string): EditEntry => {
    const m = explicit.find((x) => x.clickup === kind);
    return m
      ? {
          key: kind,
          label: `${mappingLabel(m)} (mapping.fields)`,
          policy: { owner: m.owner, direction: m.direction },
          target: { kind, mapping: m },
        }
      : { key: kind, label, policy: DERIVED, target: { kind } };
  };
  const out: EditEntry[] = [standard('name', 'task name'), standard('description', 'task description')];
  if (!explicit.some((m) => m.clickup === 'priority'))
    out.push({ key: 'priority', label: 'task priority', policy: DERIVED, target: { kind: 'priority' } });
  // The SLA due date: it moves when the partner reclassifies an open case (the intake decides it again).
  if (!explicit.some((m) => m.clickup === 'due_date'))
    out.push({ key: 'due', label: 'task due date', policy: DERIVED, target: { kind: 'due' } });
  const targeted = new Set(explicit.map((m) => targetKey(m.clickup)));
  const names = ctx.config.clickup.fields as Record<string, string | undefined>;
  for (const [logical, fieldName] of Object.entries(names)) {
    // The case id field is how a task is found again: it never changes.
    if (!fieldName || logical === 'tg_case_id' || targeted.has(targetKey({ custom_field: fieldName }))) continue;
    out.push({
      key: `field:${logical}`,
      label: `custom field "${fieldName}" (clickup.fields.${logical})`,
      policy: DERIVED,
      target: { kind: 'field', logical, fieldName },
    });
  }
  for (const m of explicit.filter((x) => x.clickup !== 'name' && x.clickup !== 'description'))
    out.push({
      key: `map:${m.tradinggrid}:${targetKey(m.clickup)}`,
      label: `${mappingLabel(m)} (mapping.fields)`,
      policy: { owner: m.owner, direction: m.direction },
      target: { kind: 'mapping', mapping: m },
    });
  return out;
}

/** What each synced field of the task should hold for this state of the case (canonical values). */
export function taskView(
  c: CaseRecord,
  documents: readonly IncomingDocument[],
  entries: readonly EditEntry[],
  caseUrl: ((caseId: string) => string) | undefined,
): Record<string, string> {
  const draft = caseTaskDraft(incomingOf(c), {
    partnerName: c.partnerName,
    tier: c.partnerTier,
    slaDueAt: c.slaDueAt,
    documents,
    caseUrl,
  });
  const out: Record<string, string> = {};
  for (const e of entries) {
    const t = e.target;
    // A mapped name or description compares as the case holds it (title, description): what a person edits.
    if (t.kind === 'name') out[e.key] = JSON.stringify(t.mapping ? c.title.trim() : draft.name);
    else if (t.kind === 'description') out[e.key] = JSON.stringify(t.mapping ? c.description.trim() : draft.markdown);
    else if (t.kind === 'priority') out[e.key] = String(draft.priority);
    else if (t.kind === 'due') out[e.key] = String(draft.dueAt);
    else if (t.kind === 'field') out[e.key] = canonical(draft.fields[t.logical] ?? null);
    else if (t.kind === 'mapping') out[e.key] = canonical(tradingGridFieldValue(c, t.mapping.tradinggrid));
  }
  return out;
}

const verdictNote = (e: EditEntry, d: EditDecision, side: Side) => ({
  field: e.label,
  winner: d.action === 'conflict_won' ? side : d.action === 'conflict_lost' ? d.winner : undefined,
});

/**
 * A partner edit of a linked case (flow 1 read it again): the task fields whose value the edit changed are
 * decided one by one (direction, the newer side wins), and those that go to ClickUp become one
 * `clickup.update_case_fields` job. Null when the edit changed nothing the task shows.
 */
export async function partnerEditsToTask(
  ctx: SyncContext,
  before: CaseRecord,
  after: CaseRecord,
  documents: readonly IncomingDocument[],
  at: number,
  caseUrl: ((caseId: string) => string) | undefined,
): Promise<((trx: Transaction<Database>) => Promise<void>) | null> {
  const entries = editEntries(ctx);
  const was = taskView(before, documents, entries, caseUrl);
  const now = taskView(after, documents, entries, caseUrl);
  const changed = changedFields(was, now);
  // A mapped description compares by the partner's text; the table below it follows the case all the same.
  const draftOf = (c: CaseRecord) =>
    caseTaskDraft(incomingOf(c), {
      partnerName: c.partnerName,
      tier: c.partnerTier,
      slaDueAt: c.slaDueAt,
      documents,
      caseUrl,
    });
  const mappedDescription = entries.some((e) => e.target.kind === 'description' && e.target.mapping);
  const tableOnly =
    mappedDescription && !changed.includes('description') && draftOf(before).markdown !== draftOf(after).markdown;
  if (changed.length === 0 && !tableOnly) return null;
  const byKey = new Map(entries.map((e) => [e.key, e]));
  const remember: Array<{ key: string; value: string; at: number }> = [];
  const audits: Array<{ action: string; after: unknown }> = [];
  const copy: string[] = [];
  for (const key of changed) {
    const e = byKey.get(key)!;
    const memory = await getFieldMemory(ctx.store.db, 'case', after.id, MEMORY(key));
    const d = decideFieldEdit({ side: 'tradinggrid', value: now[key]!, at }, memory, was[key]!, e.policy);
    if (d.action === 'copy' || d.action === 'conflict_won') {
      copy.push(key);
      remember.push({ key, value: d.value, at: d.at });
    } else if (d.remember) remember.push({ key, ...d.remember });
    if (d.action === 'conflict_won' || d.action === 'conflict_lost')
      audits.push({ action: 'field_conflict', after: { ...verdictNote(e, d, 'tradinggrid'), resolved: 'newer wins' } });
  }
  const writes: JobPayload<'clickup.update_case_fields'>['writes'] = {};
  const draft = draftOf(after);
  if (tableOnly) copy.push('description');
  if (copy.includes('name')) writes.name = draft.name;
  if (copy.includes('description')) writes.markdown = draft.markdown;
  if (copy.includes('priority')) writes.priority = draft.priority;
  if (copy.includes('due') && draft.dueAt !== null) writes.dueAt = draft.dueAt;
  const fieldKeys = copy.filter((k) => k.startsWith('field:') || k.startsWith('map:'));
  const jobs: Job[] = [];
  if (copy.length > 0)
    jobs.push(
      newJob(
        'clickup.update_case_fields',
        {
          caseId: after.id,
          at,
          writes,
          fields: fieldKeys,
          remember: Object.fromEntries(copy.map((k) => [k, now[k]!])),
        },
        { key: `cu.update_case_fields:${after.id}:${at}:${copy.join(',')}`, queueKey: `case:${after.id}` },
      ),
    );
  const slaMoved = after.slaDueAt !== null && after.slaDueAt !== before.slaDueAt ? after.slaDueAt : null;
  return async (trx) => {
    if (slaMoved !== null) await setCaseSlaDueAt(trx, after.id, slaMoved, ctx.now());
    for (const r of remember)
      await rememberField(trx, 'case', after.id, MEMORY(r.key), 'tradinggrid', { value: r.value, at: r.at });
    for (const a of audits)
      await appendAudit(
        trx,
        { actor: 'gridbridge', entity: 'case', entityId: after.id, action: a.action, after: a.after },
        ctx.now(),
      );
    await enqueueJobs(trx, checked(jobs), ctx.now(), ctx.config.dispatcher.max_attempts);
  };
}

/** `clickup.update_case_fields`: the task fields a partner edit changed, in one task update plus one call per custom field. */
export function updateCaseFieldsHandler(ctx: SyncContext): TypedJobHandler<JobPayload<'clickup.update_case_fields'>> {
  return async ({ payload: p }) => {
    const link = await getLink(ctx.store.db, 'case', p.caseId);
    const rec = await getCase(ctx.store.db, p.caseId);
    if (!link || !rec) return { status: 'done' };
    const entries = new Map(editEntries(ctx).map((e) => [e.key, e]));
    const skipped: string[] = [];
    // Custom field values as the case holds them now (a later edit already in the record is the one to show).
    const custom: Array<{ id: string; value: unknown; label: string }> = [];
    const legacy: Record<string, string | number | null> = {};
    const draft = caseTaskDraft(incomingOf(rec), {
      partnerName: rec.partnerName,
      tier: rec.partnerTier,
      slaDueAt: rec.slaDueAt,
      documents: [],
    });
    const mappings: FieldMapping[] = [];
    for (const key of p.fields) {
      const e = entries.get(key);
      if (!e) skipped.push(`${key}: no longer mapped`);
      else if (e.target.kind === 'field') legacy[e.target.logical] = draft.fields[e.target.logical] ?? null;
      else if (e.target.kind === 'mapping') mappings.push(e.target.mapping);
    }
    if (Object.keys(legacy).length > 0) {
      const have = await ctx.fields.ensure(link.cuListId);
      for (const logical of Object.keys(legacy))
        if (!have.has(logical)) skipped.push(`clickup.fields.${logical}: list ${link.cuListId} has no such field now`);
      const cf = await ctx.fields.customFields(link.cuListId, legacy);
      if (!cf.ok) skipped.push(cf.reason);
      else
        for (const f of cf.fields)
          custom.push({
            id: f.id,
            value: f.value,
            label: [...have].find(([, x]) => x.id === f.id)?.[1].name ?? f.id,
          });
    }
    const writes: UpdateTaskBody = {
      ...(p.writes.name !== undefined ? { name: p.writes.name } : {}),
      ...(p.writes.markdown !== undefined ? { markdown_content: p.writes.markdown } : {}),
      ...(p.writes.priority !== undefined ? { priority: p.writes.priority } : {}),
      ...(p.writes.dueAt !== undefined ? { due_date: p.writes.dueAt, due_date_time: true } : {}),
    };
    if (mappings.length > 0) {
      const defs = ctx.mapping
        ? await ctx.mapping.definitions(link.cuListId)
        : { ok: false as const, reason: 'no mapping runtime', retryable: false };
      if (!defs.ok && defs.retryable)
        return outcomeFromRemote(
          { code: 'clickup_read', retryable: true, detail: defs.reason },
          `reading the fields of list ${link.cuListId}`,
        );
      if (!defs.ok) skipped.push(defs.reason);
      else {
        const plan = planTaskFields(mappings, rec, defs.fields);
        skipped.push(...plan.skipped, ...plan.errors);
        for (const f of plan.customFields) custom.push({ id: f.id, value: f.value, label: f.mapping });
        if (plan.priority !== undefined) writes.priority = plan.priority;
        if (plan.dueAt !== undefined) Object.assign(writes, { due_date: plan.dueAt, due_date_time: true });
      }
    }
    let stamped: string | null | undefined = null;
    if (Object.keys(writes).length > 0) {
      const r = await ctx.clickup.updateTask(link.cuTaskId, writes);
      if (!r.ok) return outcomeFromRemote(r.error, `updating task ${link.cuTaskId} with the partner's edits`);
      stamped = r.value.date_updated;
    }
    for (const f of custom) {
      const r = await ctx.clickup.setCustomFieldValue(
        link.cuTaskId,
        f.id,
        f.value as Parameters<typeof ctx.clickup.setCustomFieldValue>[2],
      );
      // A field ClickUp refuses (deleted or changed on the list since it was read) is audited as skipped, not retried.
      if (!r.ok && !r.error.retryable) skipped.push(`${f.label}: ${r.error.detail}`);
      else if (!r.ok) return outcomeFromRemote(r.error, `setting ${f.label} on task ${link.cuTaskId}`);
    }
    return {
      status: 'done',
      commit: async (trx) => {
        const now = ctx.now();
        const at = sideStamp(stamped, p.at);
        for (const [key, value] of Object.entries(p.remember)) {
          await rememberField(trx, 'case', p.caseId, MEMORY(key), 'clickup', { value, at });
          await rememberField(trx, 'case', p.caseId, MEMORY(key), 'agreed', { value, at: p.at });
        }
        await appendAudit(
          trx,
          {
            actor: 'gridbridge',
            entity: 'case',
            entityId: p.caseId,
            action: 'fields_to_clickup',
            after: {
              cuTaskId: link.cuTaskId,
              fields: Object.keys(p.remember).map((k) => entries.get(k)?.label ?? k),
              ...(skipped.length > 0 ? { skipped } : {}),
            },
          },
          now,
        );
      },
    };
  };
}

/**
 * The case title in a task name the bridge wrote as "[partner] Kind: title" ("[TEST] " first for test traffic):
 * the part after that prefix, or the whole name when a person removed the prefix.
 */
export function titleOfTaskName(name: string): string {
  const m = /^(?:\[TEST\] )?\[[^\]]*\] [^:]+: ([\s\S]*)$/.exec(name.trim());
  return (m ? m[1]! : name).trim();
}

/**
 * "The description" as Trading Grid holds it, in a task description the bridge wrote: the text a person (or the
 * partner) wrote above the table the bridge adds (its first line starts with "|"), without the bridge's
 * placeholder for an empty description.
 */
export function partnerTextOf(text: string): string {
  const lines = text.split('\n');
  const table = lines.findIndex((l) => l.trimStart().startsWith('|'));
  const above = (table === -1 ? lines : lines.slice(0, table)).join('\n').trim();
  return /^_?No description given by the partner\._?$/.test(above) ? '' : above;
}

/** A ClickUp history item as an edit of a synced field: its entry and canonical value, or null when it is none. */
function clickUpEditOf(
  item: HistoryItem,
  entries: readonly EditEntry[],
): { entry: EditEntry; value: string; tgValue?: LogicalValue } | { entry: EditEntry; error: string } | null {
  const find = (k: EditEntry['target']['kind']) => entries.find((e) => e.target.kind === k);
  const after = item.after;
  if (item.field === 'name' && typeof after === 'string') {
    const e = find('name');
    if (!e) return null;
    if (e.target.kind !== 'name' || !e.target.mapping) return { entry: e, value: JSON.stringify(after) };
    const title = titleOfTaskName(after);
    return { entry: e, value: JSON.stringify(title), tgValue: title };
  }
  if (item.field === 'content') {
    const e = find('description');
    if (!e) return null;
    const text = typeof after === 'string' ? after : '';
    if (e.target.kind !== 'description' || !e.target.mapping) return { entry: e, value: JSON.stringify(text) };
    const description = partnerTextOf(text);
    return { entry: e, value: JSON.stringify(description), tgValue: description };
  }
  if (item.field === 'priority') {
    const e = find('priority');
    const a = after as { id?: unknown; priority?: unknown } | null;
    const p = a ? Number(a.id ?? PRIORITY_NAMES[String(a.priority ?? '').toLowerCase()]) : NaN;
    return e ? { entry: e, value: Number.isFinite(p) ? String(p) : 'null' } : null;
  }
  if (item.field === 'due_date') {
    const e = find('due');
    const d = after === null || after === undefined || after === '' ? NaN : Number(after);
    return e ? { entry: e, value: Number.isFinite(d) ? String(d) : 'null' } : null;
  }
  if (item.field !== 'custom_field') return null;
  const cf = (item as { custom_field?: Parameters<typeof toDefinition>[0] }).custom_field;
  if (!cf?.name) return null;
  const name = norm(cf.name);
  const e = entries.find(
    (x) =>
      (x.target.kind === 'field' && norm(x.target.fieldName) === name) ||
      (x.target.kind === 'mapping' &&
        typeof x.target.mapping.clickup === 'object' &&
        norm(x.target.mapping.clickup.custom_field) === name),
  );
  if (!e) return null;
  const v = fromClickUpFieldValue(toDefinition(cf), after);
  if (!v.ok) return { entry: e, error: v.reason };
  if (e.target.kind !== 'mapping') return { entry: e, value: canonical(v.value) };
  const tg = toTradingGridValue(e.target.mapping, v.value);
  if (tg.kind !== 'value') return { entry: e, error: tg.reason };
  return { entry: e, value: canonical(tg.value), tgValue: tg.value };
}

/**
 * ClickUp edits of synced fields in one webhook delivery (person's changes only: the bridge's own are filtered
 * before). Each is decided against the field's memory: a field whose direction sends ClickUp edits to Trading
 * Grid becomes a `tradinggrid.set_case_fields` job (its direction is the rule that lets it reach the partner);
 * any other edit stays in ClickUp, remembered (a later partner edit does not overwrite a newer one) and audited.
 */
export async function clickUpFieldEdits(
  ctx: SyncContext,
  caseId: string,
  items: readonly HistoryItem[],
  itemTime: (i: HistoryItem) => number,
): Promise<{ jobs: Job[]; commit: (trx: Transaction<Database>) => Promise<void> } | null> {
  const entries = editEntries(ctx);
  const remember: Array<{ key: string; value: string; at: number }> = [];
  const audits: Array<{ action: string; after: unknown }> = [];
  const jobs: Job[] = [];
  const seen = new Map<string, { value: string; at: number }>();
  for (const item of items) {
    const edit = clickUpEditOf(item, entries);
    if (!edit) continue;
    const e = edit.entry;
    if ('error' in edit) {
      audits.push({ action: 'field_not_sent', after: { field: e.label, reason: edit.error } });
      continue;
    }
    const at = itemTime(item);
    const stored = await getFieldMemory(ctx.store.db, 'case', caseId, MEMORY(e.key));
    // Decisions within one delivery see the memory as it will be after the earlier ones.
    const prior = seen.get(e.key);
    const memory = prior ? { ...stored, clickup: prior } : stored;
    const d = decideFieldEdit({ side: 'clickup', value: edit.value, at }, memory, null, e.policy);
    if (d.action === 'ignore') {
      if (d.remember) {
        remember.push({ key: e.key, ...d.remember });
        seen.set(e.key, d.remember);
      }
      if (d.reason === 'direction') audits.push({ action: 'field_not_sent', after: { field: e.label, reason: d.why } });
      continue;
    }
    remember.push({ key: e.key, value: edit.value, at });
    seen.set(e.key, { value: edit.value, at });
    if (d.action === 'conflict_lost' || d.action === 'conflict_won')
      audits.push({ action: 'field_conflict', after: { ...verdictNote(e, d, 'clickup'), resolved: 'newer wins' } });
    const m =
      e.target.kind === 'mapping' || e.target.kind === 'name' || e.target.kind === 'description'
        ? e.target.mapping
        : undefined;
    if (d.action === 'conflict_lost' || !m) continue;
    // The sharing rules have the last word on what reaches the partner: the field must be listed there too.
    const shared = shareField(sharingRulesOf(ctx.config), 'cases', m.tradinggrid);
    if (!shared.share) {
      audits.push({ action: 'field_not_sent', after: { field: e.label, reason: shared.reason } });
      continue;
    }
    jobs.push(
      newJob(
        'tradinggrid.set_case_fields',
        {
          caseId,
          key: e.key,
          field: m.tradinggrid,
          value: edit.tgValue ?? null,
          canonical: edit.value,
          at,
          sharedBy: `mapping.fields: ${mappingLabel(m)} (direction ${m.direction}); ${shared.rule}`,
        },
        { key: `tg.set_case_fields:${caseId}:${e.key}:${at}`, queueKey: `case:${caseId}` },
      ),
    );
  }
  if (remember.length === 0 && audits.length === 0 && jobs.length === 0) return null;
  return {
    jobs,
    commit: async (trx) => {
      for (const r of remember)
        await rememberField(trx, 'case', caseId, MEMORY(r.key), 'clickup', { value: r.value, at: r.at });
      for (const a of audits)
        await appendAudit(
          trx,
          { actor: 'gridbridge', entity: 'case', entityId: caseId, action: a.action, after: a.after },
          ctx.now(),
        );
    },
  };
}

const WRITABLE = new Set<string>(TG_WRITABLE_FIELDS);

/** The Trading Grid write for one mapped field's value, or why there is none. */
function caseFieldsInput(
  field: string,
  value: LogicalValue,
  rec: CaseRecord,
): { ok: true; input: CaseFieldsInput } | { ok: false; reason: string } {
  if (!WRITABLE.has(field) || field === 'status')
    return { ok: false, reason: `Trading Grid field "${field}" is not written by POST /cases/{id}/fields` };
  if (field === 'value') {
    const amount = typeof value === 'number' ? value : Number(value);
    if (value === null || !Number.isFinite(amount)) return { ok: false, reason: `"${String(value)}" is not an amount` };
    if (!rec.value?.currency)
      return { ok: false, reason: 'the case has no currency on the partner side: the amount alone cannot be sent' };
    return { ok: true, input: { value: { amount, currency: rec.value.currency } } };
  }
  if (typeof value !== 'string') return { ok: false, reason: `"${String(value)}" is not text` };
  if (field === 'kind') {
    const kind = CASE_KINDS.find((k) => norm(k) === norm(value));
    return kind
      ? { ok: true, input: { kind } }
      : { ok: false, reason: `"${value}" is not a Trading Grid case kind (${CASE_KINDS.join(', ')})` };
  }
  if (field === 'title')
    return value.trim() ? { ok: true, input: { title: value } } : { ok: false, reason: 'an empty title' };
  return { ok: true, input: { description: value } };
}

/**
 * `tradinggrid.set_case_fields`: a ClickUp edit of a field whose mapping sends it to Trading Grid, as one
 * `POST /cases/{id}/fields`. A partner reached without the community API (e-mail, EDI) or a case without a
 * Trading Grid side (EDI-derived) is not sent a field edit: the edit is audited as not sent, with the reason.
 */
export function setPartnerCaseFieldsHandler(
  ctx: SyncContext,
): TypedJobHandler<JobPayload<'tradinggrid.set_case_fields'>> {
  return async ({ payload: p, job }): Promise<JobOutcome> => {
    const rec = await getCase(ctx.store.db, p.caseId);
    if (!rec) return { status: 'done' };
    const notSent = (reason: string): JobOutcome => ({
      status: 'done',
      commit: (trx) =>
        appendAudit(
          trx,
          {
            actor: 'gridbridge',
            entity: 'case',
            entityId: p.caseId,
            action: 'field_not_sent',
            after: { field: p.field, value: p.value, rule: p.sharedBy, reason },
          },
          ctx.now(),
        ),
    });
    const route = partnerRoute(ctx, rec.partnerId, 'case_status');
    if (rec.source !== 'community' || ctx.config.tradinggrid.driver !== 'community')
      return notSent('the case has no Trading Grid community case (EDI-derived): field edits have nowhere to go');
    if (!route.community)
      return notSent(
        `partner ${rec.partnerId} is reached by ${route.channels.join(', ') || 'no channel'}: case field edits travel only over the Trading Grid community API`,
      );
    const input = caseFieldsInput(p.field, p.value, rec);
    if (!input.ok) return notSent(input.reason);
    const r = await ctx.tg.setCaseFields(p.caseId, input.input, job.key);
    if (!r.ok) return outcomeFromRemote(r.error, `changing ${p.field} of case ${p.caseId} on the partner side`);
    return {
      status: 'done',
      commit: async (trx) => {
        const now = ctx.now();
        const at = sideStamp(r.value.updated_at, p.at);
        await rememberField(trx, 'case', p.caseId, MEMORY(p.key), 'tradinggrid', { value: p.canonical, at });
        await rememberField(trx, 'case', p.caseId, MEMORY(p.key), 'agreed', { value: p.canonical, at: p.at });
        await appendAudit(
          trx,
          {
            actor: 'gridbridge',
            entity: 'case',
            entityId: p.caseId,
            action: 'field_to_partner',
            after: { field: p.field, value: p.value, rule: p.sharedBy },
          },
          now,
        );
      },
    };
  };
}
