import { describe, expect, it } from 'vitest';
import type { CliCommand, CliIo } from './command';
import { matchCommand, runCli } from './main';

function capture(): CliIo & { out: string; err: string } {
  const io = { out: '', err: '', stdout: (t: string) => void (io.out += t), stderr: (t: string) => void (io.err += t) };
  return io;
}

const noop = async () => 0;
const commands: CliCommand[] = [
  { words: ['zoo'], summary: '', usage: '', run: noop },
  { words: ['zoo', 'export'], summary: '', usage: '', run: noop },
];

describe('matchCommand', () => {
  it('prefers the longest matching command words', () => {
    expect(matchCommand(commands, ['zoo', 'export', '--format', 'csv'])?.command.words).toEqual(['zoo', 'export']);
    expect(matchCommand(commands, ['zoo', 'export', '--format', 'csv'])?.rest).toEqual(['--format', 'csv']);
    expect(matchCommand(commands, ['zoo', 'list'])?.command.words).toEqual(['zoo']);
  });
  it('returns undefined for an unknown command', () => {
    expect(matchCommand(commands, ['nope'])).toBeUndefined();
  });
});

describe('runCli', () => {
  it('EXPECTED FAILURE: an unknown command exits 2 with one line naming it', async () => {
    const io = capture();
    expect(await runCli(['frobnicate'], io)).toBe(2);
    expect(io.err).toMatch(/unknown command "frobnicate"/);
    expect(io.err.trim().split('\n')).toHaveLength(1);
  });
});

describe('runCli with the real registry', () => {
  it('help lists the commands of every module', async () => {
    const io = capture();
    expect(await runCli(['help'], io)).toBe(0);
    for (const words of ['zoo export', 'eval coco', 'analyze', 'bench', 'submit']) expect(io.out).toContain(words);
  });
});
