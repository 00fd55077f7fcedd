// Sorting and paging for DataTable, pure.
export type SortDir = 'asc' | 'desc';
export type SortValue = string | number | boolean | null | undefined;

/** Stable sort; missing values (null/undefined/'') always go last, whatever the direction. */
export function sortRows<T>(rows: readonly T[], value: (row: T) => SortValue, dir: SortDir): T[] {
  const indexed = rows.map((row, index) => ({ row, index, key: value(row) }));
  const missing = (v: SortValue) => v === null || v === undefined || v === '';
  indexed.sort((a, b) => {
    const am = missing(a.key);
    const bm = missing(b.key);
    if (am || bm) return am === bm ? a.index - b.index : am ? 1 : -1;
    let cmp: number;
    if (typeof a.key === 'number' && typeof b.key === 'number') cmp = a.key - b.key;
    else if (typeof a.key === 'boolean' && typeof b.key === 'boolean') cmp = Number(a.key) - Number(b.key);
    else cmp = String(a.key).localeCompare(String(b.key), 'en');
    if (cmp === 0) return a.index - b.index;
    return dir === 'asc' ? cmp : -cmp;
  });
  return indexed.map((entry) => entry.row);
}

export function pageCount(total: number, pageSize: number): number {
  return Math.max(1, Math.ceil(total / pageSize));
}

export function pageSlice<T>(rows: readonly T[], page: number, pageSize: number): T[] {
  const last = pageCount(rows.length, pageSize) - 1;
  const current = Math.min(Math.max(0, page), last);
  return rows.slice(current * pageSize, current * pageSize + pageSize);
}
