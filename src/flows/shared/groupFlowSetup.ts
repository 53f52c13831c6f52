import type { ClickUpClient } from '../../connectors/clickup/index.ts';
import { findFieldByName } from '../../connectors/clickup/fields.ts';
import type { GridbridgeConfig } from '../../config/schema.ts';

/**
 * Start-up check of flows 4, 6 and 8: every list, status, custom field and task template their config
 * names must exist in ClickUp. Returns one sentence per problem (with the config path), never throws.
 */
export async function checkGroupFlowSetup(clickup: ClickUpClient, config: GridbridgeConfig): Promise<string[]> {
  const problems: string[] = [];
  const flows = config.flows ?? {};
  const checkList = async (
    path: string,
    listId: string,
    fields: Record<string, string | undefined>,
    statuses: Record<string, string | null | undefined>,
  ) => {
    const list = await clickup.getList(listId);
    if (!list.ok) {
      problems.push(`${path}.list_id: ClickUp list ${listId} cannot be read: ${list.error.detail}`);
      return;
    }
    const names = list.value.statuses.map((s) => s.status.toLowerCase());
    for (const [key, status] of Object.entries(statuses)) {
      if (status && !names.includes(status.toLowerCase()))
        problems.push(
          `${path}.${key}: list "${list.value.name}" has no status "${status}" (statuses: ${names.join(', ')})`,
        );
    }
    const f = await clickup.getListFields(listId);
    if (!f.ok) {
      problems.push(`${path}: custom fields of list ${listId} cannot be read: ${f.error.detail}`);
      return;
    }
    for (const [key, name] of Object.entries(fields)) {
      if (name && !findFieldByName(f.value, name))
        problems.push(
          `${path}.fields.${key}: list "${list.value.name}" has no custom field named "${name}" (fields: ${f.value.map((x) => x.name).join(', ') || 'none'})`,
        );
    }
  };

  const a = flows.approvals;
  if (a) {
    const byStatus = a.decision.source === 'status';
    await checkList(
      'flows.approvals',
      a.list_id,
      { ...a.fields, ...(byStatus ? {} : { decision: a.decision.field }) },
      {
        withdrawn_status: a.withdrawn_status,
        'decision.approved': byStatus ? a.decision.approved : null,
        'decision.rejected': byStatus ? a.decision.rejected : null,
      },
    );
  }
  const o = flows.onboarding;
  if (o) {
    await checkList('flows.onboarding', o.list_id, o.fields, {});
    const wanted = Object.entries(o.groups).filter(([, g]) => g.clickup_template);
    if (wanted.length > 0) {
      const t = await clickup.listTaskTemplates(config.clickup.team_id);
      if (!t.ok)
        problems.push(
          `flows.onboarding.groups: task templates of team ${config.clickup.team_id} cannot be read: ${t.error.detail}`,
        );
      else {
        for (const [name, g] of wanted) {
          if (!t.value.some((x) => x.name === g.clickup_template)) {
            problems.push(
              `flows.onboarding.groups.${name}.clickup_template: ClickUp has no task template named "${g.clickup_template}" (templates: ${t.value.map((x) => x.name).join(', ') || 'none'})`,
            );
          }
        }
      }
    }
  }
  const r = flows.rollouts;
  if (r) await checkList('flows.rollouts', r.list_id, r.fields, { ready_status: r.ready_status });
  return problems;
}
