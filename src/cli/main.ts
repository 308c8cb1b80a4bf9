import { Command, CommanderError } from 'commander';
import { CliError } from './cli-error.ts';
import { registerEventsCommands } from './commands/events.ts';
import { registerRuntimeCommands } from './commands/runtime.ts';
import { registerVehiclesCommands } from './commands/vehicles.ts';
import { registerDlqCommands } from './commands/dlq.ts';
import { registerDecodeCommand } from './commands/decode.ts';
import { registerSimulateCommand } from './commands/simulate.ts';
import { registerTokenCommand } from './commands/token.ts';
import { registerAuditCommands } from './commands/audit.ts';

// The SDK warns on every process start that its 2027 releases need Node 22; Fleetwire pins SDK versions.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const program = new Command('fleetwire')
  .description('Fleetwire: fleet telemetry on AWS, and its offline twin')
  .showHelpAfterError()
  .exitOverride();

registerRuntimeCommands(program);
registerEventsCommands(program);
registerVehiclesCommands(program);
registerDlqCommands(program);
registerDecodeCommand(program);
registerSimulateCommand(program);
registerTokenCommand(program);
registerAuditCommands(program);

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) {
    process.exitCode = error.exitCode === 0 ? 0 : 2;
  } else if (error instanceof CliError) {
    process.stderr.write(`fleetwire: ${error.message}\n`);
    process.exitCode = error.exitCode;
  } else {
    process.stderr.write(
      `fleetwire: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exitCode = 1;
  }
}
