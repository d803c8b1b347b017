/**
 * The viewer page's styles (inlined into every page).
 *
 * @module
 */
export const PAGE_STYLE = `
* { box-sizing: border-box; }
body { margin: 0; font: 13px/1.4 system-ui, -apple-system, "Segoe UI", sans-serif; color: #1a202c; background: #fff; }
header { padding: 8px 14px; border-bottom: 1px solid #e2e8f0; }
h1 { font-size: 16px; margin: 0 0 4px; }
h2 { font-size: 14px; margin: 0 0 4px; }
h2 .of { color: #718096; font-weight: normal; margin-left: 4px; }
.facts { display: flex; flex-wrap: wrap; gap: 2px 14px; margin: 0 0 6px; }
.facts dt { color: #718096; }
.facts dt::after { content: ":"; }
.facts dd { margin: 0 0 0 -10px; font-family: ui-monospace, monospace; }
.banner { border-radius: 4px; padding: 6px 10px; margin: 6px 0; }
.banner pre { margin: 4px 0 0; white-space: pre-wrap; font-size: 12px; }
.banner button { margin-top: 4px; }
.banner.bad { background: #fff5f5; border: 1px solid #fc8181; }
.banner.good { background: #f0fff4; border: 1px solid #68d391; }
.banner.unknown { background: #fffff0; border: 1px solid #ecc94b; }
.controls { display: flex; flex-wrap: wrap; gap: 16px; align-items: center; color: #4a5568; }
.hint { color: #718096; }
.lg { display: inline-block; width: 18px; height: 4px; margin: 0 4px 2px 8px; vertical-align: middle; background: #2b6cb0; }
.lg.dropped { background: #e53e3e; }
.lg.dup { background: #dd6b20; }
.lg.in-flight { background: #a0aec0; }
main { display: flex; height: calc(100vh - 130px); min-height: 300px; }
#chart, #timeline { flex: 1 1 60%; overflow: auto; position: relative; outline: none; }
#state { flex: 0 0 40%; overflow: auto; border-left: 1px solid #e2e8f0; padding: 8px 12px; }
#lane-heads { position: sticky; top: 0; height: 24px; background: #f7fafc; border-bottom: 1px solid #cbd5e0; z-index: 3; }
.list-head { position: absolute; left: 8px; top: 4px; color: #718096; }
.lane-head { position: absolute; top: 4px; text-align: center; font-weight: 600; }
#canvas { position: relative; }
#rows { position: absolute; left: 0; top: 0; right: 0; }
.step-row { position: absolute; left: 0; height: 22px; line-height: 22px; white-space: nowrap; cursor: pointer; border-bottom: 1px solid #f7fafc; }
.step-row:hover { background: #f7fafc; }
.step-row.selected { background: #ebf8ff; }
.step-row.flagged { background: #fff5f5; }
.step-row.flagged.selected { background: #fed7d7; }
.step-row .idx { display: inline-block; width: 46px; text-align: right; color: #a0aec0; margin-right: 8px; font-family: ui-monospace, monospace; }
.step-row .at { display: inline-block; width: 78px; text-align: right; color: #718096; margin-right: 6px; font-family: ui-monospace, monospace; font-size: 11px; vertical-align: top; }
.step-row .at + .lbl { width: 216px; }
.step-note { color: #4a5568; font-size: 12px; margin-bottom: 4px; }
.step-row .lbl { display: inline-block; width: 300px; overflow: hidden; text-overflow: ellipsis; vertical-align: top; font-family: ui-monospace, monospace; font-size: 12px; }
#msc { position: absolute; left: 0; pointer-events: none; z-index: 2; }
#msc .event, #msc .msg { pointer-events: auto; cursor: pointer; }
.lane { fill: #cbd5e0; }
.lane.role-leader { fill: #38a169; }
.lane.role-candidate { fill: #dd6b20; }
.lane.role-follower { fill: #a0aec0; }
.lane.role-other { fill: #805ad5; }
.lane-note { font-size: 10px; fill: #4a5568; }
.down { fill: #4a5568; fill-opacity: 0.25; }
.side { fill-opacity: 0.12; fill: #3182ce; }
.side-1 { fill: #d69e2e; }
.side-2 { fill: #805ad5; }
.event { fill: #2d3748; }
.event.selected { fill: #3182ce; stroke: #90cdf4; stroke-width: 3; }
.restart { font-size: 14px; fill: #c53030; }
.msg { stroke: #2b6cb0; stroke-width: 1.4; fill: none; }
.msg.dup { stroke: #dd6b20; stroke-dasharray: 6 3; }
.msg.dropped { stroke: #e53e3e; stroke-dasharray: 3 3; }
.msg.in-flight { stroke: #a0aec0; stroke-dasharray: 2 4; }
.msg.active { stroke-width: 3; }
.head { fill: #2b6cb0; }
.lost { fill: #e53e3e; font-weight: bold; font-size: 14px; }
.action { font-family: ui-monospace, monospace; font-size: 12px; margin-bottom: 4px; word-break: break-all; }
.counts { color: #718096; margin-bottom: 6px; }
table { border-collapse: collapse; width: 100%; font-family: ui-monospace, monospace; font-size: 12px; }
td { padding: 2px 6px; border-bottom: 1px solid #edf2f7; vertical-align: top; word-break: break-all; }
td.mark { width: 16px; font-weight: bold; text-align: center; }
td.path { color: #2d3748; width: 40%; }
tr.added { background: #f0fff4; } tr.added .mark { color: #2f855a; }
tr.modified { background: #fffaf0; } tr.modified .mark { color: #c05621; }
tr.deleted { background: #fff5f5; } tr.deleted .mark { color: #c53030; }
tr.flagged-row td.path { box-shadow: inset 3px 0 0 #e53e3e; font-weight: bold; }
table.hide-unchanged tr.unchanged { display: none; }
del { color: #c53030; } ins { color: #2f855a; text-decoration: none; }
.op rect { fill-opacity: 0.85; stroke: #1a202c; stroke-width: 0.5; cursor: pointer; }
.op.timeout rect { fill-opacity: 0.3; stroke-dasharray: 4 2; }
.op.fail rect { fill-opacity: 0.2; }
.op.faded { opacity: 0.3; }
.op.core rect { stroke: #e53e3e; stroke-width: 3; }
.op.selected rect { stroke: #3182ce; stroke-width: 3; }
.op-text { font-size: 11px; fill: #fff; pointer-events: none; font-family: ui-monospace, monospace; }
.order { font-size: 10px; fill: #1a202c; font-weight: bold; }
.proc { font-weight: 600; }
.proc-line { stroke: #edf2f7; }
.tick { stroke: #edf2f7; }
.tick-label { font-size: 10px; fill: #a0aec0; text-anchor: middle; }
`;
