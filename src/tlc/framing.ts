/**
 * Splits TLC's `-tool` output into framed messages. In tool mode TLC wraps each message in
 * `@!@!@STARTMSG <code>:<severity> @!@!@` ... `@!@!@ENDMSG <code> @!@!@`; everything else (SANY's
 * parse errors, Java stack traces) arrives as plain text between messages and is kept, never dropped.
 *
 * @module
 */

/** One unit of TLC output. */
export type TlcChunk =
  | { readonly type: 'message'; readonly code: number; readonly severity: number; readonly body: string }
  | { readonly type: 'text'; readonly line: string };

const START = /^@!@!@STARTMSG (-?\d+):(\d+) @!@!@$/;
const END = /^@!@!@ENDMSG (-?\d+) @!@!@$/;

/** Incremental framer: feed it stdout as it arrives, chunk boundaries anywhere. */
export class TlcOutputFramer {
  private pending = '';
  private readonly open: { code: number; severity: number; lines: string[] }[] = [];

  constructor(private readonly emit: (chunk: TlcChunk) => void) {}

  /** Feeds a piece of output; complete lines are processed now, a partial line waits. */
  push(data: string): void {
    this.pending += data;
    let newline = this.pending.indexOf('\n');
    while (newline >= 0) {
      this.line(this.pending.slice(0, newline).replace(/\r$/, ''));
      this.pending = this.pending.slice(newline + 1);
      newline = this.pending.indexOf('\n');
    }
  }

  /** Flushes a trailing partial line and any message TLC never closed (for example when killed). */
  end(): void {
    if (this.pending.length > 0) this.line(this.pending);
    this.pending = '';
    while (this.open.length > 0) this.closeInnermost();
  }

  private line(line: string): void {
    const start = START.exec(line);
    if (start) {
      this.open.push({ code: Number(start[1]), severity: Number(start[2]), lines: [] });
      return;
    }
    const end = END.exec(line);
    if (end && this.open.length > 0) {
      this.closeInnermost();
      return;
    }
    const current = this.open[this.open.length - 1];
    if (current) current.lines.push(line);
    else this.emit({ type: 'text', line });
  }

  private closeInnermost(): void {
    const message = this.open.pop();
    if (!message) return;
    // TLC ends most bodies with a blank line; it carries no meaning.
    while (message.lines.length > 0 && message.lines[message.lines.length - 1]?.trim() === '') message.lines.pop();
    this.emit({ type: 'message', code: message.code, severity: message.severity, body: message.lines.join('\n') });
  }
}

/** Frames a complete output at once (fixtures, tests). */
export function frameTlcOutput(output: string): TlcChunk[] {
  const chunks: TlcChunk[] = [];
  const framer = new TlcOutputFramer((c) => chunks.push(c));
  framer.push(output);
  framer.end();
  return chunks;
}
