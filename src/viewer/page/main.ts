/// <reference lib="dom" />
/**
 * The viewer page's script (bundled by esbuild into the page, see `../html.ts`): reads the embedded view
 * and draws it. `body[data-ready]` tells a driver the page is drawn.
 *
 * @module
 */
import type { View } from '../model.js';
import { renderHistory } from './history-page.js';
import { renderTrace } from './trace-page.js';

const data = document.getElementById('view-data')?.textContent ?? 'null';
const view = JSON.parse(data) as View | null;
const app = document.getElementById('app')!;
if (view === null) app.textContent = 'This page holds no view.';
else if (view.kind === 'trace') renderTrace(view, app);
else renderHistory(view, app);
document.body.dataset.ready = '1';
