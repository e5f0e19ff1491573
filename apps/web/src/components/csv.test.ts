import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { toCsv } from "./csv";

const columns = [
  { header: "agent", value: (row: { agent: string; score: number | null }) => row.agent },
  { header: "score", value: (row: { agent: string; score: number | null }) => row.score },
];

/** A small RFC 4180 reader, to check that what toCsv writes reads back as written. */
function parse(csv: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < csv.length; i++) {
    const char = csv[i]!;
    if (quoted && char === '"' && csv[i + 1] === '"') {
      field += '"';
      i++;
    } else if (char === '"') {
      quoted = !quoted;
    } else if (!quoted && char === ",") {
      row.push(field);
      field = "";
    } else if (!quoted && char === "\r" && csv[i + 1] === "\n") {
      row.push(field);
      rows.push(row);
      row = [];
      field = "";
      i++;
    } else {
      field += char;
    }
  }
  return rows;
}

describe("toCsv", () => {
  it("writes a header, then one line per row, with CRLF line ends", () => {
    expect(toCsv([{ agent: "checkout-bot", score: 712 }, { agent: "web-crawler", score: null }], columns)).toBe(
      "agent,score\r\ncheckout-bot,712\r\nweb-crawler,\r\n",
    );
  });

  it("quotes commas, quotes and line breaks, and keeps a formula from running in a spreadsheet", () => {
    expect(toCsv([{ agent: 'a, "b"\nc', score: 1 }], columns)).toBe('agent,score\r\n"a, ""b""\nc",1\r\n');
    expect(toCsv([{ agent: "=HYPERLINK(1)", score: -5 }], columns)).toBe("agent,score\r\n'=HYPERLINK(1),-5\r\n");
  });

  it("invariant: any text reads back as written (formula starts aside)", () => {
    fc.assert(
      fc.property(fc.array(fc.string().filter((text) => !/^[=+\-@\t\r]/.test(text))), (names) => {
        const rows = names.map((agent) => ({ agent, score: 1 }));
        expect(parse(toCsv(rows, columns)).slice(1)).toEqual(rows.map((row) => [row.agent, "1"]));
      }),
    );
  });
});
