/**
 * The HTML report's inline stylesheet and script. Both are constants (no data inside), so the
 * CSP can allow inline code without letting any report content become code.
 */

export const HTML_STYLE = `
:root { --good: #1a7f37; --bad: #c62828; --warn: #9a6700; --muted: #57606a; --line: #d0d7de; --bg-soft: #f6f8fa; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 0; color: #1f2328; background: #fff; }
main, header, nav, footer { padding: 0 24px; }
h1 { font-size: 22px; margin: 16px 0 4px; }
h2 { font-size: 18px; margin: 28px 0 8px; border-bottom: 1px solid var(--line); padding-bottom: 4px; }
h3 { font-size: 16px; margin: 20px 0 6px; }
h4 { font-size: 14px; margin: 12px 0 4px; }
code, pre, .mono { font-family: ui-monospace, SFMono-Regular, Consolas, "Liberation Mono", monospace; font-size: 12.5px; }
pre { background: var(--bg-soft); border: 1px solid var(--line); padding: 8px; overflow-x: auto; white-space: pre-wrap; overflow-wrap: anywhere; }
header.verdict { border-left: 10px solid var(--muted); margin: 0 0 8px; padding: 4px 24px 12px; background: var(--bg-soft); }
header.tone-good { border-color: var(--good); } header.tone-bad { border-color: var(--bad); } header.tone-warn { border-color: var(--warn); }
.overall { font-size: 20px; margin: 6px 0; }
.badge { font-weight: 700; letter-spacing: .02em; }
.tone-good .badge, .t-good { color: var(--good); } .tone-bad .badge, .t-bad { color: var(--bad); }
.tone-warn .badge, .t-warn { color: var(--warn); } .t-muted { color: var(--muted); }
.banner { border: 2px solid var(--warn); padding: 6px 10px; margin: 8px 0; font-weight: 600; }
ul.counts { list-style: none; padding: 0; display: flex; flex-wrap: wrap; gap: 6px 18px; margin: 6px 0; }
dl.meta { display: grid; grid-template-columns: max-content 1fr; gap: 2px 14px; margin: 8px 0; }
dl.meta dt { font-weight: 600; } dl.meta dd { margin: 0; overflow-wrap: anywhere; }
nav.filters { position: sticky; top: 0; background: #fff; border-bottom: 1px solid var(--line); padding-top: 8px; padding-bottom: 8px; display: flex; flex-wrap: wrap; gap: 8px 16px; align-items: center; z-index: 1; }
nav.filters input[type=search] { min-width: 260px; padding: 3px 6px; }
table { border-collapse: collapse; width: 100%; margin: 6px 0 12px; }
caption { text-align: left; font-weight: 600; padding: 4px 0; }
th, td { border: 1px solid var(--line); padding: 4px 6px; text-align: left; vertical-align: top; }
thead th { background: var(--bg-soft); }
table.matrix th[scope=row] { width: 22%; font-weight: 600; }
table.matrix td.svc-status { width: 9%; white-space: nowrap; }
.sid { color: var(--muted); font-weight: 400; font-size: 12px; }
.cells { display: flex; flex-wrap: wrap; gap: 4px; }
details.cell { border: 1px solid var(--line); border-left-width: 5px; border-radius: 3px; background: #fff; }
details.cell[open] { flex-basis: 100%; }
details.cell > summary { cursor: pointer; padding: 2px 6px; white-space: nowrap; list-style: none; }
details.cell > summary::-webkit-details-marker { display: none; }
details.cell.v-pass { border-left-color: var(--good); } details.cell.v-fail { border-left-color: var(--bad); background: #fff5f5; }
details.cell.v-inconclusive { border-left-color: var(--warn); background: #fffbeb; }
details.cell.v-waived, details.cell.v-untestable { border-left-color: var(--muted); border-left-style: dashed; }
.detail { padding: 4px 10px 8px; border-top: 1px solid var(--line); }
.detail dl { display: grid; grid-template-columns: max-content 1fr; gap: 1px 12px; margin: 0; }
.detail dt { color: var(--muted); } .detail dd { margin: 0; overflow-wrap: anywhere; }
.detail ul { margin: 0; padding-left: 18px; }
.detail table { margin: 4px 0; font-size: 12.5px; }
.explain { margin: 4px 0; }
article.blocked { border-left: 4px solid var(--bad); padding: 2px 12px; margin: 8px 0; }
article.blocked.s-degraded, article.blocked.s-inconclusive { border-left-color: var(--warn); }
.warning { border: 2px solid var(--bad); padding: 8px 12px; font-weight: 600; }
.empty { color: var(--muted); font-style: italic; }
footer { color: var(--muted); border-top: 1px solid var(--line); margin-top: 32px; padding-top: 8px; padding-bottom: 24px; }
[hidden] { display: none !important; }
@media print {
  nav.filters, .no-print { display: none !important; }
  body { font-size: 11px; }
  header.verdict { background: none; }
  details.cell, article.blocked, tr { break-inside: avoid; }
  a { color: inherit; text-decoration: none; }
}
`;

/**
 * Filters and search over the matrix, all client-side (works from file://). Cells carry
 * data-target, data-service, data-status and a lower-cased data-search text; rows and target
 * sections hide when none of their cells match. Before printing every cell is expanded.
 */
export const HTML_SCRIPT = `
(function () {
  'use strict';
  var byId = function (id) { return document.getElementById(id); };
  var nav = byId('filters');
  if (!nav) return;
  nav.hidden = false;
  var failOnly = byId('f-fail'), target = byId('f-target'), service = byId('f-service');
  var search = byId('f-search'), count = byId('f-count'), none = byId('f-none');
  var sections = Array.prototype.slice.call(document.querySelectorAll('section.target'));
  function apply() {
    var term = search.value.trim().toLowerCase();
    var shown = 0;
    sections.forEach(function (sec) {
      var secShown = false;
      var rows = sec.querySelectorAll('tr.svc');
      for (var i = 0; i < rows.length; i++) {
        var row = rows[i], rowShown = false;
        var cells = row.querySelectorAll('details.cell');
        for (var j = 0; j < cells.length; j++) {
          var c = cells[j];
          var ok = (!target.value || c.getAttribute('data-target') === target.value) &&
            (!service.value || c.getAttribute('data-service') === service.value) &&
            (!failOnly.checked || c.getAttribute('data-status') === 'fail') &&
            (!term || c.getAttribute('data-search').indexOf(term) !== -1);
          c.hidden = !ok;
          if (ok) { rowShown = true; shown++; }
        }
        row.hidden = !rowShown;
        if (rowShown) secShown = true;
      }
      sec.hidden = !secShown;
    });
    count.textContent = shown + (shown === 1 ? ' port shown' : ' ports shown');
    none.hidden = shown !== 0;
  }
  [failOnly, target, service].forEach(function (el) { el.addEventListener('change', apply); });
  search.addEventListener('input', apply);
  var opened = [];
  window.addEventListener('beforeprint', function () {
    opened = Array.prototype.filter.call(document.querySelectorAll('details.cell'), function (d) { return !d.open; });
    opened.forEach(function (d) { d.open = true; });
  });
  window.addEventListener('afterprint', function () { opened.forEach(function (d) { d.open = false; }); opened = []; });
  apply();
})();
`;
