import type { GridbridgeConfig } from '../../config/schema.ts';
import type { ResolvedSecrets } from '../../config/load.ts';
import { createClickUpClient } from '../../connectors/clickup/index.ts';
import { communityDriverFor } from '../../sync/tradingGridDriver.ts';
import {
  checkMappings,
  checkUpdateFilter,
  checkUsers,
  namesUsers,
  type MappingRow,
} from '../../flows/01-case-intake/mapping/check.ts';
import { caseListIds, MappingRuntime, toDefinition } from '../../flows/01-case-intake/mapping/runtime.ts';
import { sharingRulesOf } from '../../config/sharingSchema.ts';
import { describeSharing, sharingWarnings } from '../../core/sharing/rules.ts';

/** The flows whose sharing applies to this config: cases always, approvals when that flow is on. */
export function sharingFlowsIn(config: GridbridgeConfig): string[] {
  return ['cases', ...(config.flows.approvals ? ['approvals'] : [])];
}

export interface OnlineReport {
  ok: boolean;
  errors: string[];
  warnings: string[];
  /** One table per case list: what will sync where. */
  tables: Array<{ listId: string; listName: string; rows: MappingRow[] }>;
  integrationUser: string | null;
  /** The sharing rules in words: what reaches a partner, per flow. */
  sharing: string[];
}

/**
 * `gridbridge config validate --online`: every mapping against the real ClickUp lists (fields, types,
 * options, statuses), the users the config names against the workspace members, the integration user,
 * and the Trading Grid side (credentials, mapped and filtered partners, partner contacts). Read-only.
 */
export async function validateOnline(config: GridbridgeConfig, secrets: ResolvedSecrets): Promise<OnlineReport> {
  const errors: string[] = [];
  const warnings: string[] = [];
  const tables: OnlineReport['tables'] = [];
  let integrationUser: string | null = null;
  const rules = sharingRulesOf(config);
  const flows = sharingFlowsIn(config);
  const sharing = describeSharing(rules, flows);
  warnings.push(...sharingWarnings(rules, flows));
  const clickup = createClickUpClient({
    baseUrl: config.clickup.base_url,
    token: secrets.clickupToken,
    teamId: config.clickup.team_id,
    retry: { maxAttempts: 2 },
  });
  const tg = communityDriverFor(config, secrets);
  try {
    const rt = new MappingRuntime(clickup, config, Date.now);
    const me = await clickup.getAuthorizedUser();
    if (me.ok) integrationUser = `${me.value.username ?? '?'} <${me.value.email ?? '?'}> (id ${me.value.id})`;
    else errors.push(`clickup.token: GET /v2/user failed: ${me.error.detail}`);

    if (namesUsers(config.mapping)) {
      const members = await clickup.listWorkspaceMembers();
      if (!members.ok)
        errors.push(`reading the members of workspace ${config.clickup.team_id}: ${members.error.detail}`);
      else
        errors.push(
          ...checkUsers(
            config.mapping.users,
            config.mapping.assign,
            members.value.map((u) => ({ id: u.id, email: u.email })),
          ).errors,
        );
    }

    for (const listId of caseListIds(config)) {
      const [fields, list] = await Promise.all([clickup.getListFields(listId), clickup.getList(listId)]);
      if (!fields.ok || !list.ok) {
        errors.push(`ClickUp list ${listId}: ${(!fields.ok ? fields.error : !list.ok ? list.error : null)?.detail}`);
        continue;
      }
      const defs = fields.value.map(toDefinition);
      const check = checkMappings(rt.mappings, {
        listId,
        fields: defs,
        statuses: list.value.statuses.map((s) => s.status),
      });
      errors.push(...check.errors);
      warnings.push(...check.warnings);
      errors.push(...checkUpdateFilter(config.mapping.filters.clickup_updates?.custom_field, listId, defs));
      tables.push({ listId, listName: list.value.name, rows: check.rows });
      const files = sharingRulesOf(config).cases!.files;
      if (files.ways.includes('checkbox')) {
        const f = defs.find((d) => d.name.trim().toLowerCase() === files.checkbox_field.trim().toLowerCase());
        if (!f)
          errors.push(
            `sharing.cases.files.checkbox_field: list ${listId} "${list.value.name}" has no field "${files.checkbox_field}" (no file would be shared by the checkbox)`,
          );
        else if (f.type !== 'checkbox')
          errors.push(
            `sharing.cases.files.checkbox_field: "${files.checkbox_field}" on list ${listId} is a ${f.type} field, not a checkbox`,
          );
      }
    }

    // Trading Grid: the credentials work, and every partner the config names exists there.
    if (!tg) {
      warnings.push(
        'tradinggrid.driver is mailbox (EDI only): partners come from partners.map and the Active Community CSV; there is no community API to check them against',
      );
      return { ok: errors.length === 0, errors: [...new Set(errors)], warnings, tables, integrationUser, sharing };
    }
    const named = new Set([
      ...Object.keys(config.partners.map),
      ...(config.mapping.filters.cases?.partners ?? []),
      ...(config.mapping.filters.cases?.exclude_partners ?? []),
      ...config.mapping.assign.flatMap((r) => r.match.partners ?? []),
    ]);
    const contacts = new Set<string>();
    for (const id of named) {
      const p = await tg.getPartner(id);
      if (!p.ok) {
        errors.push(`Trading Grid partner ${id} (named in the config): ${p.error.detail}`);
        continue;
      }
      for (const c of (p.value as { contacts?: Array<{ email?: string }> }).contacts ?? [])
        if (c.email) contacts.add(c.email.toLowerCase());
    }
    if (named.size === 0) {
      const any = await tg.listPartners();
      if (!any.ok)
        errors.push(
          `Trading Grid (${config.tradinggrid.driver === 'community' ? config.tradinggrid.base_url : ''}): ${any.error.detail}`,
        );
    }
    for (const email of Object.keys(config.mapping.users.partner_contacts)) {
      if (!contacts.has(email.toLowerCase()))
        warnings.push(`mapping.users.partner_contacts["${email}"]: no mapped Trading Grid partner lists this contact`);
    }
  } finally {
    await Promise.allSettled([clickup.close(), tg?.close()]);
  }
  return { ok: errors.length === 0, errors: [...new Set(errors)], warnings, tables, integrationUser, sharing };
}

/** The report as text: the tables of what will sync where, then every problem. */
export function formatOnlineReport(r: OnlineReport): string {
  const out: string[] = [];
  out.push(`integration user: ${r.integrationUser ?? 'unknown'}`);
  out.push('', 'what reaches a partner (sharing:):', ...r.sharing.map((l) => `  ${l}`));
  for (const t of r.tables) {
    out.push('', `ClickUp list ${t.listId} "${t.listName}": what will sync where`);
    const head = ['mapping', 'Trading Grid', 'dir', 'ClickUp', 'type', 'values', 'check'];
    const dir = (d: string) => ({ to_clickup: '→', to_tradinggrid: '←', both: '↔', none: '×' })[d] ?? d;
    const rows = t.rows.map((x) => [
      x.mapping,
      x.tradinggrid,
      dir(x.direction),
      x.clickup,
      x.clickupType || '?',
      x.values.length > 60 ? `${x.values.slice(0, 57)}…` : x.values,
      x.ok ? 'ok' : 'ERROR',
    ]);
    const widths = head.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
    const line = (cells: string[]) => `  ${cells.map((c, i) => c.padEnd(widths[i]!)).join('  ')}`.trimEnd();
    out.push(line(head), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line));
  }
  if (r.warnings.length > 0) out.push('', 'warnings:', ...r.warnings.map((w) => `  - ${w}`));
  if (r.errors.length > 0) out.push('', `${r.errors.length} problem(s):`, ...r.errors.map((e) => `  - ${e}`));
  else out.push('', 'online check: ok');
  return `${out.join('\n')}\n`;
}
