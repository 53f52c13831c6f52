import { err, ok, type RemoteError, type Result } from '../../core/result.ts';
import type { ClickUpClient } from './client.ts';
import type { ClickUpField, ClickUpList, ClickUpStatus } from './types.ts';

export interface ClickUpSetupSpec {
  listId: string;
  /** Status names our config maps to (case-insensitive, as ClickUp compares them). */
  statuses: string[];
  /** Custom field names we read or write. */
  fieldNames: string[];
  /** Drop-down options we write, per field name (e.g. {"Issue type": ["dispute", ...]}). */
  fieldOptions?: Record<string, string[]>;
  /** Optional label for messages, e.g. "cases list". */
  label?: string;
}

export interface ValidatedClickUpSetup {
  list: ClickUpList;
  /** Field by configured name. */
  fields: Record<string, ClickUpField>;
  /** Status by configured name. */
  statuses: Record<string, ClickUpStatus>;
}

/** A mismatch error that names every missing thing, one sentence each in `problems`. */
export interface ClickUpSetupError extends RemoteError {
  problems: string[];
}

/**
 * Start-up check: the list exists, every configured status and custom field is on it (and every
 * drop-down option we write). All mismatches are reported together, not just the first.
 */
export async function validateClickUpSetup(
  client: ClickUpClient,
  spec: ClickUpSetupSpec,
): Promise<Result<ValidatedClickUpSetup, ClickUpSetupError>> {
  const name = spec.label ? `${spec.label} (list ${spec.listId})` : `list ${spec.listId}`;
  const [list, fields] = await Promise.all([client.getList(spec.listId), client.getListFields(spec.listId)]);
  if (!list.ok) {
    if (list.error.code === 'clickup:cannot_see') {
      const why = `the token cannot see ${name} (OAUTH_027 Team not authorized): check the list id, or share the list's Space with the token's user`;
      return err({ ...list.error, detail: `ClickUp ${why}`, problems: [why] });
    }
    const notFound = list.error.status === 404 || list.error.status === 400;
    return err({
      ...list.error,
      detail: notFound
        ? `ClickUp ${name} does not exist or this token cannot see it (${list.error.code})`
        : list.error.detail,
      problems: [notFound ? `${name} not found` : list.error.detail],
    });
  }
  if (!fields.ok) return err({ ...fields.error, problems: [fields.error.detail] });
  const problems: string[] = [];
  const statuses: Record<string, ClickUpStatus> = {};
  for (const s of spec.statuses) {
    const found = list.value.statuses.find((x) => x.status.toLowerCase() === s.toLowerCase());
    if (found) statuses[s] = found;
    else
      problems.push(
        `status "${s}" is missing on ${name} "${list.value.name}" (it has: ${list.value.statuses.map((x) => x.status).join(', ')})`,
      );
  }
  const byName: Record<string, ClickUpField> = {};
  for (const f of spec.fieldNames) {
    const found = fields.value.find((x) => x.name.trim().toLowerCase() === f.trim().toLowerCase());
    if (found) byName[f] = found;
    else problems.push(`custom field "${f}" is missing on ${name} "${list.value.name}"`);
  }
  for (const [fieldName, options] of Object.entries(spec.fieldOptions ?? {})) {
    const f = byName[fieldName] ?? fields.value.find((x) => x.name.toLowerCase() === fieldName.toLowerCase());
    if (!f) {
      if (!spec.fieldNames.includes(fieldName))
        problems.push(`custom field "${fieldName}" is missing on ${name} "${list.value.name}"`);
      continue;
    }
    const have = (f.type_config?.options ?? []).map((o) => (o.name ?? o.label ?? '').toLowerCase());
    for (const o of options)
      if (!have.includes(o.toLowerCase()))
        problems.push(`option "${o}" is missing from drop-down "${f.name}" on ${name}`);
  }
  if (problems.length > 0) {
    return err({
      code: 'clickup:setup_mismatch',
      retryable: false,
      detail: `ClickUp set-up does not match the configuration: ${problems.join('; ')}`,
      problems,
    });
  }
  return ok({ list: list.value, fields: byName, statuses });
}
