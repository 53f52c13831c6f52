import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runDemo } from '../../src/cli/commands/demo.ts';

describe('npm run demo', () => {
  it('plays the scripted day through the flows and says what happened', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gb-demo-'));
    let out = '';
    const { stop, summary } = await runDemo({ port: 0, store: join(dir, 'demo.db'), once: true }, (s) => (out += s));
    try {
      // Flow 1: every mapped partner's case has a task, the unmapped one is held with its reason.
      const mapped = summary.cases.filter((c) => c.partner !== 'P-UMBRELLA');
      expect(mapped.length).toBeGreaterThanOrEqual(5);
      for (const c of mapped) expect(c.taskId, c.caseId).toBeTruthy();
      expect(summary.cases.find((c) => c.partner === 'P-UMBRELLA')?.holdReason).toMatch(/no mapping/);
      expect(summary.deadLetters).toBe(0);
      // The EDI-only partner: its EDIFACT files in the mailbox folder became a task, and the community API was
      // never asked about it (it is not on the community side: partners.map community: false).
      const wayne = summary.cases.filter((c) => c.partner === 'P-WAYNE');
      expect(wayne.map((c) => c.label)).toEqual(['EDI invoice_mismatch']);
      expect(wayne[0]!.taskId).toBeTruthy();
      expect(out).toMatch(/Wayne Fasteners trades over EDI only/);
      expect(out).toMatch(/INVOIC INV-E9001 vs PO PO-E4711: 4000862141411 price 42 invoiced, 40 ordered/);
      expect(out).toContain('requests to the community API about Wayne Fasteners while its files became tasks: 0');
      // The later parts of the day each report in the output.
      expect(out).toMatch(/Midday: the team works the cases in ClickUp/);
      expect(out).toMatch(/partner now sees "in_review"/);
      expect(out).toMatch(/console\s+http:\/\/127\.0\.0\.1:\d+\/ui\//);
      // The sharing rules: one internal file and comment stay internal, one of each reaches the partner.
      expect(out).toContain(
        'sharing rules: sent to the partner a comment (sharing.cases.comments: starts with "@partner"), file partner-credit-note.pdf (sharing.cases.files: name starts with "partner-"); kept internal a comment, file credit-note-draft.pdf',
      );
      // The bulk-change guard: ten tasks moved at once by one person, six go, four are held.
      expect(out).toMatch(/6 reached the partner; 4 held for an admin/);
      // The partner without an API: every partner-facing flow by e-mail, each mail with its page link printed.
      expect(out).toMatch(/Night: Hooli Foods has no community API/);
      for (const subject of [
        /We received your case/,
        /Your case \S+ is now: in review/,
        /New comment on your case/,
        /A document for your case .*partner-credit-note-9120\.pdf/,
        /Decision on your request \S+: approved/,
        /Your scorecard for/,
        /Please acknowledge: Delivery notes/,
        /Decision on your request PR-[0-9A-F]+: approved/,
        /New comment on your request PR-/,
      ]) {
        expect(out).toMatch(new RegExp(subject.source + String.raw`[^\n]*\n\s+http://127\.0\.0\.1:\d+/p/v1\.`));
      }
      expect(out).toContain('its case there is still "open"');
      expect(out).toMatch(
        /Hana's "new request" page: http:\/\/127\.0\.0\.1:\d+\/p\/v1\.[\w.-]+\/request \(she sent request PR-[0-9A-F]{10} there\)/,
      );
    } finally {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
