import type { ClickUpClient } from '../../../connectors/clickup/index.ts';
import type { RouteTo } from '../decisions/routing/routingRules.ts';
import { ok, type Result } from '../../../core/result.ts';

/**
 * Turns routing targets (a manager e-mail, extra assignees as e-mails or ClickUp user ids) into ClickUp
 * user ids. Members are read once and re-read at most every `ttlMs` when a name is not found.
 */
export class AssigneeResolver {
  private byEmail: Map<string, number> | null = null;
  private loadedAt = 0;

  /** `overrides`: the user map of the config (mapping.users.overrides), applied before the e-mail lookup. */
  constructor(
    private readonly clickup: ClickUpClient,
    private readonly now: () => number,
    private readonly ttlMs = 5 * 60_000,
    private readonly overrides: Readonly<Record<string, string | number>> = {},
  ) {}

  async resolve(route: RouteTo): Promise<Result<{ ids: number[]; unknown: string[] }>> {
    const names = [route.manager, ...(route.assignees ?? [])].filter((x) => x !== '');
    const ids: number[] = [];
    const unknown: string[] = [];
    for (const given of names) {
      const o = Object.entries(this.overrides).find(
        ([k]) => k.trim().toLowerCase() === given.trim().toLowerCase(),
      )?.[1];
      const name = o === undefined ? given : String(o);
      if (/^\d+$/.test(name)) {
        ids.push(Number(name));
        continue;
      }
      const id = await this.lookup(name.toLowerCase());
      if (!id.ok) return id;
      if (id.value === undefined) unknown.push(given);
      else ids.push(id.value);
    }
    return ok({ ids: [...new Set(ids)], unknown });
  }

  private async lookup(email: string): Promise<Result<number | undefined>> {
    const stale = this.now() - this.loadedAt > this.ttlMs;
    if (this.byEmail === null || (!this.byEmail.has(email) && stale)) {
      const m = await this.clickup.listWorkspaceMembers();
      if (!m.ok) return m;
      this.byEmail = new Map(m.value.filter((u) => u.email).map((u) => [u.email!.toLowerCase(), u.id]));
      this.loadedAt = this.now();
    }
    return ok(this.byEmail.get(email));
  }
}
