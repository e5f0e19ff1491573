"use client";

import type { ReactNode } from "react";
import { downloadCsv, toCsv, type CsvColumn } from "@/components/csv";

/** A chart's data as a CSV download: what the chart shows, for a spreadsheet. */
export interface ChartData<Row> {
  filename: string;
  rows: readonly Row[];
  columns: readonly CsvColumn<Row>[];
}

/**
 * A dashboard chart's frame: title, description, its CSV download, and the chart. `controls` sit
 * beside the download (a breakdown or agent picker); `footer` goes under the chart (a list that
 * explains it, pagination).
 */
export function ChartCard<Row>({
  title,
  description,
  data,
  controls,
  footer,
  children,
}: {
  title: string;
  description: string;
  data: ChartData<Row>;
  controls?: ReactNode;
  footer?: ReactNode;
  children: ReactNode;
}) {
  return (
    <section aria-label={title} className="rounded-xl border border-slate-200 bg-white p-5 shadow-sm">
      <div className="flex items-start justify-between gap-4">
        <div>
          <h2 className="text-sm font-semibold text-slate-900">{title}</h2>
          <p className="mb-4 text-xs text-slate-500">{description}</p>
        </div>
        <div className="flex shrink-0 items-center gap-2">
          {controls}
          <button
            type="button"
            onClick={() => downloadCsv(data.filename, toCsv(data.rows, data.columns))}
            className="rounded-md border border-slate-300 bg-white px-2.5 py-1 text-xs font-medium text-slate-700 hover:bg-slate-50"
          >
            Download CSV
          </button>
        </div>
      </div>
      <div className="h-64">{children}</div>
      {footer}
    </section>
  );
}

/** What a chart shows when the window has nothing to chart. */
export const Empty = ({ children }: { children: ReactNode }) => (
  <div className="flex h-full items-center justify-center rounded-lg border border-dashed border-slate-200 text-sm text-slate-500">{children}</div>
);

/** A small labelled picker for a chart's controls. */
export function ChartSelect<Value extends string>({
  label,
  value,
  options,
  onChange,
}: {
  label: string;
  value: Value;
  options: readonly { value: Value; label: string }[];
  onChange: (value: Value) => void;
}) {
  return (
    <select
      aria-label={label}
      value={value}
      onChange={(event) => onChange(event.target.value as Value)}
      className="max-w-44 rounded-md border border-slate-300 bg-white px-2 py-1 text-xs font-medium text-slate-700"
    >
      {options.map((option) => (
        <option key={option.value} value={option.value}>
          {option.label}
        </option>
      ))}
    </select>
  );
}

/** `2026-11-24` → `24 Nov`. */
export const shortDay = (day: string) => new Date(`${day}T12:00:00Z`).toLocaleDateString("en-GB", { day: "numeric", month: "short", timeZone: "UTC" });

/** Distinct colours for a chart's series, in order; the last is "other"'s grey. */
export const SERIES_COLORS = ["#4f46e5", "#059669", "#d97706", "#e11d48", "#0891b2", "#7c3aed", "#65a30d", "#db2777"] as const;
export const OTHER_COLOR = "#94a3b8";
