// Keeps the import rules of docs/CONVENTIONS.md over the whole source tree, wherever files move.
import { describe, expect, it } from 'vitest';
import { importViolation, isDecisionFile, isJobsFile } from './importRules.ts';
import { importSpecifiers, importsOf, readSource, sourceFiles } from './sourceTree.ts';

describe('import rules: the rule function', () => {
  it.each([
    // [file, import, broken rule or null]
    [
      'src/core/sla/computeSla.ts',
      '../../sync/context.ts',
      /src\/core imports only src\/core, not src\/sync\/context\.ts/,
    ],
    [
      'src/core/sla/computeSla.ts',
      '../../config/schema.ts',
      /src\/core imports only src\/core, not src\/config\/schema\.ts/,
    ],
    ['src/core/sla/computeSla.ts', '../case.ts', null],
    ['src/core/sla/computeSla.ts', 'zod', null],
    ['src/core/sla/computeSla.ts', 'kysely', /pure decision imports only src\/core and zod, not the package kysely/],
    ['src/core/sla/computeSla.test.ts', 'vitest', null],
    ['src/core/sla/computeSla.ts', 'vitest', /not the package vitest/],
    ['src/flows/05-escalation/decisions/remind.ts', '../../../core/case.ts', null],
    [
      'src/flows/05-escalation/decisions/remind.ts',
      '../../../store/ops/cases.ts',
      /pure decision imports only src\/core and zod, not src\/store\/ops\/cases\.ts/,
    ],
    [
      'src/flows/05-escalation/decisions/remind.ts',
      '../handlers/remind.ts',
      /not src\/flows\/05-escalation\/handlers\/remind\.ts/,
    ],
    ['src/flows/05-escalation/decisions/remind.ts', 'pg', /not the package pg/],
    ['src/flows/05-escalation/decisions/slaSweep.ts', './sla/computeSla.ts', null],
    ['src/flows/05-escalation/decisions/slaSweep.test.ts', './slaSweep.ts', null],
    [
      'src/flows/08-rollouts/decideAudience.ts',
      './rolloutHandler.ts',
      /not src\/flows\/08-rollouts\/rolloutHandler\.ts/,
    ],
    [
      'src/flows/shared/decideComment.ts',
      '../../connectors/clickup/client.ts',
      /not src\/connectors\/clickup\/client\.ts/,
    ],
    ['src/flows/05-escalation/handlers/remind.ts', '../../../store/ops/cases.ts', null],
    ['src/connectors/clickup/client.ts', '../../sync/context.ts', /src\/connectors must not import src\/sync/],
    [
      'src/connectors/clickup/client.ts',
      '../../flows/01-case-intake/jobs.ts',
      /src\/connectors must not import src\/flows/,
    ],
    ['src/store/ops/cases.ts', '../../server/app.ts', /src\/store must not import src\/server/],
    ['src/store/ops/cases.ts', '../../channels/partner-email/send.ts', /src\/store must not import src\/channels/],
    ['src/store/ops/cases.ts', '../../core/case.ts', null],
    ['src/connectors/tradinggrid/contract.test.ts', '../../server/app.ts', null],
    ['src/store/ops/cases.ts', 'kysely', null],
    ['src/sync/dispatcher.ts', '../store/ops/claimJobs.ts', null],
    ['src/flows/04-onboarding/jobs.ts', 'zod', null],
    ['src/flows/02-status-sync/jobs.ts', '../../core/case.ts', null],
    [
      'src/flows/04-onboarding/jobs.ts',
      '../../connectors/tradinggrid/events.ts',
      /jobs file imports only zod and src\/core, not src\/connectors\/tradinggrid\/events\.ts/,
    ],
    [
      'src/flows/04-onboarding/jobs.ts',
      './handlers/onboarding.ts',
      /jobs file imports only zod and src\/core, not src\/flows\/04-onboarding\/handlers\/onboarding\.ts/,
    ],
    [
      'src/flows/shared/taskGroupJobs.ts',
      '../../sync/flowModule.ts',
      /jobs file imports only zod and src\/core, not src\/sync\/flowModule\.ts/,
    ],
    [
      'src/channels/tradinggrid-mailbox/jobs.ts',
      '../../connectors/tradinggrid/mailbox/exceptions.ts',
      /jobs file imports only zod and src\/core, not src\/connectors/,
    ],
    [
      'src/channels/partner-email/jobs.ts',
      '../../config/partnerChannelSchema.ts',
      /jobs file imports only zod and src\/core, not src\/config/,
    ],
    [
      'src/channels/partner-email/jobs.ts',
      'kysely',
      /jobs file imports only zod and src\/core, not the package kysely/,
    ],
    ['src/channels/partner-email/outbox.ts', '../../store/ops/enqueueJobs.ts', null],
    ['src/flows/catalogue.ts', './04-onboarding/jobs.ts', null],
    ['src/flows/catalogue.ts', '../channels/partner-email/jobs.ts', null],
    ['src/flows/catalogue.ts', 'zod', null],
    [
      'src/flows/catalogue.ts',
      '../store/ops/enqueueJobs.ts',
      /job catalogue imports only the jobs files, src\/core and zod, not src\/store\/ops\/enqueueJobs\.ts/,
    ],
    ['src/flows/catalogue.ts', './04-onboarding/module.ts', /job catalogue imports only .*module\.ts/],
    ['src/flows/catalogue.ts', 'kysely', /job catalogue imports only .* not the package kysely/],
  ] as const)('%s importing %s', (file, specifier, expected) => {
    const got = importViolation(file, specifier);
    if (expected === null) expect(got).toBeNull();
    else expect(got).toMatch(expected);
  });

  it.each([
    // [decision file, import, type-only, broken rule or null]
    ['src/flows/04-onboarding/decisions/onboarding.ts', '../../catalogue.ts', true, null],
    ['src/flows/04-onboarding/decisions/onboarding.ts', '../../shared/taskGroupJobs.ts', true, null],
    ['src/flows/05-escalation/decisions/slaSweep.ts', '../jobs.ts', true, null],
    [
      'src/flows/04-onboarding/decisions/onboarding.ts',
      '../../catalogue.ts',
      false,
      /names the job catalogue's types with `import type` only, not a value import of src\/flows\/catalogue\.ts/,
    ],
    ['src/flows/05-escalation/decisions/slaSweep.ts', '../jobs.ts', false, /`import type` only/],
    [
      'src/flows/04-onboarding/decisions/onboarding.ts',
      '../handlers/onboarding.ts',
      true,
      /pure decision imports only src\/core and zod, not src\/flows\/04-onboarding\/handlers\/onboarding\.ts/,
    ],
    ['src/flows/04-onboarding/decisions/onboarding.ts', '../../../sync/context.ts', true, /not src\/sync\/context\.ts/],
  ] as const)('decision %s importing %s (type-only: %s)', (file, specifier, typeOnly, expected) => {
    const got = importViolation(file, specifier, typeOnly);
    if (expected === null) expect(got).toBeNull();
    else expect(got).toMatch(expected);
  });

  it.each([
    ['src/core/case.ts', true],
    ['src/flows/06-approvals/decisions/requestFacts.ts', true],
    ['src/flows/08-rollouts/decideAudience.ts', true],
    ['src/flows/08-rollouts/rolloutHandler.ts', false],
    ['src/sync/decideX.ts', false],
  ] as const)('%s is a pure decision file: %s', (file, expected) => {
    expect(isDecisionFile(file)).toBe(expected);
  });

  it.each([
    ['src/flows/01-case-intake/jobs.ts', true],
    ['src/flows/shared/taskGroupJobs.ts', true],
    ['src/channels/tradinggrid-mailbox/jobs.ts', true],
    ['src/channels/partner-email/jobs.ts', true],
    ['src/flows/catalogue.ts', false],
    ['src/sync/jobs.ts', false],
    ['src/store/ops/enqueueJobs.ts', false],
  ] as const)('%s is a jobs file: %s', (file, expected) => {
    expect(isJobsFile(file)).toBe(expected);
  });

  it('reads type-only imports, re-exports and dynamic imports', () => {
    const text = "import type { A } from './a.ts';\nexport * from '../b.ts';\nconst c = await import('./c.ts');";
    expect(importSpecifiers(text)).toEqual(['./a.ts', '../b.ts', './c.ts']);
  });

  it('tells which imports are erased at run time', () => {
    const text = [
      "import type { A } from './a.ts';",
      "import { type B } from './b.ts';",
      "import { c } from './c.ts';",
      "export type { D } from './d.ts';",
      "export * from './e.ts';",
      "const f = await import('./f.ts');",
      "type G = import('./g.ts').G;",
      "import './h.ts';",
    ].join('\n');
    expect(importsOf(text)).toEqual([
      { specifier: './a.ts', typeOnly: true },
      { specifier: './b.ts', typeOnly: false },
      { specifier: './c.ts', typeOnly: false },
      { specifier: './d.ts', typeOnly: true },
      { specifier: './e.ts', typeOnly: false },
      { specifier: './f.ts', typeOnly: false },
      { specifier: './g.ts', typeOnly: true },
      { specifier: './h.ts', typeOnly: false },
    ]);
  });
});

describe('import rules: the source tree', () => {
  const files = sourceFiles('src');

  it('finds the source tree (core, connectors and store are there)', () => {
    expect(files.filter((f) => f.startsWith('src/core/')).length).toBeGreaterThan(10);
    expect(files.filter((f) => f.startsWith('src/connectors/')).length).toBeGreaterThan(10);
    expect(files.filter((f) => f.startsWith('src/store/')).length).toBeGreaterThan(10);
  });

  it('no file breaks an import rule (each finding names the file and the import)', () => {
    const findings: string[] = [];
    for (const file of files) {
      for (const { specifier, typeOnly } of importsOf(readSource(file))) {
        const broken = importViolation(file, specifier, typeOnly);
        if (broken) findings.push(`${file} imports '${specifier}': ${broken}`);
      }
    }
    expect(findings).toEqual([]);
  });
});
