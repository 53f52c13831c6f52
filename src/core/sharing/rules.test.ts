import { describe, expect, it } from 'vitest';
import {
  describeSharing,
  needsCheckbox,
  shareComment,
  shareField,
  shareFile,
  sharingWarnings,
  unsharedFieldWarnings,
  type FlowSharing,
  type SharingRules,
} from './rules.ts';

const flow = (over: Partial<FlowSharing> = {}): FlowSharing => ({
  comments: { share: 'prefix', prefixes: ['@partner', 'To partner:'] },
  files: { ways: [], name_prefix: null, checkbox_field: 'Share with partner' },
  fields: ['status'],
  ...over,
});

describe('shareComment', () => {
  const rules: SharingRules = { cases: flow() };
  it.each([
    ['@partner Please send the POD', true, 'Please send the POD'],
    ['@Partner: see attached', true, 'see attached'],
    ['To partner: we ship Monday', true, 'we ship Monday'],
    ['  to PARTNER:   hello ', true, 'hello'],
    ['internal: margin is thin', false, undefined],
    ['mention @partner in the middle', false, undefined],
    ['@partner', false, undefined],
    ['', false, undefined],
  ] as const)('%j is shared: %s', (text, share, body) => {
    const v = shareComment(rules, 'cases', { text });
    expect(v.share).toBe(share);
    expect(v.text).toBe(body);
  });
  it('names the rule that let a comment through', () => {
    expect(shareComment(rules, 'cases', { text: 'To partner: x' })).toMatchObject({
      share: true,
      rule: 'sharing.cases.comments: starts with "To partner:"',
    });
  });
  it("a flow without rules, share none, and the bridge's own comments share nothing; share all shares the rest", () => {
    expect(shareComment(rules, 'emails', { text: '@partner hi' }).share).toBe(false);
    expect(
      shareComment({ cases: flow({ comments: { share: 'none', prefixes: ['@partner'] } }) }, 'cases', {
        text: '@partner hi',
      }).share,
    ).toBe(false);
    const all = { cases: flow({ comments: { share: 'all', prefixes: [] } }) };
    expect(shareComment(all, 'cases', { text: 'anything' })).toMatchObject({ share: true, text: 'anything' });
    expect(shareComment(all, 'cases', { text: 'gridbridge: note', byBridge: true }).share).toBe(false);
  });
});

describe('shareFile', () => {
  it.each([
    ['no way configured (the default)', [], {}, 'invoice.pdf', false],
    ['all', ['all'], {}, 'internal-margin.xlsx', true],
    ['name prefix, matching', ['name_prefix'], { name_prefix: 'partner-' }, 'Partner-corrected-invoice.pdf', true],
    ['name prefix, not matching', ['name_prefix'], { name_prefix: 'partner-' }, 'margin.xlsx', false],
    ['in a partner comment', ['partner_comment'], {}, 'pod.pdf', true, { inSharedComment: true }],
    ['partner comment way, attached alone', ['partner_comment'], {}, 'pod.pdf', false],
    ['checkbox ticked', ['checkbox'], {}, 'pod.pdf', true, { checkbox: true }],
    ['checkbox not ticked', ['checkbox'], {}, 'pod.pdf', false, { checkbox: false }],
    ['checkbox not read', ['checkbox'], {}, 'pod.pdf', false, { checkbox: null }],
  ] as const)(
    '%s',
    (_n, ways, extra, name, share, facts?: { inSharedComment?: boolean; checkbox?: boolean | null }) => {
      const rules: SharingRules = {
        cases: flow({ files: { ways: [...ways], name_prefix: null, checkbox_field: 'Share with partner', ...extra } }),
      };
      expect(shareFile(rules, 'cases', { name, ...facts }).share).toBe(share);
    },
  );
  it('the checkbox is read only when no other way already shares the file', () => {
    const rules: SharingRules = {
      cases: flow({
        files: { ways: ['name_prefix', 'checkbox'], name_prefix: 'partner-', checkbox_field: 'Share with partner' },
      }),
    };
    expect(needsCheckbox(rules, 'cases', { name: 'partner-pod.pdf' })).toBe(false);
    expect(needsCheckbox(rules, 'cases', { name: 'pod.pdf' })).toBe(true);
    expect(needsCheckbox({ cases: flow() }, 'cases', { name: 'pod.pdf' })).toBe(false);
  });
});

describe('shareField and the rules in words', () => {
  it('a field is shared only when listed', () => {
    expect(shareField({ cases: flow() }, 'cases', 'status')).toEqual({
      share: true,
      rule: 'sharing.cases.fields: status',
    });
    expect(shareField({ cases: flow({ fields: [] }) }, 'cases', 'status').share).toBe(false);
  });
  it('says what is shared and warns about the silent default and the open choices', () => {
    const rules: SharingRules = {
      cases: flow(),
      approvals: flow({
        comments: { share: 'all', prefixes: [] },
        files: { ways: ['all'], name_prefix: null, checkbox_field: 'x' },
        fields: [],
      }),
    };
    const words = describeSharing(rules, ['cases', 'approvals']).join('\n');
    expect(words).toContain('cases: comments: a comment is sent only when it starts with "@partner" or "To partner:"');
    expect(words).toContain('cases: files: no file is ever sent');
    expect(words).toContain('cases: fields: changes of status are sent');
    expect(words).toContain('approvals: comments: EVERY comment');
    const warnings = sharingWarnings(rules, ['cases', 'approvals']);
    expect(warnings).toContain(
      'sharing.cases.files: no file attached in ClickUp will reach the partner (set sharing.cases.files.ways to share some)',
    );
    expect(warnings.filter((w) => w.startsWith('sharing.approvals'))).toHaveLength(2);
  });
});

describe('unsharedFieldWarnings: a field mapped toward Trading Grid that the sharing rules do not list', () => {
  const rules = (fields: string[]): SharingRules => ({ cases: flow({ fields }) });
  it.each([
    ['listed: no warning', ['status', 'value'], [{ field: 'value', mapping: 'mapping.fields "Value"' }], []],
    [
      'not listed: one warning naming both keys',
      ['status'],
      [{ field: 'value', mapping: 'mapping.fields "Value"' }],
      [
        'mapping.fields "Value" sends value toward Trading Grid, but sharing.cases.fields does not list value: its edits stay in ClickUp (audited field_not_sent); add value to sharing.cases.fields to send them',
      ],
    ],
    [
      'one of two listed',
      ['title'],
      [
        { field: 'title', mapping: 'mapping.fields "Name"' },
        { field: 'description', mapping: 'mapping.fields "Description"' },
      ],
      [expect.stringMatching(/^mapping.fields "Description" sends description toward/)],
    ],
    ['nothing mapped toward Trading Grid', [], [], []],
  ] as const)('%s', (_name, fields, toward, want) => {
    expect(unsharedFieldWarnings(rules([...fields]), toward)).toEqual(want);
  });
});
