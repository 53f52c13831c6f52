import type { GridbridgeConfig } from '../../config/schema.ts';

/** Every ClickUp list the bridge creates linked tasks in: cases (default and per partner), approvals, onboarding, rollouts, EDI test traffic. */
export function ourListIds(
  config: Pick<GridbridgeConfig, 'clickup' | 'partners' | 'flows'> & Partial<Pick<GridbridgeConfig, 'mailbox'>>,
): Set<string> {
  const testList =
    config.mailbox && config.mailbox.test_interchanges !== 'ignore'
      ? config.mailbox.test_interchanges.list_id
      : undefined;
  const ids = [
    config.clickup.list_id,
    ...Object.values(config.partners.map).map((m) => m.list_id),
    config.flows.approvals?.list_id,
    config.flows.onboarding?.list_id,
    config.flows.rollouts?.list_id,
    testList,
  ];
  return new Set(ids.filter((x): x is string => typeof x === 'string' && x.length > 0));
}
