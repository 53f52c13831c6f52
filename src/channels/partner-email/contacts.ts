import { parse } from 'csv-parse/sync';
import type { MessageKind, PartnerChannelSection } from '../../config/partnerChannelSchema.ts';

/** A person at a partner who receives partner-channel e-mails. */
export interface PartnerContact {
  partnerId: string;
  name: string;
  email: string;
  role: string;
  language: string | null;
  source: 'config' | 'ac_csv';
}

export interface ContactProblem {
  file: string;
  line: number;
  message: string;
}

const EMAIL = /^[^\s@<>(),;:"]+@[^\s@<>(),;:"]+\.[^\s@<>(),;:"]+$/;

/**
 * Contacts from an Active Community contacts export (Company ID, First Name, Last Name or Name, Email,
 * Role, Language). A row without a usable address is reported with its line and left out; the role is
 * lower-cased so "EDI Coordinator" and "edi coordinator" are one role.
 */
export function parseAcContacts(
  file: string,
  csv: string | Buffer,
): { contacts: PartnerContact[]; problems: ContactProblem[] } {
  const problems: ContactProblem[] = [];
  let records: { record: Record<string, string>; info: { lines: number } }[];
  try {
    records = parse(csv, {
      columns: (h: string[]) => h.map((c) => c.trim().toLowerCase()),
      skip_empty_lines: true,
      relax_column_count: true,
      info: true,
      bom: true,
      trim: true,
    });
  } catch (e) {
    return {
      contacts: [],
      problems: [
        { file, line: (e as { lines?: number }).lines ?? 1, message: `not a CSV file: ${(e as Error).message}` },
      ],
    };
  }
  const contacts: PartnerContact[] = [];
  for (const { record: row, info } of records) {
    const line = info.lines;
    const partnerId = row['company id'] ?? '';
    const name = (row['name'] ?? `${row['first name'] ?? ''} ${row['last name'] ?? ''}`).trim();
    const email = (row['email'] ?? '').trim();
    if (!partnerId) problems.push({ file, line, message: 'no Company ID' });
    else if (!email)
      problems.push({
        file,
        line,
        message: `contact ${JSON.stringify(name || '?')} of ${partnerId} has no e-mail address`,
      });
    else if (!EMAIL.test(email))
      problems.push({ file, line, message: `${JSON.stringify(email)} is not an e-mail address` });
    else
      contacts.push({
        partnerId,
        name: name || email,
        email,
        role: (row['role'] || 'default').toLowerCase(),
        language: row['language'] ? row['language'].toLowerCase() : null,
        source: 'ac_csv',
      });
  }
  return { contacts, problems };
}

/** Every contact of every partner: the configured ones first, then the AC export's (an address appears once per partner). */
export function buildContactBook(
  section: PartnerChannelSection,
  acContacts: readonly PartnerContact[] = [],
): ContactBook {
  const byPartner = new Map<string, PartnerContact[]>();
  const add = (c: PartnerContact) => {
    const list = byPartner.get(c.partnerId) ?? [];
    if (list.some((x) => x.email.toLowerCase() === c.email.toLowerCase())) return;
    list.push(c);
    byPartner.set(c.partnerId, list);
  };
  for (const [partnerId, p] of Object.entries(section.partners)) {
    for (const c of p.contacts)
      add({
        partnerId,
        name: c.name,
        email: c.email,
        role: c.role.toLowerCase(),
        language: c.language?.toLowerCase() ?? null,
        source: 'config',
      });
  }
  for (const c of acContacts) add(c);
  return new ContactBook(byPartner, section.roles);
}

export class ContactBook {
  constructor(
    private readonly byPartner: ReadonlyMap<string, PartnerContact[]>,
    private readonly roles: Record<string, MessageKind[]>,
  ) {}

  all(partnerId: string): PartnerContact[] {
    return [...(this.byPartner.get(partnerId) ?? [])];
  }

  /** The messages a role receives: its own list, else the `default` role's, else every message. */
  kindsFor(role: string): ReadonlySet<MessageKind> {
    const own = new Set(this.roles[role] ?? this.roles[role.toLowerCase()] ?? this.roles['default'] ?? []);
    // A comment after a decision belongs with the decision: whoever receives decisions receives it.
    if (own.has('decision')) own.add('request_comment');
    return own;
  }

  /** The contacts of a partner who receive this kind of message. */
  recipients(partnerId: string, kind: MessageKind): PartnerContact[] {
    return this.all(partnerId).filter((c) => this.kindsFor(c.role).has(kind));
  }
}
