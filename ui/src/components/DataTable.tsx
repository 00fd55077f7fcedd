import { Fragment, useEffect, useMemo, useState, type ReactNode } from 'react';
import { pageCount, pageSlice, sortRows, type SortDir, type SortValue } from '../lib/table';

export interface Column<T> {
  key: string;
  header: string;
  render: (row: T) => ReactNode;
  /** Present when the column is sortable. */
  sortValue?: (row: T) => SortValue;
  className?: string;
}

export interface DataTableProps<T> {
  rows: readonly T[];
  columns: Column<T>[];
  rowKey: (row: T) => string;
  initialSort?: { key: string; dir: SortDir };
  pageSizes?: number[];
  defaultPageSize?: number;
  emptyText?: string;
  loading?: boolean;
  /** Navigates on row click (the first cell should hold a real link too). */
  onRowClick?: (row: T) => void;
  /** Expandable rows: the content, or null when the row has nothing to show. */
  renderExpanded?: (row: T) => ReactNode | null;
  /** Keys of rows expanded initially. */
  initiallyExpanded?: string[];
  /** Hide the page-size chooser and pager (the caller pages on the server). */
  paginate?: boolean;
  label: string;
}

export function DataTable<T>(props: DataTableProps<T>) {
  const {
    rows,
    columns,
    rowKey,
    initialSort,
    pageSizes = [10, 25, 50],
    defaultPageSize = 25,
    emptyText = 'No data',
    loading = false,
    onRowClick,
    renderExpanded,
    initiallyExpanded,
    paginate = true,
    label,
  } = props;
  const [sort, setSort] = useState<{ key: string; dir: SortDir } | undefined>(initialSort);
  const [pageSize, setPageSize] = useState(defaultPageSize);
  const [page, setPage] = useState(0);
  const [expanded, setExpanded] = useState<Set<string>>(() => new Set(initiallyExpanded ?? []));

  useEffect(() => {
    if (initiallyExpanded?.length) setExpanded((prev) => new Set([...prev, ...initiallyExpanded]));
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [JSON.stringify(initiallyExpanded ?? [])]);

  const sorted = useMemo(() => {
    const column = sort && columns.find((c) => c.key === sort.key);
    if (!sort || !column?.sortValue) return [...rows];
    return sortRows(rows, column.sortValue, sort.dir);
  }, [rows, columns, sort]);

  const pages = paginate ? pageCount(sorted.length, pageSize) : 1;
  const current = Math.min(page, pages - 1);
  const visible = paginate ? pageSlice(sorted, current, pageSize) : sorted;

  const toggleSort = (key: string) => {
    setSort((prev) => (prev && prev.key === key ? { key, dir: prev.dir === 'asc' ? 'desc' : 'asc' } : { key, dir: 'asc' }));
    setPage(0);
  };
  const toggleExpanded = (key: string) =>
    setExpanded((prev) => {
      const next = new Set(prev);
      if (next.has(key)) next.delete(key);
      else next.add(key);
      return next;
    });

  const expandable = Boolean(renderExpanded);
  const colSpan = columns.length + (expandable ? 1 : 0);

  return (
    <div className="table-wrap">
      <div className="table-scroll" role="region" aria-label={label} tabIndex={0}>
        <table className="table">
          <thead>
            <tr>
              {expandable && <th className="col-expand" aria-label="Expand" />}
              {columns.map((column) => {
                const active = sort?.key === column.key;
                const ariaSort = active ? (sort!.dir === 'asc' ? 'ascending' : 'descending') : undefined;
                return (
                  <th key={column.key} className={column.className} aria-sort={ariaSort}>
                    {column.sortValue ? (
                      <button type="button" className="sort" onClick={() => toggleSort(column.key)}>
                        {column.header}
                        <span className="sort-icon" aria-hidden="true">
                          {active ? (sort!.dir === 'asc' ? '▲' : '▼') : '↕'}
                        </span>
                      </button>
                    ) : (
                      column.header
                    )}
                  </th>
                );
              })}
            </tr>
          </thead>
          <tbody>
            {loading && rows.length === 0 ? (
              Array.from({ length: 5 }, (_, i) => (
                <tr key={`skeleton-${i}`} className="row-skeleton">
                  <td colSpan={colSpan}>
                    <div className="skeleton-line" />
                  </td>
                </tr>
              ))
            ) : visible.length === 0 ? (
              <tr>
                <td colSpan={colSpan} className="empty">
                  {emptyText}
                </td>
              </tr>
            ) : (
              visible.map((row) => {
                const key = rowKey(row);
                const content = renderExpanded ? renderExpanded(row) : null;
                const canExpand = content !== null && content !== undefined;
                const isOpen = canExpand && expanded.has(key);
                const clickable = Boolean(onRowClick) || canExpand;
                return (
                  <Fragment key={key}>
                    <tr
                      className={clickable ? 'clickable' : undefined}
                      data-row-key={key}
                      onClick={(event) => {
                        if ((event.target as HTMLElement).closest('a,button,input,select')) return;
                        if (onRowClick) onRowClick(row);
                        else if (canExpand) toggleExpanded(key);
                      }}
                    >
                      {expandable && (
                        <td className="col-expand">
                          {canExpand && (
                            <button
                              type="button"
                              className="icon-button"
                              aria-expanded={isOpen}
                              aria-label={isOpen ? 'Collapse details' : 'Expand details'}
                              onClick={() => toggleExpanded(key)}
                            >
                              {isOpen ? '▾' : '▸'}
                            </button>
                          )}
                        </td>
                      )}
                      {columns.map((column) => (
                        <td key={column.key} className={column.className}>
                          {column.render(row)}
                        </td>
                      ))}
                    </tr>
                    {isOpen && (
                      <tr className="row-expanded">
                        <td colSpan={colSpan}>{content}</td>
                      </tr>
                    )}
                  </Fragment>
                );
              })
            )}
          </tbody>
        </table>
      </div>
      {paginate && sorted.length > Math.min(...pageSizes) && (
        <div className="pager">
          <label>
            Rows per page{' '}
            <select
              value={pageSize}
              onChange={(event) => {
                setPageSize(Number(event.target.value));
                setPage(0);
              }}
            >
              {pageSizes.map((size) => (
                <option key={size} value={size}>
                  {size}
                </option>
              ))}
            </select>
          </label>
          <span className="pager-pos">
            Page {current + 1} of {pages}
          </span>
          <button type="button" className="btn btn-small" disabled={current === 0} onClick={() => setPage(current - 1)}>
            Prev
          </button>
          <button
            type="button"
            className="btn btn-small"
            disabled={current >= pages - 1}
            onClick={() => setPage(current + 1)}
          >
            Next
          </button>
        </div>
      )}
    </div>
  );
}
