/**
 * A CLI command. `run` receives the arguments after the command words and returns the exit code.
 * Throw `SlimboardError` for anything the user got wrong: `main.ts` prints one line and exits 2.
 */
export interface CliCommand {
  /** Command words, e.g. ['zoo', 'export'] or ['analyze']. */
  words: string[];
  /** One line for `slimboard help`. */
  summary: string;
  /** Usage line(s), printed with `--help`. */
  usage: string;
  run(args: string[], io: CliIo): Promise<number>;
}

export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

export const processIo: CliIo = {
  stdout: (t) => process.stdout.write(t),
  stderr: (t) => process.stderr.write(t),
};

/** Print one JSON object (the `--json` contract of every command). */
export function printJson(io: CliIo, value: unknown): void {
  io.stdout(JSON.stringify(value, null, 2) + '\n');
}
