// The guardian: a small watchdog that stands between a workbench command and each program it starts (TLC's
// JVM, SANY, Maven), so that the program never outlives the command, even when the command is killed with
// SIGKILL and can clean up nothing itself.
//
// Plain JavaScript, run by `node` directly: it starts in ~40 ms, with no TypeScript loader.
//
//   node guardian.mjs '<json: {command, args, cwd, scratch, graceMs}>'   (the program gets this environment)
//
// - The program inherits the guardian's stdout and stderr: its output goes straight to the command, with
//   nothing copied on the way.
// - The guardian's stdin is a pipe from the command and nothing is ever written to it: when it ends, the
//   command is gone (exited, crashed, killed), and the guardian kills the program and deletes `scratch`
//   (the temporary folders the program writes into). It also notices a new parent process id, in case
//   the pipe was inherited elsewhere.
// - SIGTERM or SIGHUP from the command: the program gets SIGTERM, then SIGKILL after `graceMs`.
// - SIGINT is ignored: a terminal's Ctrl-C reaches the whole process group, the program included; the
//   command decides what happens next.
// - File descriptor 3 reports to the command, one JSON object a line: {"pid"} once the program runs,
//   {"spawnError": {code, message}} when it could not start, {"exit": {code, signal}} when it ended.
import { spawn } from 'node:child_process';
import { rmSync, writeSync } from 'node:fs';

const config = JSON.parse(process.argv[2] ?? '{}');
const scratch = Array.isArray(config.scratch) ? config.scratch : [];
const graceMs = typeof config.graceMs === 'number' ? config.graceMs : 3000;

function report(message) {
  try {
    writeSync(3, `${JSON.stringify(message)}\n`);
  } catch {
    // The command is gone; nobody is listening.
  }
}

let commandGone = false;
let stopping = false;

const program = spawn(config.command, config.args ?? [], {
  cwd: config.cwd,
  stdio: ['ignore', 'inherit', 'inherit'],
});

program.on('error', (error) => {
  report({ spawnError: { code: error.code ?? 'UNKNOWN', message: error.message } });
  removeScratch();
  process.exit(127);
});

program.on('spawn', () => report({ pid: program.pid }));

program.on('exit', (code, signal) => {
  if (commandGone) removeScratch();
  report({ exit: { code, signal } });
  process.exit(code ?? 128);
});

function removeScratch() {
  for (const dir of scratch) {
    try {
      rmSync(dir, { recursive: true, force: true });
    } catch {
      // Best effort: a folder that cannot be removed now is the operating system's to reap.
    }
  }
}

function stop() {
  if (stopping) return;
  stopping = true;
  program.kill('SIGTERM');
  setTimeout(() => program.kill('SIGKILL'), graceMs).unref();
}

function onCommandGone() {
  if (commandGone) return;
  commandGone = true;
  // Nobody reads the program's output any more: no point in a graceful stop.
  program.kill('SIGKILL');
}

process.on('SIGTERM', stop);
process.on('SIGHUP', stop);
process.on('SIGINT', () => {});

process.stdin.on('end', onCommandGone);
process.stdin.on('close', onCommandGone);
process.stdin.on('error', onCommandGone);
process.stdin.resume();

const parent = process.ppid;
setInterval(() => {
  if (process.ppid !== parent) onCommandGone();
}, 500).unref();
