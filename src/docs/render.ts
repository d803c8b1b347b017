/**
 * Renders the invariant catalogue as Markdown pages for TypeDoc: one overview page with a table per spec
 * module, and one page per invariant or property with its meaning, TLA+ text, TS mirror and results.
 *
 * The Markdown goes through TypeDoc's comment parser, so prose from the specs is escaped (TLA+ is full of
 * `\`, `*`, `_`, `[`, `<` and `@`, which Markdown or TSDoc would otherwise take as syntax) and links to
 * the API are TSDoc link tags, which TypeDoc validates: a broken one fails the build.
 *
 * @module
 */
import { dirname, relative, sep } from 'node:path';
import { match } from 'ts-pattern';
import type { InvariantCatalogue, InvariantEntry } from './catalogue.js';
import type { MirrorMatch } from './mirrors.js';
import type { CheckVerdict } from './results.js';

/** The mark shown, and searched for by tests, where an operator has no TypeScript mirror. */
export const NO_MIRROR_MARK = 'no TS mirror';

/** The text of the link to a counterexample's viewer page (npm run view), in the results table. */
export const COUNTEREXAMPLE_PAGE_LINK = 'counterexample, step by step';

/** Where the rendered pages are written, so that they can link to each other and to the spec files. */
export interface RenderLayout {
  /** Absolute path of the overview page's Markdown file. */
  readonly overviewFile: string;
  /** Absolute path of an entry's page. */
  readonly entryFile: (entry: InvariantEntry) => string;
  /** Paths shown to the reader are relative to this directory (the repository root). */
  readonly root: string;
}

/** One rendered Markdown page. */
export interface RenderedPage {
  readonly file: string;
  /** The page's title in the site's navigation and search. */
  readonly title: string;
  readonly markdown: string;
}

/** The overview page and the entry pages, in catalogue order. */
export interface RenderedInvariants {
  readonly overview: RenderedPage;
  readonly entries: readonly { readonly entry: InvariantEntry; readonly page: RenderedPage }[];
}

const toPosix = (path: string) => path.split(sep).join('/');

/** Escapes text so that Markdown and TypeDoc's tag parser show it literally. */
export function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_[\]<>#|@{}~!]/g, (c) => `\\${c}`);
}

/**
 * A fenced TLA+ code block, its fence longer than any backtick run inside. TypeDoc's highlighter has no
 * TLA+ grammar, so the site build lists `tla` as a language to leave unhighlighted (see `buildDocs`).
 */
function fence(code: string): string {
  const longest = Math.max(2, ...[...code.matchAll(/`+/g)].map((m) => m[0].length));
  const f = '`'.repeat(longest + 1);
  return `${f}tla\n${code}\n${f}`;
}

/** A link from the page in `fromFile` to `toFile`, shown as `label`. */
function fileLink(fromFile: string, toFile: string, label: string): string {
  return `[${escapeMarkdown(label)}](${toPosix(relative(dirname(fromFile), toFile)).replace(/ /g, '%20')})`;
}

function firstSentence(prose: string): string {
  const paragraph = prose.split('\n\n')[0] ?? '';
  const end = /[.!?](\s|$)/.exec(paragraph);
  return end === null ? paragraph : paragraph.slice(0, end.index + 1);
}

function formatDate(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : `${d.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** One line of text for what a model's latest run says about an operator. */
export function describeVerdict(verdict: CheckVerdict): string {
  return match(verdict)
    .with({ kind: 'not-checked', reason: 'no-summary' }, () => 'not yet checked')
    .with({ kind: 'not-checked', reason: 'not-in-summary' }, () => 'not yet checked (not in the last check-spec run)')
    .with({ kind: 'not-checked', reason: 'not-run' }, () => 'not yet checked (the last run stopped before this model)')
    .with({ kind: 'holds' }, () => '✅ holds in every reachable state')
    .with({ kind: 'held-in-simulation' }, (v) => `held in ${v.behaviours.toLocaleString('en-US')} simulated behaviours (random simulation: not every reachable state)`)
    .with({ kind: 'violated', expected: true }, (v) => `✅ violated, as this negative control expects${v.named ? '' : ' (TLC does not say which property)'}`)
    .with({ kind: 'violated', expected: false }, (v) => `❌ violated${v.named ? '' : ' (TLC does not say which property)'}`)
    .with({ kind: 'not-reached' }, (v) => `not refuted: TLC stopped at ${v.stoppedBy} first`)
    .with({ kind: 'incomplete' }, (v) => `unfinished: ${v.outcome === 'timeout' ? 'timed out' : 'cancelled'}`)
    .with({ kind: 'error' }, (v) => `❌ not checked: ${v.outcome.replace('-', ' ')}`)
    .exhaustive();
}

/** A few words for a verdict, for the overview table (the entry page has the full sentence). */
function shortVerdict(verdict: CheckVerdict): string {
  return match(verdict)
    .with({ kind: 'holds' }, () => '✅ holds')
    .with({ kind: 'held-in-simulation' }, () => 'held in simulation')
    .with({ kind: 'violated', expected: true }, () => '✅ violated (negative control)')
    .with({ kind: 'violated', expected: false }, () => '❌ violated')
    .with({ kind: 'error' }, () => '❌ not checked')
    .with({ kind: 'not-checked' }, () => 'not yet checked')
    .with({ kind: 'not-reached' }, () => 'not refuted (TLC stopped early)')
    .with({ kind: 'incomplete' }, () => 'unfinished')
    .exhaustive();
}

function kindLabel(entry: InvariantEntry): string {
  return entry.kinds.join(', ');
}

function mirrorCell(mirror: MirrorMatch): string {
  return match(mirror)
    .with({ status: 'found' }, ({ mirror: m }) => `{@link ${m.declarationReference} | ${m.name}}`)
    .with({ status: 'missing' }, () => `⚠️ **${NO_MIRROR_MARK}**`)
    .exhaustive();
}

function mirrorSection(entry: InvariantEntry, mirror: MirrorMatch, layout: RenderLayout): string {
  return match(mirror)
    .with({ status: 'found' }, ({ mirror: m }) => {
      const where = `\`${toPosix(relative(layout.root, m.file))}\`${m.line !== undefined ? ` line ${m.line}` : ''}`;
      return `{@link ${m.declarationReference} | ${m.name}}, exported from ${where}, checks the same property on the TypeScript implementation's state (ARCHITECTURE.md section 6: invariants live once in TLA+ and are mirrored by name in TS).`;
    })
    .with({ status: 'missing' }, ({ protocol, rejected }) => {
      const lines = [
        protocol === undefined
          ? `⚠️ **${NO_MIRROR_MARK}.** No protocol definition covers ${escapeMarkdown(entry.module)}.tla, so nothing in TypeScript checks this on an implementation. A protocol's definition (\`src/definitions/<protocol>/\`) names the module that exports its mirrors.`
          : `⚠️ **${NO_MIRROR_MARK}.** The module protocol ${escapeMarkdown(protocol)} names for its mirrors exports nothing named \`${entry.name}\`, so nothing in TypeScript checks this on the implementation. To add one, export a checker with exactly this name from that module.`,
      ];
      for (const r of rejected) {
        lines.push(
          '',
          `(\`${r.candidate.name}\` in \`${toPosix(relative(layout.root, r.candidate.file))}\` is not it: ${r.owner === undefined ? 'no protocol definition names that module for its mirrors' : `that module holds the mirrors of protocol ${escapeMarkdown(r.owner)}`}.)`,
        );
      }
      return lines.join('\n');
    })
    .exhaustive();
}

function resultsTable(entry: InvariantEntry, file: string, layout: RenderLayout): string {
  const rows = entry.checkedBy.map(({ model, kind, configLine, result }) => {
    const report = result.report;
    const states = report?.distinctStates !== undefined ? report.distinctStates.toLocaleString('en-US') : '';
    const when = result.checkedAt !== undefined ? formatDate(result.checkedAt) : '';
    const stale = result.changedSince === true ? '<br>(the spec or config changed since)' : '';
    const config = `${fileLink(file, model.config, toPosix(relative(layout.root, model.config)))} line ${configLine}`;
    const expects = model.expect.outcome === 'ok' ? 'ok' : `${model.expect.outcome}${'name' in model.expect ? ` ${model.expect.name}` : ''}`;
    const page = result.counterexamplePage === undefined ? '' : `<br>${fileLink(file, result.counterexamplePage, COUNTEREXAMPLE_PAGE_LINK)}`;
    return `| **${escapeMarkdown(model.name)}**${model.description !== undefined ? `<br>${escapeMarkdown(model.description)}` : ''} | ${config} (${kind}) | ${escapeMarkdown(expects)}${model.tier === 'large' ? '<br>(large tier)' : ''} | ${describeVerdict(result.verdict)}${stale}${page} | ${states} | ${when} |`;
  });
  return [
    '| model | config | model expects | latest TLC result for this | distinct states | checked |',
    '|---|---|---|---|--:|---|',
    ...rows,
  ].join('\n');
}

function summaryNote(catalogue: InvariantCatalogue, layout: RenderLayout): string {
  const file = `\`${toPosix(relative(layout.root, catalogue.summary.file))}\``;
  return match(catalogue.summary)
    .with({ status: 'found' }, ({ summary }) => {
      const tlc = summary.tlc.version !== undefined ? ` with ${escapeMarkdown(summary.tlc.version)}` : '';
      return `Latest TLC results: ${file}, written by the \`npm run check-spec\` run started ${formatDate(summary.startedAt)}${tlc}. A model that was not part of that run reads "not yet checked".`;
    })
    .with({ status: 'missing' }, () => `No TLC results yet (${file} does not exist), so every result reads "not yet checked": run \`npm run check-spec\`, then \`npm run docs\` again.`)
    .with({ status: 'unreadable' }, ({ problem }) => `${file} could not be read (${escapeMarkdown(problem)}), so every result reads "not yet checked": run \`npm run check-spec\` again.`)
    .exhaustive();
}

/** The page title of each entry: the operator's name, with its module where two modules share a name. */
export function entryTitles(entries: readonly InvariantEntry[]): Map<InvariantEntry, string> {
  const counts = new Map<string, number>();
  for (const e of entries) counts.set(e.name, (counts.get(e.name) ?? 0) + 1);
  return new Map(entries.map((e) => [e, (counts.get(e.name) ?? 0) > 1 ? `${e.name} (${e.module})` : e.name]));
}

function renderEntry(entry: InvariantEntry, mirror: MirrorMatch, title: string, layout: RenderLayout): RenderedPage {
  const file = layout.entryFile(entry);
  const d = entry.definition;
  const specLink = fileLink(file, d.file, toPosix(relative(layout.root, d.file)));
  const models = entry.checkedBy.map((c) => escapeMarkdown(c.model.name)).join(', ');
  const markdown = [
    `**${kindLabel(entry)}** of ${specLink} (line ${d.location.startLine}), checked by ${models}.`,
    '',
    '## Meaning',
    '',
    d.comment !== undefined
      ? d.comment.split('\n\n').map(escapeMarkdown).join('\n\n')
      : `_The spec has no comment above ${escapeMarkdown(entry.name)} to state it in English._`,
    '',
    '## TLA+ definition',
    '',
    `From ${specLink}, lines ${d.firstLine}–${d.location.endLine}:`,
    '',
    fence([d.rawComment, d.text].filter((part) => part !== undefined).join('\n')),
    '',
    '## TypeScript mirror',
    '',
    mirrorSection(entry, mirror, layout),
    '',
    '## Checked by',
    '',
    resultsTable(entry, file, layout),
    '',
    `Back to ${fileLink(file, layout.overviewFile, 'all invariants')}.`,
    '',
  ].join('\n');
  return { file, title, markdown };
}

/** Renders the catalogue; `mirrors` maps every entry's key to its mirror. */
export function renderInvariants(
  catalogue: InvariantCatalogue,
  mirrors: ReadonlyMap<string, MirrorMatch>,
  layout: RenderLayout,
): RenderedInvariants {
  const mirrorOf = (entry: InvariantEntry): MirrorMatch => mirrors.get(entry.key) ?? { status: 'missing', rejected: [] };
  const titles = entryTitles(catalogue.entries);
  const entries = catalogue.entries.map((entry) => ({ entry, page: renderEntry(entry, mirrorOf(entry), titles.get(entry) ?? entry.name, layout) }));

  const withMirror = catalogue.entries.filter((e) => mirrorOf(e).status === 'found').length;
  const overview: string[] = [
    `Every invariant and property that a model config under \`${toPosix(relative(layout.root, catalogue.specsDir)) || '.'}\` asks TLC to check: ${catalogue.entries.length} operators from ${catalogue.models.length} configs. Each page shows the operator's TLA+ definition and the comment that states it in English, its TypeScript mirror in the API (or a "${NO_MIRROR_MARK}" mark), and what the latest TLC run of every config that checks it found.`,
    '',
    `${withMirror} of ${catalogue.entries.length} have a TypeScript mirror.`,
    '',
    summaryNote(catalogue, layout),
    '',
    'These pages are generated by `npm run docs` from the specs; edit the specs, not the pages.',
  ];
  for (const module of [...new Set(catalogue.entries.map((e) => e.module))]) {
    const inModule = entries.filter(({ entry }) => entry.module === module);
    const specFile = inModule[0]?.entry.definition.file as string;
    overview.push(
      '',
      `## ${escapeMarkdown(module)}`,
      '',
      `Defined in ${fileLink(layout.overviewFile, specFile, toPosix(relative(layout.root, specFile)))}.`,
      '',
      '| name | meaning | TS mirror | checked by: latest result |',
      '|---|---|---|---|',
      ...inModule.map(({ entry, page }) => {
        const meaning = entry.definition.comment !== undefined ? escapeMarkdown(firstSentence(entry.definition.comment)) : '_no comment in the spec_';
        const results = entry.checkedBy.map((c) => `${escapeMarkdown(c.model.name)}: ${shortVerdict(c.result.verdict)}`).join('<br>');
        return `| ${fileLink(layout.overviewFile, page.file, page.title)}<br>${kindLabel(entry)} | ${meaning} | ${mirrorCell(mirrorOf(entry))} | ${results} |`;
      }),
    );
  }
  overview.push('');
  return { overview: { file: layout.overviewFile, title: 'Invariants', markdown: overview.join('\n') }, entries };
}
