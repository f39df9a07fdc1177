/**
 * `moby`: the one command line of Moby Core. One file per subcommand; this file only
 * dispatches.
 */
import { daemonCommand } from './daemon.js';
import { componentLsCommand } from './component-ls.js';

const usage = `Usage: moby COMMAND

Commands:
  daemon         Run the engine: start the manifest's components and serve the Docker API
  component ls   List the engine's components: services, socket, version, health, pid, restarts
`;

const commands: Record<string, (args: string[]) => Promise<number>> = {
  daemon: daemonCommand,
  'component ls': componentLsCommand,
  'component list': componentLsCommand,
};

async function main(argv: string[]): Promise<number> {
  for (const [name, run] of Object.entries(commands)) {
    const words = name.split(' ');
    if (words.every((w, i) => argv[i] === w)) return run(argv.slice(words.length));
  }
  process.stderr.write(argv.length === 0 || argv[0] === '--help' || argv[0] === 'help' ? usage : `moby: unknown command "${argv.join(' ')}"\n\n${usage}`);
  return argv.length === 0 || argv[0] === '--help' || argv[0] === 'help' ? 0 : 2;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: Error) => {
    process.stderr.write(`moby: ${err.message}\n`);
    process.exit(1);
  },
);
