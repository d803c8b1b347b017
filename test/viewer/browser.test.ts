// The generated pages driven in a real headless Chromium (Debian's `chromium`, through playwright-core):
// no console errors, a lane per node, an arrow per delivered message, a click shows that step's state
// with the right change marks, and a 10,000-step page loads within a bound measured against a 100-step
// page. Screenshots of each view are kept in .cache/viewer/screenshots/ (git-ignored).
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, type Page, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { conformanceCommand } from '../../src/cli/conformance.js';
import { runSimCli } from '../../src/cli/sim.js';
import { REPO_ROOT } from '../../src/paths.js';
import { buildHistoryView } from '../../src/viewer/history-view.js';
import { renderPage } from '../../src/viewer/html.js';
import { loadViews } from '../../src/viewer/inputs.js';
import type { TraceView, View } from '../../src/viewer/model.js';
import { recordingStates } from '../../src/viewer/recording-view.js';
import { buildTraceView } from '../../src/viewer/trace-view.js';
import { parseImplTrace } from '../../src/validate/format.js';
import { STALE_READ, labelledMessages, readBehaviour, syntheticBehaviour } from './support.js';

const CANDIDATES = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'].filter((p): p is string => p !== undefined && p !== '');
const executable = CANDIDATES.find((p) => existsSync(p));
const SCREENSHOTS = join(REPO_ROOT, '.cache', 'viewer', 'screenshots');
const MISSING = `Chromium not found (looked for ${CANDIDATES.join(', ')}): install it with \`apt-get install -y chromium\` (Debian) or set CHROMIUM_PATH`;

if (executable === undefined) {
  if (process.env.CI) {
    it('runs the viewer pages in Chromium', () => {
      throw new Error(`${MISSING}; CI must run the browser tests.`);
    });
  } else {
    console.warn(`viewer browser tests skipped: ${MISSING}.`);
  }
}

describe.skipIf(executable === undefined)('viewer pages in Chromium', () => {
  let browser: Browser;
  const dir = mkdtempSync(join(tmpdir(), 'viewer-pages-'));

  beforeAll(async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    browser = await chromium.launch({ executablePath: executable, args: ['--no-sandbox'] });
  });
  afterAll(async () => {
    await browser?.close();
  });

  /** Opens the page of `view`; `errors` collects console errors and uncaught exceptions. */
  async function open(name: string, view: View, height = 1400): Promise<{ page: Page; errors: string[]; loadMs: number }> {
    const file = join(dir, `${name}.html`);
    writeFileSync(file, await renderPage(view));
    const page = await browser.newPage({ viewport: { width: 1500, height } });
    const errors: string[] = [];
    page.on('console', (m) => void (m.type() === 'error' && errors.push(m.text())));
    page.on('pageerror', (e) => void errors.push(e.message));
    const started = performance.now();
    await page.goto(`file://${file}`);
    await page.waitForSelector('body[data-ready]');
    return { page, errors, loadMs: performance.now() - started };
  }

  const shoot = (page: Page, name: string) => page.screenshot({ path: join(SCREENSHOTS, `${name}.png`) });

  it('an ITF trace: a lane per node, an arrow per delivered, lost and duplicated message', async () => {
    for (const file of ['traces/raft/scenario/duplicate-redelivered.itf.json', 'traces/raft/scenario/stale-suffix-behind-prefix.itf.json']) {
      const states = readBehaviour(file);
      const [named] = await loadViews(join(REPO_ROOT, file));
      const { page, errors } = await open('trace', named!.view);
      const expected = labelledMessages(states);
      expect(await page.locator('.lane-head').allTextContents()).toEqual(['s1', 's2', 's3']);
      expect(await page.locator('.step-row').count()).toBe(states.length);
      expect(await page.locator('line.msg.delivered').count()).toBe(expected.delivered.length);
      expect(await page.locator('line.msg.dropped').count()).toBe(expected.dropped);
      expect(await page.locator('line.msg.dup').count()).toBe(expected.duplicated);
      // Each delivery ends on the lane of the node whose label consumes it.
      for (const d of expected.delivered) {
        const arrow = page.locator(`line.msg.delivered[data-step="${d.step}"]`);
        expect(await arrow.count()).toBeGreaterThan(0);
        const x2 = Number(await arrow.first().getAttribute('x2'));
        const lane = await page.locator(`.lane-head[data-node="${d.to}"]`).boundingBox();
        expect(Math.abs(x2 - (lane!.x + lane!.width / 2))).toBeLessThan(2);
      }
      if (file.includes('duplicate')) await shoot(page, 'trace');
      expect(errors).toEqual([]);
      await page.close();
    }
  });

  it('clicking a step shows its state with added, modified and deleted marks; unchanged hidden until asked', async () => {
    const [named] = await loadViews(join(REPO_ROOT, 'traces/raft/scenario/duplicate-redelivered.itf.json'));
    const { page, errors } = await open('trace-click', named!.view);
    const marks = () =>
      page.$$eval('#state-table tr', (rows) => Object.fromEntries(rows.map((r) => [r.getAttribute('data-path') ?? '', { mark: r.className, shown: getComputedStyle(r).display !== 'none' }])));
    // Step 1, Timeout(s1): s1 becomes a candidate of term 1, votes for itself, and asks s2 and s3 for votes.
    await page.click('.step-row[data-step="1"]');
    expect(await page.getAttribute('body', 'data-selected')).toBe('1');
    let rows = await marks();
    for (const path of ['currentTerm[s1]', 'role[s1]', 'votedFor[s1]', 'votesGranted[s1]']) expect(rows[path]).toEqual({ mark: 'modified', shown: true });
    const added = Object.entries(rows).filter(([, r]) => r.mark === 'added');
    expect(added.map(([p]) => p).every((p) => p?.startsWith('messages[') && p.includes('RequestVoteRequest'))).toBe(true);
    expect(added).toHaveLength(2);
    expect(rows['currentTerm[s2]']).toEqual({ mark: 'unchanged', shown: false });
    await page.check('#show-unchanged');
    expect((await marks())['currentTerm[s2]']).toEqual({ mark: 'unchanged', shown: true });
    await page.uncheck('#show-unchanged');
    // → moves to step 2, DropMessage: the request to s2 leaves the bag.
    await page.keyboard.press('ArrowRight');
    expect(await page.getAttribute('body', 'data-selected')).toBe('2');
    rows = await marks();
    const deleted = Object.entries(rows).filter(([, r]) => r.mark === 'deleted');
    expect(deleted.map(([p]) => p)).toEqual([expect.stringMatching(/^messages\[.*mdest \|-> s2/)]);
    await page.keyboard.press('ArrowLeft');
    expect(await page.getAttribute('body', 'data-selected')).toBe('1');
    await shoot(page, 'state-table');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('a check-spec counterexample and a conformance divergence: the failing step flagged and shown', async () => {
    const summary = await loadViews(join(REPO_ROOT, 'test/viewer/fixtures/check-spec-summary.json'));
    for (const { name, view } of summary) {
      const { page, errors } = await open(`counterexample-${name}`, view);
      expect(await page.locator('#highlight').textContent()).toContain('Violation');
      const last = String((view as TraceView).steps.length - 1);
      expect(await page.getAttribute('.step-row.flagged', 'data-step')).toBe(last);
      expect(await page.getAttribute('body', 'data-selected')).toBe(last);
      await shoot(page, `counterexample-${name}`);
      expect(errors).toEqual([]);
      await page.close();
    }
    let out = '';
    const io = { stdout: (t: string) => (out += t), stderr: () => undefined, env: {}, cwd: REPO_ROOT, interactive: false, signal: new AbortController().signal };
    await conformanceCommand(['--protocol', 'raft', '--defect', 'double-vote', '--json', 'traces/raft/scenario/vote-refused-already-voted.itf.json'], io);
    const report = join(dir, 'conformance.json');
    writeFileSync(report, out);
    const [divergence] = await loadViews(report);
    const { page, errors } = await open('divergence', divergence!.view);
    expect(await page.locator('#highlight').textContent()).toContain('Divergence at step 5');
    expect(await page.locator('#state-table tr.flagged-row[data-path="votedFor[s1]"]').count()).toBe(1);
    await shoot(page, 'divergence');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('an implementation trace (sim --record): lanes per server, arrows from send to receipt, losses, copies and restarts, virtual time', async () => {
    // The crashes profile, seed 3: losses, duplicates and restarts in one run.
    runSimCli(['--seed', '3', '--profile', 'crashes', '--quiet', '--record', 'run.ndjson'], () => undefined, () => undefined, { cwd: dir });
    const file = join(dir, 'run.ndjson');
    const states = recordingStates(parseImplTrace(readFileSync(file, 'utf8'), file));
    const [named] = await loadViews(file);
    const { page, errors } = await open('recording', named!.view);
    const expected = labelledMessages(states);
    expect(await page.locator('.lane-head').allTextContents()).toEqual(['s1', 's2', 's3', 's4', 's5'].slice(0, (named!.view as TraceView).nodes.length));
    // The page draws the rows in view: every copy crossing them, by its fate, as the view has it (the view's
    // arrows are checked against the labels in recording.test.ts); over the run, all that the labels say.
    const arrows = (named!.view as TraceView).messages;
    const seen = { delivered: new Set<number>(), dropped: new Set<number>(), dup: new Set<number>() };
    const checkWindow = async () => {
      const rows = await page.$$eval('.step-row', (els) => els.map((e) => Number(e.getAttribute('data-step'))));
      const [lo, hi] = [Math.min(...rows), Math.max(...rows)];
      const crossing = arrows.flatMap((m, i) => ((m.end ?? states.length) >= lo && m.sent <= hi ? [{ m, i }] : []));
      const drawn = async (cls: string) => (await page.$$eval(`line.msg.${cls}`, (els) => els.map((e) => Number(e.getAttribute('data-msg'))))).sort((a, b) => a - b);
      for (const [cls, has] of [['delivered', (m: (typeof arrows)[number]) => m.fate === 'delivered'], ['dropped', (m: (typeof arrows)[number]) => m.fate === 'dropped'], ['dup', (m: (typeof arrows)[number]) => m.duplicate]] as const) {
        const ids = await drawn(cls);
        expect(ids).toEqual(crossing.filter(({ m }) => has(m)).map(({ i }) => i));
        for (const id of ids) seen[cls].add(id);
      }
    };
    await checkWindow();
    // The first loss and the first restart: scrolled to and clicked, the row shows the virtual time and the
    // state panel why the copy was lost; the lost arrow ends at the loss, the restart is marked on its lane.
    const lost = states.findIndex((s) => s.name === 'DropMessage');
    const restart = states.findIndex((s) => s.name === 'Restart');
    for (const step of [lost, restart]) {
      await page.locator('#chart').evaluate((chart, top) => void (chart.scrollTop = top), Math.max(0, step * 22 - 200));
      await page.click(`.step-row[data-step="${step}"]`);
      expect(await page.getAttribute('body', 'data-selected')).toBe(String(step));
      expect(await page.locator(`.step-row[data-step="${step}"] .at`).textContent()).toBe(`${states[step]!.atMs!.toFixed(3)} ms`);
      expect(await page.locator('#selected-note').textContent()).toContain(states[step]!.note ?? `at ${states[step]!.atMs!.toFixed(3)} ms`);
      await checkWindow();
      if (step === lost) expect(await page.locator(`line.msg.dropped[data-step="${lost}"]`).count()).toBe(1);
      else expect(await page.locator('text.restart').count()).toBeGreaterThan(0);
    }
    // Scrolled through to the end, every copy the labels deliver, lose or duplicate has been drawn.
    for (let top = 0; top < states.length * 22; top += 600) {
      await page.locator('#chart').evaluate((chart, y) => void (chart.scrollTop = y), top);
      await page.evaluate(() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done))));
      await checkWindow();
    }
    expect([seen.delivered.size, seen.dropped.size, seen.dup.size]).toEqual([expected.delivered.length, expected.dropped, expected.duplicated]);
    // The state table of the restart: the node's variables as logged, the others' kept from their last events.
    const restarted = states[restart]!.params.node!;
    const node = restarted.kind === 'str' ? restarted.value : '?';
    expect(await page.locator(`#state-table tr[data-path="currentTerm[${node}]"]`).count()).toBe(1);
    expect(await page.locator('#state-table tr').count()).toBeGreaterThan(Object.keys(states[restart]!.vars).length);
    await shoot(page, 'recording');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('a client history: a bar per operation, the non-linearizable witness outlined, ← / → between operations', async () => {
    const failing = buildHistoryView('stale read', [], STALE_READ);
    const { page, errors } = await open('history-failing', failing, 700);
    expect(await page.locator('.op').count()).toBe(STALE_READ.length);
    expect(await page.locator('.op.core').count()).toBe(2);
    expect(await page.locator('#verdict').textContent()).toContain('not-linearizable');
    await page.keyboard.press('ArrowRight');
    expect(await page.getAttribute('body', 'data-selected')).toBe('2');
    await shoot(page, 'history-not-linearizable');
    expect(errors).toEqual([]);
    await page.close();

    const linearizable = buildHistoryView('ok', [], STALE_READ.map((o) => (o.id === 1 ? { ...o, output: { type: 'get' as const, value: 'v1' } } : o)));
    const ok = await open('history-ok', linearizable, 700);
    expect(await ok.page.locator('.op .order').allTextContents()).toHaveLength(3);
    expect(await ok.page.locator('.op.core').count()).toBe(0);
    await shoot(ok.page, 'history-linearizable');
    expect(ok.errors).toEqual([]);
    await ok.page.close();
  });

  it('a 10,000-step page loads and moves to its last step within a bound measured against a 100-step page', async () => {
    const small = buildTraceView({ title: '100 steps', facts: [], states: syntheticBehaviour(100), hidden: [] });
    const large = buildTraceView({ title: '10,000 steps', facts: [], states: syntheticBehaviour(10_000), hidden: [] });
    const measure = async (name: string, view: View) => {
      const { page, errors, loadMs } = await open(name, view, 900);
      const started = performance.now();
      await page.keyboard.press('End');
      await page.waitForSelector(`body[data-selected="${(view as TraceView).steps.length - 1}"]`);
      const endMs = performance.now() - started;
      // Drawn only around the rows in view, whatever the length.
      expect(await page.locator('.step-row').count()).toBeLessThan(120);
      expect(errors).toEqual([]);
      if (name === 'large') await shoot(page, 'trace-10000-steps');
      await page.close();
      return loadMs + endMs;
    };
    // Median of three loads each: the machine is shared and noisy.
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[1]!;
    const smallMs: number[] = [];
    const largeMs: number[] = [];
    for (let i = 0; i < 3; i++) {
      smallMs.push(await measure('small', small));
      largeMs.push(await measure('large', large));
    }
    const ratio = median(largeMs) / median(smallMs);
    console.log(`viewer: 100 steps ${median(smallMs).toFixed(0)} ms, 10,000 steps ${median(largeMs).toFixed(0)} ms, ratio ${ratio.toFixed(1)} (bound 10)`);
    // 100 times the steps; a page that drew every row (or every arrow) would be far past this.
    expect(ratio).toBeLessThan(10);
  });
});
