/**
 * What reaches a trading partner. Partners are customers and suppliers: nothing internal goes to them
 * unless a configured rule lets it through. Pure: every function here takes the rules and the facts
 * and returns a verdict naming the rule that decided, so the write can be audited with it.
 *
 * A flow not named in the rules shares nothing.
 */

/** How a person marks a comment for the partner. */
export interface CommentRule {
  /** none: no comment ever; prefix: only comments starting with one of `prefixes` (removed); all: every comment. */
  share: 'none' | 'prefix' | 'all';
  /** e.g. "@partner", "To partner:"; compared case-insensitively at the start of the trimmed text. */
  prefixes: string[];
}

/** Ways a file can be marked for the partner; any one of the configured ways is enough. */
export const FILE_WAYS = ['all', 'name_prefix', 'partner_comment', 'checkbox'] as const;
export type FileWay = (typeof FILE_WAYS)[number];

export interface FileRule {
  /** Empty: no file is ever sent. */
  ways: FileWay[];
  /** With `name_prefix`: a file whose name starts with this (case-insensitive) is shared. */
  name_prefix: string | null;
  /** With `checkbox`: a checkbox custom field on the task; files attached while it is ticked are shared. */
  checkbox_field: string;
}

export interface FlowSharing {
  comments: CommentRule;
  files: FileRule;
  /** Task fields whose changes may be written to the partner side (e.g. "status"). */
  fields: string[];
}

/** Per flow ("cases", "approvals", and any flow added later). */
export type SharingRules = Readonly<Record<string, FlowSharing>>;

export const NOTHING_SHARED: FlowSharing = Object.freeze({
  comments: Object.freeze({ share: 'none', prefixes: [] as string[] }),
  files: Object.freeze({ ways: [] as FileWay[], name_prefix: null, checkbox_field: 'Share with partner' }),
  fields: [] as string[],
});

/** The verdict: shared (with the rule that allowed it, in words) or kept internal (with why). */
export type ShareVerdict = { share: true; rule: string } | { share: false; reason: string };

export function rulesFor(rules: SharingRules, flow: string): FlowSharing {
  return Object.prototype.hasOwnProperty.call(rules, flow) ? rules[flow]! : NOTHING_SHARED;
}

const q = (s: string) => JSON.stringify(s);

function matchingPrefix(text: string, prefixes: readonly string[]): string | null {
  const t = text.trim().toLowerCase();
  // Longest first, so "@partner:" wins over "@partner" and the whole marker is removed.
  for (const p of [...prefixes].sort((a, b) => b.length - a.length))
    if (p.trim() && t.startsWith(p.trim().toLowerCase())) return p.trim();
  return null;
}

/**
 * One comment written in ClickUp. Shared comments come back with the text the partner sees (the marker
 * removed); an empty comment after the marker is not sent. Comments the bridge wrote are never shared.
 */
export function shareComment(
  rules: SharingRules,
  flow: string,
  comment: { text: string; byBridge?: boolean },
): { share: true; rule: string; text: string } | { share: false; reason: string; text?: undefined } {
  const r = rulesFor(rules, flow).comments;
  if (comment.byBridge) return { share: false, reason: 'written by the bridge' };
  const text = comment.text.trim();
  if (r.share === 'none') return { share: false, reason: `sharing.${flow}.comments shares no comment` };
  if (r.share === 'all')
    return text
      ? { share: true, rule: `sharing.${flow}.comments: all comments`, text }
      : { share: false, reason: 'empty comment' };
  const p = matchingPrefix(text, r.prefixes);
  if (!p) return { share: false, reason: `does not start with ${r.prefixes.map(q).join(' or ')}` };
  const body = text
    .slice(p.length)
    .replace(/^[\s:,-]+/, '')
    .trim();
  if (!body) return { share: false, reason: `nothing after ${q(p)}` };
  return { share: true, rule: `sharing.${flow}.comments: starts with ${q(p)}`, text: body };
}

export interface FileFacts {
  name: string;
  /** The file was attached in a comment that is itself shared. */
  inSharedComment?: boolean;
  /** The task's checkbox field when the file was attached: true, false, or null when not read / absent. */
  checkbox?: boolean | null;
}

/** Whether the checkbox must be read from the task to decide this file (the other ways did not share it). */
export function needsCheckbox(rules: SharingRules, flow: string, file: Omit<FileFacts, 'checkbox'>): boolean {
  const r = rulesFor(rules, flow).files;
  return r.ways.includes('checkbox') && !shareFile(rules, flow, { ...file, checkbox: null }).share;
}

/** One file attached in ClickUp. */
export function shareFile(rules: SharingRules, flow: string, file: FileFacts): ShareVerdict {
  const r = rulesFor(rules, flow).files;
  if (r.ways.length === 0) return { share: false, reason: `sharing.${flow}.files shares no file` };
  if (r.ways.includes('all')) return { share: true, rule: `sharing.${flow}.files: all files` };
  if (
    r.ways.includes('name_prefix') &&
    r.name_prefix &&
    file.name.trim().toLowerCase().startsWith(r.name_prefix.toLowerCase())
  ) {
    return { share: true, rule: `sharing.${flow}.files: name starts with ${q(r.name_prefix)}` };
  }
  if (r.ways.includes('partner_comment') && file.inSharedComment)
    return { share: true, rule: `sharing.${flow}.files: attached in a comment for the partner` };
  if (r.ways.includes('checkbox') && file.checkbox === true)
    return { share: true, rule: `sharing.${flow}.files: ${q(r.checkbox_field)} ticked on the task` };
  return { share: false, reason: `not marked for the partner (${describeFileWays(r)})` };
}

/** One field change on the task (e.g. "status"). */
export function shareField(rules: SharingRules, flow: string, field: string): ShareVerdict {
  const r = rulesFor(rules, flow);
  return r.fields.includes(field)
    ? { share: true, rule: `sharing.${flow}.fields: ${field}` }
    : { share: false, reason: `sharing.${flow}.fields does not list ${field}` };
}

function describeFileWays(r: FileRule): string {
  if (r.ways.length === 0) return 'no file is ever sent';
  if (r.ways.includes('all')) return 'every file attached to the task is sent';
  const parts = r.ways.map((w) => {
    if (w === 'name_prefix') return `its name starts with ${q(r.name_prefix ?? '')}`;
    if (w === 'partner_comment') return 'it is attached in a comment that goes to the partner';
    if (w === 'checkbox') return `the task's ${q(r.checkbox_field)} checkbox is ticked when it is attached`;
    return w;
  });
  return `a file is sent only when ${parts.join(', or ')}`;
}

function describeComments(r: CommentRule): string {
  if (r.share === 'none') return 'no comment is ever sent';
  if (r.share === 'all') return 'EVERY comment written on the task is sent, internal discussion included';
  return `a comment is sent only when it starts with ${r.prefixes.map(q).join(' or ')} (the marker is removed); all others stay internal`;
}

/** The rules in words, one line each, for `config validate --online` and the README. */
export function describeSharing(rules: SharingRules, flows: readonly string[]): string[] {
  const out: string[] = [];
  for (const flow of flows) {
    const r = rulesFor(rules, flow);
    out.push(`${flow}: comments: ${describeComments(r.comments)}`);
    out.push(`${flow}: files: ${describeFileWays(r.files)}`);
    out.push(
      `${flow}: fields: ${r.fields.length ? `changes of ${r.fields.join(', ')} are sent` : 'no field change is sent'}`,
    );
  }
  return out;
}

/** What an operator should know before go-live: the silent defaults and the wide-open choices. */
export function sharingWarnings(rules: SharingRules, flows: readonly string[]): string[] {
  const out: string[] = [];
  for (const flow of flows) {
    const r = rulesFor(rules, flow);
    if (r.files.ways.length === 0)
      out.push(
        `sharing.${flow}.files: no file attached in ClickUp will reach the partner (set sharing.${flow}.files.ways to share some)`,
      );
    if (r.files.ways.includes('all'))
      out.push(`sharing.${flow}.files: every file attached in ClickUp reaches the partner, internal ones included`);
    if (r.comments.share === 'all')
      out.push(`sharing.${flow}.comments: every ClickUp comment reaches the partner, internal discussion included`);
    if (r.comments.share === 'none') out.push(`sharing.${flow}.comments: no ClickUp comment will reach the partner`);
  }
  return out;
}

/**
 * A case field the mapping sends toward Trading Grid (direction both or to_tradinggrid) that the sharing rules do
 * not list never reaches the partner: each edit is audited `field_not_sent`. Said at validation, so the two
 * config keys that must agree are seen together.
 */
export function unsharedFieldWarnings(
  rules: SharingRules,
  towardPartner: ReadonlyArray<{ field: string; mapping: string }>,
): string[] {
  return towardPartner
    .filter((m) => !shareField(rules, 'cases', m.field).share)
    .map(
      (m) =>
        `${m.mapping} sends ${m.field} toward Trading Grid, but sharing.cases.fields does not list ${m.field}: its edits stay in ClickUp (audited field_not_sent); add ${m.field} to sharing.cases.fields to send them`,
    );
}

/** Audit actions that are writes the partner sees; the console shows them apart from internal events. */
export const PARTNER_VISIBLE_ACTIONS: ReadonlySet<string> = new Set([
  'status_to_partner',
  'field_to_partner',
  'comment_to_partner',
  'document_to_partner',
  'decision_posted',
  'decision_revision_posted',
  'comment_after_decision_posted',
]);

/**
 * Audit actions of a partner write that did not arrive: an e-mail a delivery report said bounced, one not sent
 * because its address bounced before. Shown as a failed "sent to partner" on the timeline.
 */
export const PARTNER_SEND_FAILURES: ReadonlySet<string> = new Set(['email_bounced', 'email_withheld_address_bounced']);
