import { Command } from 'commander';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { registerEdiCommands } from './edi.ts';

const fixture = (name: string) => new URL(`../../../test/fixtures/edi/${name}`, import.meta.url).pathname;

async function run(args: string[]): Promise<{ out: string; err: string; code: number | undefined }> {
  let out = '';
  let err = '';
  const o = vi.spyOn(process.stdout, 'write').mockImplementation((s) => ((out += String(s)), true));
  const e = vi.spyOn(process.stderr, 'write').mockImplementation((s) => ((err += String(s)), true));
  process.exitCode = undefined;
  try {
    const program = new Command().exitOverride();
    registerEdiCommands(program);
    await program.parseAsync(['node', 'gridbridge', ...args]);
    return { out, err, code: process.exitCode as number | undefined };
  } finally {
    o.mockRestore();
    e.mockRestore();
    process.exitCode = undefined;
  }
}

describe('gridbridge edi parse', () => {
  afterEach(() => vi.restoreAllMocks());

  it('prints the JSON shape for a good file and exits 0', async () => {
    const r = await run(['edi', 'parse', fixture('997-rejected.x12'), '--json']);
    expect(r.code).toBeUndefined();
    const json = JSON.parse(r.out);
    expect(Object.keys(json)).toEqual([
      'standard',
      'complete',
      'interchanges',
      'acknowledgments',
      'errors',
      'warnings',
    ]);
    expect(json.acknowledgments[1].normalized).toBe('rejected');
  });

  it('prints a readable summary', async () => {
    const r = await run(['edi', 'parse', fixture('850-856-810.x12')]);
    expect(r.out).toContain('850 0001  purchase_order PO-4711');
  });

  it('exits 1 with the byte offset and segment of the problem for a truncated file', async () => {
    const r = await run(['edi', 'parse', fixture('truncated.x12')]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/byte 639, segment 20: expected segment terminator/);
  });
});
