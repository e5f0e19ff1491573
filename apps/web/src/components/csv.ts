/** One column of a CSV file: its header, and how a row's cell reads. */
export interface CsvColumn<Row> {
  header: string;
  value: (row: Row) => string | number | null;
}

// A spreadsheet runs a cell that starts with one of these as a formula: agent names and actions
// come from users, so such a cell is prefixed with a quote to stay text (OWASP "CSV injection").
const FORMULA_START = /^[=+\-@\t\r]/;

function cell(value: string | number | null): string {
  if (value === null) return "";
  if (typeof value === "number") return String(value);
  const text = FORMULA_START.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** `rows` as CSV (RFC 4180: comma-separated, CRLF line ends, quoted where needed), header first. */
export function toCsv<Row>(rows: readonly Row[], columns: readonly CsvColumn<Row>[]): string {
  const lines = [columns.map((column) => cell(column.header)), ...rows.map((row) => columns.map((column) => cell(column.value(row))))];
  return lines.map((line) => line.join(",")).join("\r\n") + "\r\n";
}

/** Hands `csv` to the browser as a download named `filename`. */
export function downloadCsv(filename: string, csv: string): void {
  const url = URL.createObjectURL(new Blob([csv], { type: "text/csv;charset=utf-8" }));
  const link = Object.assign(document.createElement("a"), { href: url, download: filename });
  link.click();
  URL.revokeObjectURL(url);
}
