/** The sandbox workspace's people (src/sandbox/clickup/state.ts seeds them). */
const MANAGER = 'dora.manager@gridbridge.example';
const OPS = 'ana.ops@gridbridge.example';
const IT = 'chen.it@gridbridge.example';

const ALL_DAY = ['00:00-24:00'];

/**
 * SLA, routing and schedules of the sandbox config. A 24x7 UTC calendar keeps the arithmetic obvious
 * (a 72-hour dispute is due 72 wall-clock hours after it opened); reminders at 50 % and 75 %; a breach
 * escalates to the routed manager and tells the partner `escalated`; half as much again goes to the
 * head of operations. Schedules are off: tests and the demo enqueue sweep and push slots themselves.
 */
export function sandboxSla(): Record<string, unknown> {
  return {
    calendar: {
      time_zone: 'UTC',
      working_hours: Object.fromEntries(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'].map((d) => [d, ALL_DAY])),
    },
    sla: {
      default: {
        response_hours: 8,
        resolution_hours: 72,
        reminder_at: [0.5, 0.75],
        escalation_levels: [
          { after: 1, set_partner_status: true, resolution_hours: 8, priority: 1 },
          { after: 1.5, route_to: { manager: MANAGER }, resolution_hours: 4, priority: 1 },
        ],
      },
      policies: [
        { kind: 'shipment_exception', resolution_hours: 24 },
        { kind: 'document_mismatch', resolution_hours: 48 },
        { kind: 'compliance_issue', resolution_hours: 120 },
        { kind: 'edi_exception', resolution_hours: 8 },
      ],
    },
    routing: [
      { name: 'strategic partners', match: { tier: ['strategic'] }, route_to: { manager: MANAGER } },
      { name: 'EDI exceptions', match: { kind: ['edi_exception'] }, route_to: { manager: IT } },
      { name: 'operations', route_to: { manager: OPS } },
    ],
    metrics: { push_cron: null, period_kind: 'month' },
    sla_sweep_cron: null,
  };
}
