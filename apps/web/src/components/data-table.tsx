"use client";

import { usePathname, useSearchParams } from "next/navigation";
import Link from "next/link";
import type { ReactNode } from "react";
import { formatCount } from "./format";

export interface Column<Row> {
  header: string;
  cell: (row: Row) => ReactNode;
  className?: string;
}

interface Page<Row> {
  items: Row[];
  page: number;
  pageSize: number;
  total: number;
}

/**
 * A page of rows as a table, with "26–50 of 135" and previous/next links that keep the other
 * query parameters, or `empty` when there is nothing to show.
 */
export function DataTable<Row>({
  label,
  data,
  columns,
  rowKey,
  empty,
}: {
  label: string;
  data: Page<Row>;
  columns: Column<Row>[];
  rowKey: (row: Row) => string | number;
  empty: { title: string; description: string };
}) {
  if (data.total === 0 || data.items.length === 0) {
    return (
      <EmptyState title={empty.title} description={empty.description}>
        {data.page > 1 && <div className="mt-4"><PageLink page={1}>Back to the first page</PageLink></div>}
      </EmptyState>
    );
  }
  return (
    <TableFrame label={label} headers={columns} footer={<Pagination page={data.page} pageSize={data.pageSize} total={data.total} />}>
      {data.items.map((row) => (
        <tr key={rowKey(row)} className="hover:bg-slate-50/70">
          {columns.map((column) => (
            <td key={column.header} className={`whitespace-nowrap px-4 py-3 text-slate-700 ${column.className ?? ""}`}>
              {column.cell(row)}
            </td>
          ))}
        </tr>
      ))}
    </TableFrame>
  );
}

/** What a list shows when it has nothing to show, saying why and what would fill it. */
export function EmptyState({ title, description, children }: { title: string; description: string; children?: ReactNode }) {
  return (
    <div className="rounded-xl border border-dashed border-slate-300 bg-white px-6 py-14 text-center" role="status">
      <p className="text-sm font-semibold text-slate-900">{title}</p>
      <p className="mx-auto mt-1 max-w-md text-sm text-slate-500">{description}</p>
      {children}
    </div>
  );
}

/** The console's table: a labelled table with its header row, for rows the caller draws. */
export function TableFrame({
  label,
  headers,
  footer,
  children,
}: {
  label: string;
  headers: readonly (string | { header: string; className?: string })[];
  footer?: ReactNode;
  children: ReactNode;
}) {
  return (
    <div className="overflow-hidden rounded-xl border border-slate-200 bg-white shadow-sm">
      <div className="overflow-x-auto">
        <table className="min-w-full divide-y divide-slate-200 text-sm" aria-label={label}>
          <thead className="bg-slate-50">
            <tr>
              {headers.map((column) => {
                const { header, className = "" } = typeof column === "string" ? { header: column } : column;
                return (
                  <th key={header} scope="col" className={`px-4 py-2.5 text-left text-xs font-semibold uppercase tracking-wide text-slate-500 ${className}`}>
                    {header}
                  </th>
                );
              })}
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100">{children}</tbody>
        </table>
      </div>
      {footer}
    </div>
  );
}

function Pagination({ page, pageSize, total }: { page: number; pageSize: number; total: number }) {
  const first = (page - 1) * pageSize + 1;
  const last = Math.min(page * pageSize, total);
  const pages = Math.max(1, Math.ceil(total / pageSize));
  return (
    <nav className="flex items-center justify-between border-t border-slate-200 bg-white px-4 py-2.5 text-sm" aria-label="Pagination">
      <p className="text-slate-500">
        <span className="font-medium text-slate-700">
          {formatCount(first)}–{formatCount(last)}
        </span>{" "}
        of <span className="font-medium text-slate-700">{formatCount(total)}</span>
      </p>
      <div className="flex gap-2">
        {page > 1 ? <PageLink page={page - 1}>Previous</PageLink> : <DisabledLink>Previous</DisabledLink>}
        {page < pages ? <PageLink page={page + 1}>Next</PageLink> : <DisabledLink>Next</DisabledLink>}
      </div>
    </nav>
  );
}

const buttonClass = "rounded-md border px-3 py-1.5 text-sm font-medium";

function PageLink({ page, children }: { page: number; children: ReactNode }) {
  const pathname = usePathname();
  const params = new URLSearchParams(useSearchParams());
  if (page === 1) params.delete("page");
  else params.set("page", String(page));
  const query = params.toString();
  return (
    <Link href={query ? `${pathname}?${query}` : pathname} className={`${buttonClass} inline-block border-slate-300 bg-white text-slate-700 hover:bg-slate-50`}>
      {children}
    </Link>
  );
}

function DisabledLink({ children }: { children: ReactNode }) {
  return (
    <span aria-disabled="true" className={`${buttonClass} cursor-not-allowed border-slate-200 text-slate-300`}>
      {children}
    </span>
  );
}
