// The report and the comparison of two runs: chart data, Vega-Lite charts rendered to SVG, self-contained HTML.
export * from "./runData.ts";
export * from "./survey.ts";
export * from "./chartData.ts";
export * from "./charts.ts";
export { REPORT_FILE, buildReportHtml, writeReport } from "./report.ts";
export * from "./compare.ts";
