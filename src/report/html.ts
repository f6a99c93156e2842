// HTML building blocks of the report: escaping, tables (sortable by clicking a header), chart figures, the panel a
// missing input turns into, and the page shell with its inline style and script. Everything is inline so the page
// opens from disk with no network.

export function escapeHtml(text: string): string {
    return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&#39;");
}

/** A cell: text (escaped), raw HTML, or a number formatted for reading with its exact value kept for sorting. */
export type Cell = string | number | null | { html: string; sort?: string | number } | { value: number | null; digits?: number; percent?: boolean };

const isHtml = (c: Cell): c is { html: string; sort?: string | number } => typeof c === "object" && c !== null && "html" in c;
const isNumberCell = (c: Cell): c is { value: number | null; digits?: number; percent?: boolean } => typeof c === "object" && c !== null && "value" in c;

export function formatNumber(value: number | null | undefined, digits = 3, percent = false): string {
    if (value === null || value === undefined || !Number.isFinite(value)) return "–";
    return percent ? `${(100 * value).toFixed(Math.max(0, digits - 2))}%` : value.toFixed(digits);
}

function cellHtml(cell: Cell): string {
    if (cell === null) return `<td data-sort="">–</td>`;
    // counts (questions, items, prompts) read as integers; measured values with fixed decimals
    if (typeof cell === "number") return `<td class="num" data-sort="${Number.isFinite(cell) ? cell : ""}">${Number.isInteger(cell) ? String(cell) : formatNumber(cell)}</td>`;
    if (typeof cell === "string") return `<td>${escapeHtml(cell)}</td>`;
    if (isNumberCell(cell)) {
        const sort = cell.value !== null && Number.isFinite(cell.value) ? String(cell.value) : "";
        return `<td class="num" data-sort="${sort}">${formatNumber(cell.value, cell.digits ?? 3, cell.percent ?? false)}</td>`;
    }
    if (isHtml(cell)) return `<td${cell.sort !== undefined ? ` data-sort="${escapeHtml(String(cell.sort))}"` : ""}>${cell.html}</td>`;
    return `<td></td>`;
}

/** A table whose columns sort when their header is clicked (numbers by value, text alphabetically). */
export function table(headers: readonly string[], rows: readonly (readonly Cell[])[], options: { id?: string; caption?: string; className?: string } = {}): string {
    const head = headers.map((h) => `<th scope="col" tabindex="0">${escapeHtml(h)}</th>`).join("");
    const body = rows.map((r) => `<tr>${r.map(cellHtml).join("")}</tr>`).join("\n");
    return (
        `<div class="table-wrap"><table class="sortable${options.className ? ` ${options.className}` : ""}"${options.id ? ` id="${escapeHtml(options.id)}"` : ""}>` +
        (options.caption ? `<caption>${escapeHtml(options.caption)}</caption>` : "") +
        `<thead><tr>${head}</tr></thead><tbody>\n${body}\n</tbody></table></div>`
    );
}

/** An inline SVG chart with its caption; `name` lets tests find every chart. */
export function figure(name: string, svg: string, caption: string): string {
    return `<figure class="chart" data-chart="${escapeHtml(name)}">${svg}<figcaption>${escapeHtml(caption)}</figcaption></figure>`;
}

/** What a panel shows when its input is missing: what is missing and the command that makes it. */
export function missing(name: string, what: string, fix: string): string {
    return `<div class="missing" data-missing="${escapeHtml(name)}"><p>${escapeHtml(what)}</p><p>To fix: <code>${escapeHtml(fix)}</code></p></div>`;
}

export function section(id: string, title: string, body: string): string {
    return `<section id="${escapeHtml(id)}"><h2>${escapeHtml(title)}</h2>\n${body}\n</section>`;
}

const STYLE = `
:root { --fg: #1d1d1f; --muted: #5f6368; --line: #d9d9de; --india: #f58518; --us: #4c78a8; }
* { box-sizing: border-box; }
body { font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg); margin: 0 auto; max-width: 1180px; padding: 1.5rem 1.25rem 4rem; }
h1 { font-size: 1.6rem; margin: 0 0 .25rem; } h2 { font-size: 1.3rem; margin-top: 2.5rem; border-bottom: 2px solid var(--line); padding-bottom: .25rem; } h3 { font-size: 1.05rem; margin-top: 1.5rem; }
nav a { margin-right: 1rem; } p.note, figcaption { color: var(--muted); font-size: .9rem; }
.table-wrap { overflow-x: auto; max-width: 100%; } .tall .table-wrap { max-height: 40rem; overflow-y: auto; }
table { border-collapse: collapse; margin: .75rem 0; font-size: .85rem; } caption { text-align: left; color: var(--muted); padding-bottom: .25rem; }
th, td { border-bottom: 1px solid var(--line); padding: .3rem .55rem; text-align: left; vertical-align: top; }
th { background: #f3f3f6; position: sticky; top: 0; cursor: pointer; white-space: nowrap; user-select: none; }
th[aria-sort="ascending"]::after { content: " ▲"; } th[aria-sort="descending"]::after { content: " ▼"; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
div.dist { white-space: nowrap; font-variant-numeric: tabular-nums; } div.question { min-width: 18rem; max-width: 30rem; } div.question ol { margin: .25rem 0 0; padding-left: 1.4rem; color: var(--muted); }
code, .hash { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: .82rem; } .hash { word-break: break-all; }
figure.chart { margin: 1rem 0; overflow-x: auto; } figure.chart svg { max-width: none; height: auto; }
.missing { border-left: 4px solid #e0a100; background: #fff8e5; padding: .5rem 1rem; margin: 1rem 0; }
.warning { border-left: 4px solid #d93025; background: #fdecea; padding: .5rem 1rem; margin: 1rem 0; }
dl.header { display: grid; grid-template-columns: max-content 1fr; gap: .2rem 1rem; } dl.header dt { color: var(--muted); } dl.header dd { margin: 0; }
.india { color: var(--india); font-weight: 600; } .us { color: var(--us); font-weight: 600; }
`;

/** Click (or Enter on) a header to sort by that column; a second click reverses. Cells sort by data-sort, else text. */
const SORT_SCRIPT = `
document.querySelectorAll("table.sortable").forEach(function (table) {
  var headers = table.querySelectorAll("thead th");
  headers.forEach(function (th, column) {
    function sort() {
      var ascending = th.getAttribute("aria-sort") !== "ascending";
      headers.forEach(function (h) { h.removeAttribute("aria-sort"); });
      th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
      var body = table.tBodies[0];
      var rows = Array.prototype.slice.call(body.rows);
      function key(row) {
        var cell = row.cells[column];
        if (!cell) return "";
        var s = cell.getAttribute("data-sort");
        return s !== null ? s : cell.textContent.trim();
      }
      rows.sort(function (a, b) {
        var x = key(a), y = key(b);
        var nx = x === "" ? NaN : Number(x), ny = y === "" ? NaN : Number(y);
        var order;
        if (!isNaN(nx) && !isNaN(ny)) order = nx - ny;
        else if (isNaN(nx) !== isNaN(ny)) order = isNaN(nx) ? 1 : -1;
        else order = x.localeCompare(y);
        return ascending ? order : -order;
      });
      rows.forEach(function (row) { body.appendChild(row); });
    }
    th.addEventListener("click", sort);
    th.addEventListener("keydown", function (e) { if (e.key === "Enter") sort(); });
  });
});
`;

export function page(title: string, body: string): string {
    return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style>
</head>
<body>
${body}
<script>${SORT_SCRIPT}</script>
</body>
</html>
`;
}
