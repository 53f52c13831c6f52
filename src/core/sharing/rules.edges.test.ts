import { describe, expect, it } from 'vitest';
import {
  describeSharing,
  needsCheckbox,
  NOTHING_SHARED,
  PARTNER_SEND_FAILURES,
  PARTNER_VISIBLE_ACTIONS,
  rulesFor,
  shareComment,
  shareField,
  shareFile,
  sharingWarnings,
  type CommentRule,
  type FileFacts,
  type FileRule,
  type FlowSharing,
  type SharingRules,
} from './rules.ts';

// The partner boundary at its edges: every verdict compared whole (the rule or reason word for word, since it is
// what the audit log records), markers that must not match everything, each way of sharing a file on its own.

const flow = (over: Partial<FlowSharing> = {}): FlowSharing => ({
  comments: { share: 'prefix', prefixes: ['@partner'] },
  files: { ways: [], name_prefix: null, checkbox_field: 'Share with partner' },
  fields: [],
  ...over,
});

describe('shareComment: the verdict whole', () => {
  const prefix = (prefixes: string[]): SharingRules => ({ cases: flow({ comments: { share: 'prefix', prefixes } }) });
  const share = (s: CommentRule['share']): SharingRules => ({
    cases: flow({ comments: { share: s, prefixes: ['@partner'] } }),
  });
  it.each([
    // The bridge's own comments, whatever the rule.
    [
      'bridge, prefix rule',
      prefix(['@partner']),
      { text: '@partner hi', byBridge: true },
      { share: false, reason: 'written by the bridge' },
    ],
    [
      'bridge, share all',
      share('all'),
      { text: 'hi', byBridge: true },
      { share: false, reason: 'written by the bridge' },
    ],
    [
      'not by the bridge (false)',
      share('all'),
      { text: 'hi', byBridge: false },
      { share: true, rule: 'sharing.cases.comments: all comments', text: 'hi' },
    ],
    // share none and all.
    [
      'share none',
      share('none'),
      { text: '@partner hi' },
      { share: false, reason: 'sharing.cases.comments shares no comment' },
    ],
    [
      'share all, trimmed',
      share('all'),
      { text: '  hi there \n' },
      { share: true, rule: 'sharing.cases.comments: all comments', text: 'hi there' },
    ],
    ['share all, blank', share('all'), { text: ' \n ' }, { share: false, reason: 'empty comment' }],
    // Markers: the reason names each configured one.
    [
      'no marker',
      prefix(['@partner', 'To partner:']),
      { text: 'margin is thin' },
      { share: false, reason: 'does not start with "@partner" or "To partner:"' },
    ],
    ['marker alone', prefix(['@partner']), { text: '@partner' }, { share: false, reason: 'nothing after "@partner"' }],
    [
      'marker and separators only',
      prefix(['@partner']),
      { text: '@partner : - ,' },
      { share: false, reason: 'nothing after "@partner"' },
    ],
    // Every separator after the marker goes, and only before the text.
    [
      'separators removed',
      prefix(['@partner']),
      { text: '@partner:, - hello' },
      { share: true, rule: 'sharing.cases.comments: starts with "@partner"', text: 'hello' },
    ],
    [
      'separators inside kept',
      prefix(['@partner']),
      { text: '@partner ship 3-4, Monday: ok' },
      { share: true, rule: 'sharing.cases.comments: starts with "@partner"', text: 'ship 3-4, Monday: ok' },
    ],
    [
      'text right after the marker',
      prefix(['@partner']),
      { text: '@partnerX-ray' },
      { share: true, rule: 'sharing.cases.comments: starts with "@partner"', text: 'X-ray' },
    ],
    // The longest marker wins, so the whole marker is named and removed.
    [
      'longest marker first',
      prefix(['@p', '@partner:', '@partner']),
      { text: '@partner: hi' },
      { share: true, rule: 'sharing.cases.comments: starts with "@partner:"', text: 'hi' },
    ],
    [
      'longest marker first, listed last',
      prefix(['@partner', '@partner:']),
      { text: '@Partner:hi' },
      { share: true, rule: 'sharing.cases.comments: starts with "@partner:"', text: 'hi' },
    ],
    // A marker written with spaces around it is compared and removed without them.
    [
      'marker padded in the config',
      prefix(['  @partner  ']),
      { text: '@partner hello' },
      { share: true, rule: 'sharing.cases.comments: starts with "@partner"', text: 'hello' },
    ],
    [
      'marker upper case in the config',
      prefix(['TO PARTNER:']),
      { text: 'to partner: hello' },
      { share: true, rule: 'sharing.cases.comments: starts with "TO PARTNER:"', text: 'hello' },
    ],
    // An empty or blank marker must not match every comment.
    [
      'empty marker',
      prefix(['']),
      { text: 'internal: margin is thin' },
      { share: false, reason: 'does not start with ""' },
    ],
    ['blank marker', prefix(['   ']), { text: 'internal' }, { share: false, reason: 'does not start with "   "' }],
    [
      'blank marker beside a real one',
      prefix(['  ', '@partner']),
      { text: 'internal' },
      { share: false, reason: 'does not start with "  " or "@partner"' },
    ],
    ['no marker configured', prefix([]), { text: 'internal' }, { share: false, reason: 'does not start with ' }],
  ] as const)('%s', (_n, rules, comment, want) => {
    expect(shareComment(rules, 'cases', comment)).toStrictEqual(want);
  });

  it('a flow without rules shares no comment, and says which flow', () => {
    expect(
      shareComment({ cases: flow({ comments: { share: 'all', prefixes: [] } }) }, 'approvals', { text: 'hi' }),
    ).toStrictEqual({
      share: false,
      reason: 'sharing.approvals.comments shares no comment',
    });
  });

  it('the rules of one flow are not read from the object prototype', () => {
    expect(rulesFor({}, 'toString')).toBe(NOTHING_SHARED);
    expect(rulesFor({}, '__proto__')).toBe(NOTHING_SHARED);
    expect(shareComment({}, 'constructor', { text: '@partner hi' }).share).toBe(false);
    const own = flow();
    expect(rulesFor({ cases: own }, 'cases')).toBe(own);
  });
});

describe('shareFile: each way on its own, the verdict whole', () => {
  const rules = (files: Partial<FileRule>): SharingRules => ({
    cases: flow({ files: { ways: [], name_prefix: null, checkbox_field: 'Share with partner', ...files } }),
  });
  const all = { name: 'partner-pod.pdf', inSharedComment: true, checkbox: true } as const;
  it.each<[string, Partial<FileRule>, FileFacts, object]>([
    ['no way, every mark set', {}, all, { share: false, reason: 'sharing.cases.files shares no file' }],
    ['all', { ways: ['all'] }, { name: 'margin.xlsx' }, { share: true, rule: 'sharing.cases.files: all files' }],
    [
      'all after another way',
      { ways: ['checkbox', 'all'] },
      { name: 'margin.xlsx' },
      { share: true, rule: 'sharing.cases.files: all files' },
    ],
    // The name prefix: compared trimmed and without case, on either side.
    [
      'name prefix',
      { ways: ['name_prefix'], name_prefix: 'partner-' },
      { name: 'partner-pod.pdf' },
      { share: true, rule: 'sharing.cases.files: name starts with "partner-"' },
    ],
    [
      'name prefix, name padded',
      { ways: ['name_prefix'], name_prefix: 'partner-' },
      { name: '  partner-pod.pdf' },
      { share: true, rule: 'sharing.cases.files: name starts with "partner-"' },
    ],
    [
      'name prefix upper case in the config',
      { ways: ['name_prefix'], name_prefix: 'PARTNER-' },
      { name: 'partner-pod.pdf' },
      { share: true, rule: 'sharing.cases.files: name starts with "PARTNER-"' },
    ],
    [
      'name prefix only at the start',
      { ways: ['name_prefix'], name_prefix: 'partner-' },
      { name: 'pod-partner-.pdf' },
      { share: false, reason: 'not marked for the partner (a file is sent only when its name starts with "partner-")' },
    ],
    // An empty prefix must not share every file.
    [
      'empty name prefix',
      { ways: ['name_prefix'], name_prefix: '' },
      { name: 'margin.xlsx' },
      { share: false, reason: 'not marked for the partner (a file is sent only when its name starts with "")' },
    ],
    [
      'no name prefix',
      { ways: ['name_prefix'], name_prefix: null },
      { name: 'margin.xlsx' },
      { share: false, reason: 'not marked for the partner (a file is sent only when its name starts with "")' },
    ],
    // Each mark counts only when its way is configured.
    [
      'a prefix set, its way not',
      { ways: ['partner_comment'], name_prefix: 'partner-' },
      { name: 'partner-pod.pdf' },
      {
        share: false,
        reason:
          'not marked for the partner (a file is sent only when it is attached in a comment that goes to the partner)',
      },
    ],
    [
      'in a shared comment, its way not',
      { ways: ['checkbox'] },
      { name: 'pod.pdf', inSharedComment: true },
      {
        share: false,
        reason:
          'not marked for the partner (a file is sent only when the task\'s "Share with partner" checkbox is ticked when it is attached)',
      },
    ],
    [
      'checkbox ticked, its way not',
      { ways: ['partner_comment'] },
      { name: 'pod.pdf', checkbox: true },
      {
        share: false,
        reason:
          'not marked for the partner (a file is sent only when it is attached in a comment that goes to the partner)',
      },
    ],
    [
      'in a shared comment',
      { ways: ['partner_comment'] },
      { name: 'pod.pdf', inSharedComment: true },
      { share: true, rule: 'sharing.cases.files: attached in a comment for the partner' },
    ],
    [
      'not in a shared comment',
      { ways: ['partner_comment'] },
      { name: 'pod.pdf', inSharedComment: false },
      {
        share: false,
        reason:
          'not marked for the partner (a file is sent only when it is attached in a comment that goes to the partner)',
      },
    ],
    [
      'checkbox ticked',
      { ways: ['checkbox'], checkbox_field: 'To partner' },
      { name: 'pod.pdf', checkbox: true },
      { share: true, rule: 'sharing.cases.files: "To partner" ticked on the task' },
    ],
    [
      'checkbox not read',
      { ways: ['checkbox'] },
      { name: 'pod.pdf' },
      {
        share: false,
        reason:
          'not marked for the partner (a file is sent only when the task\'s "Share with partner" checkbox is ticked when it is attached)',
      },
    ],
    [
      'three ways, none marked',
      { ways: ['name_prefix', 'partner_comment', 'checkbox'], name_prefix: 'p-' },
      { name: 'pod.pdf', inSharedComment: false, checkbox: false },
      {
        share: false,
        reason:
          'not marked for the partner (a file is sent only when its name starts with "p-", or it is attached in a comment that goes to the partner, or the task\'s "Share with partner" checkbox is ticked when it is attached)',
      },
    ],
    [
      'three ways, the last marked',
      { ways: ['name_prefix', 'partner_comment', 'checkbox'], name_prefix: 'p-' },
      { name: 'pod.pdf', checkbox: true },
      { share: true, rule: 'sharing.cases.files: "Share with partner" ticked on the task' },
    ],
  ])('%s', (_n, files, facts, want) => {
    expect(shareFile(rules(files), 'cases', facts)).toStrictEqual(want);
  });

  it.each<[string, Partial<FileRule>, string, boolean]>([
    ['no checkbox way', { ways: ['name_prefix'], name_prefix: 'p-' }, 'pod.pdf', false],
    ['checkbox way, not shared otherwise', { ways: ['checkbox'] }, 'pod.pdf', true],
    ['checkbox way, shared by name', { ways: ['checkbox', 'name_prefix'], name_prefix: 'p-' }, 'p-pod.pdf', false],
    ['checkbox way beside all', { ways: ['checkbox', 'all'] }, 'pod.pdf', false],
  ])('needsCheckbox: %s', (_n, files, name, want) => {
    expect(needsCheckbox(rules(files), 'cases', { name })).toBe(want);
  });
});

describe('shareField', () => {
  it.each([
    [['status', 'value'], 'value', { share: true, rule: 'sharing.cases.fields: value' }],
    [['status'], 'value', { share: false, reason: 'sharing.cases.fields does not list value' }],
    [[], 'status', { share: false, reason: 'sharing.cases.fields does not list status' }],
  ] as const)('fields %j, %s', (fields, field, want) => {
    expect(shareField({ cases: flow({ fields: [...fields] }) }, 'cases', field)).toStrictEqual(want);
  });
});

describe('the rules in words and the warnings, line for line', () => {
  const rules: SharingRules = {
    cases: flow({
      comments: { share: 'prefix', prefixes: ['@partner', 'To partner:'] },
      files: { ways: ['name_prefix', 'partner_comment', 'checkbox'], name_prefix: 'p-', checkbox_field: 'Send' },
      fields: ['status', 'value'],
    }),
    approvals: flow({
      comments: { share: 'all', prefixes: [] },
      files: { ways: ['all'], name_prefix: null, checkbox_field: 'x' },
      fields: ['status'],
    }),
    rollouts: flow({ comments: { share: 'none', prefixes: [] } }),
  };
  const flows = ['cases', 'approvals', 'rollouts', 'emails'];

  it('describeSharing', () => {
    expect(describeSharing(rules, flows)).toStrictEqual([
      'cases: comments: a comment is sent only when it starts with "@partner" or "To partner:" (the marker is removed); all others stay internal',
      'cases: files: a file is sent only when its name starts with "p-", or it is attached in a comment that goes to the partner, or the task\'s "Send" checkbox is ticked when it is attached',
      'cases: fields: changes of status, value are sent',
      'approvals: comments: EVERY comment written on the task is sent, internal discussion included',
      'approvals: files: every file attached to the task is sent',
      'approvals: fields: changes of status are sent',
      'rollouts: comments: no comment is ever sent',
      'rollouts: files: no file is ever sent',
      'rollouts: fields: no field change is sent',
      'emails: comments: no comment is ever sent',
      'emails: files: no file is ever sent',
      'emails: fields: no field change is sent',
    ]);
    expect(describeSharing(rules, [])).toStrictEqual([]);
  });

  it('sharingWarnings', () => {
    expect(sharingWarnings(rules, flows)).toStrictEqual([
      'sharing.approvals.files: every file attached in ClickUp reaches the partner, internal ones included',
      'sharing.approvals.comments: every ClickUp comment reaches the partner, internal discussion included',
      'sharing.rollouts.files: no file attached in ClickUp will reach the partner (set sharing.rollouts.files.ways to share some)',
      'sharing.rollouts.comments: no ClickUp comment will reach the partner',
      'sharing.emails.files: no file attached in ClickUp will reach the partner (set sharing.emails.files.ways to share some)',
      'sharing.emails.comments: no ClickUp comment will reach the partner',
    ]);
    expect(sharingWarnings(rules, [])).toStrictEqual([]);
  });
});

describe('audit actions shown as sent to the partner', () => {
  it.each([
    ['status_to_partner', true, false],
    ['field_to_partner', true, false],
    ['comment_to_partner', true, false],
    ['document_to_partner', true, false],
    ['decision_posted', true, false],
    ['decision_revision_posted', true, false],
    ['comment_after_decision_posted', true, false],
    ['email_bounced', false, true],
    ['email_withheld_address_bounced', false, true],
    ['comment_not_shared', false, false],
    ['task_created', false, false],
    ['', false, false],
  ] as const)('%s: sent %s, failed %s', (action, sent, failed) => {
    expect(PARTNER_VISIBLE_ACTIONS.has(action)).toBe(sent);
    expect(PARTNER_SEND_FAILURES.has(action)).toBe(failed);
  });
});
