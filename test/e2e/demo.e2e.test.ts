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
      // The later parts of the day each report in the output.
      expect(out).toMatch(/Midday: the team works the cases in ClickUp/);
      expect(out).toMatch(/partner now sees "in_review"/);
      expect(out).toMatch(/console\s+http:\/\/127\.0\.0\.1:\d+\/ui\//);
    } finally {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
