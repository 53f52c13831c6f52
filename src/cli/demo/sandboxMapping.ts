/**
 * The field mapping the sandboxes (demo and end-to-end tests) run with: grouped statuses
 * ("in review" and "qa" both mean in_review for the partner), the partner tier into a drop-down by option name (strategic and preferred grouped as "key account"),
 * the transaction value into the currency field, and a user map that assigns strategic partners' cases.
 */
export function sandboxMapping() {
  return {
    fields: [
      {
        name: 'status',
        tradinggrid: 'status',
        clickup: 'status',
        direction: 'both',
        owner: 'clickup',
        values: [
          { tradinggrid: 'received', clickup: ['open', 'received'] },
          { tradinggrid: 'in_review', clickup: ['in review', 'qa'] },
          { tradinggrid: 'awaiting_documents', clickup: 'awaiting documents' },
          { tradinggrid: 'escalated', clickup: 'escalated' },
          { tradinggrid: 'resolved', clickup: 'resolved' },
        ],
      },
      {
        name: 'partner tier',
        tradinggrid: 'tier',
        clickup: { custom_field: 'Partner tier' },
        direction: 'to_clickup',
        values: [
          { tradinggrid: ['strategic', 'preferred'], clickup: 'key account' },
          { tradinggrid: 'standard', clickup: 'standard' },
        ],
        unmapped_to_clickup: 'skip',
      },
      { name: 'value', tradinggrid: 'value', clickup: { custom_field: 'Value' }, direction: 'to_clickup' },
    ],
    users: {
      overrides: { 'case-lead': 'dora.manager@gridbridge.example' },
      partner_contacts: { 'dana.whitfield@acme.example': 'ana.ops@gridbridge.example' },
    },
    assign: [{ match: { tiers: ['strategic'] }, users: ['case-lead'] }],
    // The sandbox token acts as its bot member, a dedicated integration user (docs/CLICKUP.md).
    integration_user: { email: 'bot@gridbridge.example' },
  };
}
