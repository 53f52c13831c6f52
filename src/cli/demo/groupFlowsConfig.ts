/** Sandbox members (see src/sandbox/clickup/state.ts seed): ClickUp user ids. */
export const SANDBOX_MEMBERS = { ana: 81000002, ben: 81000003, chen: 81000004, dora: 81000005 } as const;

/**
 * The `flows` section the demo and the tests use against the seeded ClickUp sandbox: approvals routed by
 * kind, value and tier; onboarding groups by tier and trigger (one made from the sandbox's task template);
 * rollouts with an 80 % acknowledgement gate. Raw config (snake_case), validated by the real schema.
 */
export function groupFlowsForSandbox(lists: {
  onboarding?: string;
  approvals?: string;
  rollouts?: string;
}): Record<string, unknown> {
  const m = SANDBOX_MEMBERS;
  const out: Record<string, unknown> = {};
  if (lists.approvals) {
    out.approvals = {
      list_id: lists.approvals,
      decision: { source: 'status', approved: 'approved', rejected: 'rejected' },
      withdrawn_status: 'withdrawn',
      fields: { partner: 'Partner', request_id: 'TG request id', request_type: 'Request type' },
      routes: [
        {
          label: 'pricing exception of 10,000 or more',
          kinds: ['pricing_exception'],
          min_value: 10_000,
          assignees: [m.dora],
          priority: 2,
        },
        { label: 'strategic partner', tiers: ['strategic'], assignees: [m.dora], priority: 2 },
        { label: 'shipment changes', kinds: ['shipment_change'], assignees: [m.ana] },
        { label: 'document corrections', kinds: ['document_correction'], assignees: [m.ben], priority: 4 },
      ],
      default_assignees: [m.ana],
      due_hours: 48,
    };
  }
  if (lists.onboarding) {
    const steps = (extraDays = 0) => [
      {
        key: 'contract_review',
        name: 'Contract review',
        workstream: 'legal',
        assignees: [m.ben],
        checklist: ['NDA signed', 'Trading agreement signed'],
        due_days: 5 + extraDays,
      },
      {
        key: 'edi_setup',
        name: 'EDI setup',
        workstream: 'it',
        assignees: [m.chen],
        checklist: ['AS2/SFTP connection', 'Map 850/856/810', 'Partner profile in Trading Grid'],
        due_days: 10 + extraDays,
        depends_on: ['contract_review'],
        partner_status: 'testing',
      },
      {
        key: 'master_data',
        name: 'Master data validation',
        workstream: 'procurement',
        assignees: [m.ana],
        checklist: ['Vendor master', 'Ship-to locations', 'Item catalogue'],
        due_days: 10 + extraDays,
      },
      {
        key: 'test_file_exchanged',
        name: 'Testing: test file exchanged',
        workstream: 'testing',
        assignees: [m.chen],
        due_days: 12 + extraDays,
        depends_on: ['edi_setup'],
      },
      {
        key: 'ack_997_received',
        name: 'Testing: 997 received',
        workstream: 'testing',
        assignees: [m.chen],
        due_days: 13 + extraDays,
        depends_on: ['test_file_exchanged'],
      },
      {
        key: 'production_cutover',
        name: 'Testing: production cut-over',
        workstream: 'testing',
        assignees: [m.chen, m.ana],
        due_days: 15 + extraDays,
        depends_on: ['ack_997_received', 'master_data'],
        partner_status: 'active',
      },
    ];
    out.onboarding = {
      list_id: lists.onboarding,
      groups: {
        standard: { parent_name: 'Onboarding: {partner}', steps: steps() },
        strategic: {
          clickup_template: 'Partner onboarding',
          parent_name: 'Onboarding (strategic): {partner}',
          steps: steps(-2),
        },
        compliance: {
          parent_name: 'Compliance: {title} ({partner})',
          steps: [
            {
              key: 'legal_review',
              name: 'Legal review of the requirement',
              workstream: 'legal',
              assignees: [m.ben],
              checklist: ['Read requirement', 'Gap analysis'],
              due_days: 3,
            },
            {
              key: 'evidence',
              name: 'Collect evidence',
              workstream: 'ops',
              assignees: [m.ana],
              checklist: ['Certificate on file'],
              due_days: 7,
              depends_on: ['legal_review'],
            },
          ],
        },
      },
      select: {
        by_trigger: { compliance_requirement: 'compliance' },
        by_tier: { strategic: 'strategic' },
        default: 'standard',
      },
    };
  }
  if (lists.rollouts) {
    out.rollouts = {
      list_id: lists.rollouts,
      marker_tag: 'rollout',
      fields: { percent: 'Acknowledged %', audience: 'Audience' },
      plan: [
        {
          key: 'training',
          name: 'Training',
          assignees: [m.ana],
          checklist: ['Training material', 'Sessions held'],
          due_days: 10,
        },
        {
          key: 'documentation',
          name: 'Documentation updates',
          assignees: [m.ben],
          checklist: ['Partner guide', 'Internal runbook'],
          due_days: 10,
        },
        {
          key: 'testing',
          name: 'Testing',
          assignees: [m.chen],
          checklist: ['Test plan', 'Partner test window'],
          due_days: 15,
        },
        {
          key: 'go_live',
          name: 'Go-live readiness',
          assignees: [m.dora],
          due_days: 20,
          depends_on: ['training', 'documentation', 'testing'],
        },
      ],
      ack_threshold_pct: 75,
    };
  }
  return out;
}
