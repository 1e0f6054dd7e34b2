/** Small GitHub-flavoured Markdown builders: table cells that cannot break the table, row caps, folds. */

/** Text safe inside a table cell: pipes escaped, line breaks flattened, HTML brackets neutralised. */
export function cell(text: string): string {
  return text.replace(/\r?\n/g, " ").replace(/\|/g, "\\|").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/** Inline code that survives backticks inside the text. */
export function code(text: string): string {
  const fence = text.includes("`") ? "``" : "`";
  const pad = fence.length > 1 ? " " : "";
  return `${fence}${pad}${text.replace(/\r?\n/g, " ")}${pad}${fence}`;
}

/** Inline code inside a table cell: GitHub splits cells at "|" even inside code, unless escaped. */
export function cellCode(text: string): string {
  return code(text).replace(/\|/g, "\\|");
}

/**
 * A table of at most `maxRows` rows; the rest are counted in a closing line that says where the
 * full list is. Cells are taken as already formatted (use `cell` for free text).
 */
export function table(headers: readonly string[], rows: readonly (readonly string[])[], maxRows = Infinity, whereTheRestIs = "plan.json"): string {
  const shown = rows.slice(0, maxRows);
  const lines = [`| ${headers.join(" | ")} |`, `|${headers.map(() => "---").join("|")}|`, ...shown.map((r) => `| ${r.join(" | ")} |`)];
  if (rows.length > shown.length) lines.push("", `… ${rows.length - shown.length} more rows not shown here (comment size); see ${whereTheRestIs}.`);
  return lines.join("\n");
}

/** A fold that GitHub renders closed; blank lines around the body keep Markdown working inside. */
export function details(summary: string, body: string): string {
  return `<details>\n<summary>${summary}</summary>\n\n${body.trimEnd()}\n\n</details>`;
}
