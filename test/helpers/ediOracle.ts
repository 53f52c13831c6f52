import { createRequire } from 'node:module';
import { readEdi } from '../../src/connectors/tradinggrid/edi/readEdi.ts';
import type { Segment } from '../../src/connectors/tradinggrid/edi/segment.ts';

// The edifact package (CommonJS, no types): the reader we did not write, for every EDIFACT file we write.
const { Reader } = createRequire(import.meta.url)('edifact') as {
  Reader: new () => { parse(doc: string): Array<{ name: string; elements: string[][] }> };
};

/**
 * An EDIFACT file as the `edifact` package reads it (segments with their components, release characters
 * removed). Two things it does not know are bridged, and nothing else: a syntax version 4 UNA names the
 * repetition separator in its fifth place, where the package accepts only the version 3 space; and the
 * package has no UNOW (UTF-8, like its UNOY), so UNOW is read as UNOY.
 */
export function edifactOracle(buf: Buffer): Array<{ name: string; elements: string[][] }> {
  const utf8 = /^(UNA.{6}\s*)?UNB.UNO[WY]/s.test(buf.toString('latin1', 0, 40));
  let text = buf.toString(utf8 ? 'utf8' : 'latin1');
  if (text.startsWith('UNA')) text = `${text.slice(0, 7)} ${text.slice(8)}`;
  text = text.replace(/^(UNA.{6}\s*UNB.)UNOW/s, '$1UNOY');
  return new Reader().parse(text.replace(/\r?\n/g, ''));
}

/** Every segment of a file as our reader sees it (read values with el / comp / comps). */
export async function segmentsOf(buf: Buffer): Promise<Segment[]> {
  const out: Segment[] = [];
  await readEdi(buf, {}, { onSegment: (s) => out.push(s) });
  return out;
}
