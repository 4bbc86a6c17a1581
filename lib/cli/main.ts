import { isSlimboardError } from '../errors';
import { processIo, type CliCommand, type CliIo } from './command';
import { commandModules } from './registry';

/** Load the module of one first word, or every module (for `help` and unknown words). */
async function loadCommands(firstWord?: string): Promise<CliCommand[]> {
  const one = firstWord === undefined ? undefined : commandModules[firstWord];
  const loaders = one ? [one] : Object.values(commandModules);
  const modules = await Promise.all(loaders.map((load) => load()));
  return modules.flatMap((m) => (Array.isArray(m.default) ? m.default : [m.default]));
}

function helpText(commands: CliCommand[]): string {
  const lines = commands
    .map((c) => `  ${c.words.join(' ').padEnd(20)} ${c.summary}`)
    .sort();
  return `usage: npm run -s slimboard -- <command> [options]\n\ncommands:\n${lines.join('\n')}\n`;
}

/** Find the command whose words are the longest prefix of argv. */
export function matchCommand(commands: CliCommand[], argv: string[]): { command: CliCommand; rest: string[] } | undefined {
  let best: { command: CliCommand; rest: string[] } | undefined;
  for (const command of commands) {
    const n = command.words.length;
    if (argv.length >= n && command.words.every((w, i) => argv[i] === w)) {
      if (!best || n > best.command.words.length) best = { command, rest: argv.slice(n) };
    }
  }
  return best;
}

export async function runCli(argv: string[], io: CliIo = processIo): Promise<number> {
  const wantsHelp = argv.length === 0 || argv[0] === 'help' || argv[0] === '--help' || argv[0] === '-h';
  const commands = await loadCommands(wantsHelp ? undefined : argv[0]);
  if (wantsHelp) {
    io.stdout(helpText(commands));
    return argv.length === 0 ? 2 : 0;
  }
  const match = matchCommand(commands, argv);
  if (!match) {
    io.stderr(`error: unknown command "${argv.join(' ')}" (try: npm run -s slimboard -- help)\n`);
    return 2;
  }
  if (match.rest.includes('--help')) {
    io.stdout(`usage: ${match.command.usage}\n`);
    return 0;
  }
  try {
    return await match.command.run(match.rest, io);
  } catch (e) {
    if (isSlimboardError(e)) {
      io.stderr(`error: ${e.message}\n`);
      return 2;
    }
    io.stderr(`internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    return 1;
  }
}

const isEntry = process.argv[1] !== undefined && /lib[\\/]cli[\\/]main\.ts$/.test(process.argv[1]);
if (isEntry) {
  // Started with an IPC channel by a parent process, in a process group of its own so that the terminal's Ctrl-C
  // does not reach it: die with that parent, whatever ends it (the channel closes).
  if (process.channel) {
    process.channel.unref();
    process.once('disconnect', () => process.exit(129));
  }
  // The parent may have died while this module was still loading (the 'disconnect' event came before the listener).
  if (process.send && !process.connected) process.exit(129);
  runCli(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (e) => {
      process.stderr.write(`internal error: ${String(e)}\n`);
      process.exitCode = 1;
    },
  );
}
