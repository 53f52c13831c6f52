import { Command } from 'commander';
import { registerStartCommand } from './commands/start.ts';
import { registerConfigCommands } from './commands/config.ts';
import { registerDlqCommands } from './commands/dlq.ts';
import { registerSandboxCommands } from './commands/sandbox.ts';
import { registerDemoCommand } from './commands/demo.ts';
import { registerEdiCommands } from './commands/edi.ts';
import { registerRolloutCommands } from './commands/rollout.ts';
import { registerSecretsCommands } from './commands/secrets.ts';
import { registerReportCommand } from './commands/report.ts';
import { registerBackfillCommand } from './commands/backfill.ts';
import { registerHeldCommands } from './commands/held.ts';
import { registerDoctorCommand } from './commands/doctor.ts';
import { registerAdminCommands } from './commands/admin.ts';
import { registerMigrateCommand } from './commands/migrate.ts';
import { registerStoreCommands } from './commands/store.ts';

const program = new Command('gridbridge')
  .description('Keeps OpenText Trading Grid partner work and ClickUp in step, both ways.')
  .showHelpAfterError();

registerStartCommand(program);
registerDemoCommand(program);
registerConfigCommands(program);
registerDlqCommands(program);
registerSandboxCommands(program);
registerEdiCommands(program);
registerRolloutCommands(program);
registerSecretsCommands(program);
registerReportCommand(program);
registerBackfillCommand(program);
registerHeldCommands(program);
registerDoctorCommand(program);
registerAdminCommands(program);
registerMigrateCommand(program);
registerStoreCommands(program);

await program.parseAsync(process.argv);
