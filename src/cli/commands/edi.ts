import { createReadStream } from 'node:fs';
import type { Command } from 'commander';
import { parseEdi, type ParsedEdi } from '../../connectors/tradinggrid/edi/parseEdi.ts';

/** Human-readable summary of a parsed file (what `edi parse` prints without --json). */
export function describeParsedEdi(file: string, p: ParsedEdi): string {
  const lines: string[] = [];
  if (p.errors.length > 0) {
    lines.push(`${file}: does not parse (${p.standard.toUpperCase()})`);
    for (const e of p.errors) lines.push(`  byte ${e.position ?? '?'}, segment ${e.segment ?? '?'}: ${e.message}`);
    if (p.interchanges.length === 0 && p.acknowledgments.length === 0) return `${lines.join('\n')}\n`;
    lines.push(`read around the problem (${p.interchanges.length} interchange(s), the last one possibly cut short):`);
  } else lines.push(`${file}: ${p.standard.toUpperCase()}, ${p.interchanges.length} interchange(s)`);
  for (const w of p.warnings)
    lines.push(`  warning: byte ${w.position ?? '?'}, segment ${w.segment ?? '?'}: ${w.message}`);
  for (const ic of p.interchanges) {
    lines.push(
      `  interchange ${ic.control_number} ${ic.sender.qualifier}:${ic.sender.id} -> ${ic.receiver.qualifier}:${ic.receiver.id} (${ic.usage})`,
    );
    for (const g of ic.groups) {
      lines.push(`    group ${g.control_number ?? '(none)'} ${g.functional_id ?? ''}`.trimEnd());
      for (const t of g.transactions)
        lines.push(
          `      ${t.set_id} ${t.control_number}${t.business_reference ? `  ${t.business_reference.type} ${t.business_reference.value}` : ''}`,
        );
    }
  }
  for (const a of p.acknowledgments) {
    const what = Object.entries(a.acknowledges)
      .map(([k, v]) => `${k.replace('_control_number', '')} ${v}`)
      .join(', ');
    lines.push(`  ${a.kind} acknowledges ${what}: ${a.normalized}`);
    for (const e of a.errors)
      lines.push(
        `    ${[e.segment, e.position !== undefined ? `#${e.position}` : '', e.element !== undefined ? `element ${e.element}${e.component !== undefined ? `.${e.component}` : ''}${e.repetition !== undefined ? ` (repetition ${e.repetition})` : ''}` : ''].filter(Boolean).join(' ')} code ${e.code}${e.description ? ` ${e.description}` : ''}`.replace(
          /^ {4} /,
          '    ',
        ),
      );
  }
  return `${lines.join('\n')}\n`;
}

/** `gridbridge edi parse FILE [--json]`: exit code 1, with the position of the problem, when the file does not parse. */
export function registerEdiCommands(program: Command): void {
  const edi = program.command('edi').description('EDI files (X12 and EDIFACT)');
  edi
    .command('parse <file>')
    .description('print what was understood of an EDI file: interchanges, groups, transactions, acknowledgements')
    .option('--json', 'print JSON')
    .option(
      '--x12-encoding <set>',
      'character set of X12 text: utf8 (default; bytes that are not UTF-8 read as latin1) or latin1',
      'utf8',
    )
    .action(async (file: string, opts: { json?: boolean; x12Encoding: string }) => {
      if (opts.x12Encoding !== 'utf8' && opts.x12Encoding !== 'latin1') {
        process.stderr.write(`--x12-encoding must be utf8 or latin1, not ${opts.x12Encoding}\n`);
        process.exitCode = 2;
        return;
      }
      let parsed: ParsedEdi;
      try {
        parsed = await parseEdi(createReadStream(file, { highWaterMark: 1 << 20 }), { x12Encoding: opts.x12Encoding });
      } catch (e) {
        process.stderr.write(`${file}: cannot read: ${(e as Error).message}\n`);
        process.exitCode = 2;
        return;
      }
      if (opts.json) process.stdout.write(`${JSON.stringify(parsed, null, 2)}\n`);
      else (parsed.errors.length > 0 ? process.stderr : process.stdout).write(describeParsedEdi(file, parsed));
      if (parsed.errors.length > 0) process.exitCode = 1;
    });
}
