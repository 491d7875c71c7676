import { Link, useLocation } from "@remix-run/react";
import type { PageInfoFragment as PageInfo } from "~/generated/graphql";
import { formatInt } from "~/lib/format";
import { PAGE_SIZES, type Paging } from "~/lib/params";

/** "26–50 of 1,200": the rows shown, numbered from 1, and how many match. */
export function rangeText(offset: number, shown: number, total: number): string {
  if (shown === 0) return `0 of ${formatInt(total)}`;
  return `${formatInt(offset + 1)}–${formatInt(offset + shown)} of ${formatInt(total)}`;
}

/** A pager link, or the same words as plain text where there is no such page (so the bar keeps its shape). */
function PageLink({ to, rel, label, text }: { to: string | null; rel: string; label: string; text: string }) {
  if (to === null) {
    return (
      <span className="page-link" aria-disabled="true">
        {text}
      </span>
    );
  }
  return (
    <Link to={to} rel={rel} aria-label={label} className="page-link">
      {text}
    </Link>
  );
}

/**
 * First / previous / next / last page links that keep the list's filters and order, "x–y of N", and the rows per
 * page. Next carries the API's cursor; the others name a page number, which the loader turns into a cursor
 * (models/paging.server.ts).
 */
export function Pager({
  pageInfo,
  totalCount,
  shown,
  label,
  paging,
}: {
  pageInfo: PageInfo;
  totalCount: number;
  shown: number;
  label: string;
  paging: Paging;
}) {
  const location = useLocation();
  const { size, page, offset } = paging;
  const lastPage = Math.max(1, Math.ceil(totalCount / size));
  const at = (changes: Record<string, string | null>) => {
    const params = new URLSearchParams(location.search);
    params.delete("after");
    for (const [key, value] of Object.entries(changes)) {
      if (value === null) params.delete(key);
      else params.set(key, value);
    }
    const query = params.toString();
    return query ? `?${query}` : location.pathname;
  };
  const pageAt = (n: number) => at({ page: n > 1 ? String(n) : null });
  const next =
    pageInfo.hasNextPage && pageInfo.endCursor
      ? `${at({ page: String(page + 1) })}&after=${encodeURIComponent(pageInfo.endCursor)}`
      : null;
  return (
    <nav className="pager" aria-label={`${label} pages`}>
      <span className="page-range">
        {rangeText(offset, shown, totalCount)} {label}
        <span className="muted">
          {" "}
          · page {formatInt(page)} of {formatInt(lastPage)}
        </span>
      </span>
      <span className="page-links">
        <PageLink to={page > 1 ? pageAt(1) : null} rel="first" label="First page" text="« First" />
        <PageLink
          to={page > 1 ? pageAt(page - 1) : null}
          rel="prev"
          label="Previous page"
          text="‹ Previous"
        />
        <PageLink to={next} rel="next" label="Next page" text="Next ›" />
        <PageLink to={page < lastPage ? pageAt(lastPage) : null} rel="last" label="Last page" text="Last »" />
      </span>
      <span className="page-sizes">
        <span className="muted">Rows per page</span>
        {PAGE_SIZES.map((n) =>
          n === size ? (
            <span key={n} aria-current="true" className="page-size current">
              {n}
            </span>
          ) : (
            <Link
              key={n}
              to={at({ size: String(n), page: offset >= n ? String(Math.floor(offset / n) + 1) : null })}
              className="page-size"
              aria-label={`${n} rows per page`}
            >
              {n}
            </Link>
          ),
        )}
      </span>
    </nav>
  );
}

/** Inside a list's filter form: applying new filters keeps the rows per page chosen in the pager. */
export function KeepPageSize() {
  const size = new URLSearchParams(useLocation().search).get("size");
  return size ? <input type="hidden" name="size" value={size} /> : null;
}
