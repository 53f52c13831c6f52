// A queued job is checked against its kind's schema: only the job catalogues mark a job checked, so a file that
// queues a job with an unchecked payload does not compile. This keeps any other file from marking one itself.
import { describe, expect, it } from 'vitest';
import { readSource, sourceFiles } from './sourceTree.ts';

/** The files that may mark a job checked, and why. */
const MARKERS: Readonly<Record<string, string>> = {
  'src/core/checkedJob.ts': 'defines the mark',
  'src/flows/catalogue.ts': "newJob: a flow's or a channel's kind with a payload of its type",
  'src/sync/engineJobs.ts': "newEngineJob and newScheduledJob: the engine's kinds, and a schedule's slot job",
  'test/helpers/anyJob.ts': 'made-up kinds for the tests of the queue itself',
};

/** What marks a job checked without a catalogue: calling the marker, or casting to the marked type. */
export function markings(text: string): string[] {
  const found: string[] = [];
  text.split('\n').forEach((line, i) => {
    const code = line.replace(/\/\/.*$/, '');
    if (/\bmarkChecked\b/.test(code)) found.push(`${i + 1}: markChecked`);
    if (/\bas\s+(unknown\s+as\s+)?[\w<>\s|&]*\b(CheckedJob|QueuedJob)\b/.test(code)) found.push(`${i + 1}: a cast`);
  });
  return found;
}

describe('checked jobs: the detector', () => {
  it.each([
    ['return markChecked(job);', ['1: markChecked']],
    ["import { markChecked } from '../core/checkedJob.ts';", ['1: markChecked']],
    ['const j = raw as CheckedJob;', ['1: a cast']],
    ["const j = raw as unknown as QueuedJob<'sla.remind'>;", ['1: a cast']],
    ['const jobs: CheckedJob[] = [];', []],
    ['// markChecked in a comment', []],
  ] as const)('%s', (text, expected) => {
    expect(markings(text)).toEqual(expected);
  });
});

describe('checked jobs: the source tree', () => {
  it('no file but the job catalogues marks a job checked (each finding names the file and line)', () => {
    const files = [...sourceFiles('src'), ...sourceFiles('test'), ...sourceFiles('bench'), ...sourceFiles('scripts')];
    const findings = files
      .filter((f) => !(f in MARKERS) && f !== 'test/unit/architecture/checkedJobs.test.ts')
      .flatMap((f) => markings(readSource(f)).map((hit) => `${f}:${hit}`));
    expect(findings).toEqual([]);
  });
});
