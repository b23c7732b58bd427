import { useEffect, useState } from 'preact/hooks';

/** A tiny History API router: the server answers index.html for every non-/api path (SPA fallback). */
const listeners = new Set<() => void>();

export interface Location {
  readonly path: string;
  readonly query: URLSearchParams;
}

function current(): Location {
  return { path: window.location.pathname, query: new URLSearchParams(window.location.search) };
}

export function navigate(to: string, opts: { replace?: boolean } = {}): void {
  if (opts.replace) window.history.replaceState(null, '', to);
  else window.history.pushState(null, '', to);
  for (const l of listeners) l();
}

window.addEventListener('popstate', () => {
  for (const l of listeners) l();
});

export function useLocation(): Location {
  const [loc, setLoc] = useState(current);
  useEffect(() => {
    const update = (): void => setLoc(current());
    listeners.add(update);
    return () => listeners.delete(update);
  }, []);
  return loc;
}

/** Matches `/recordings/:id` style patterns; returns the params or null. */
export function match(pattern: string, path: string): Record<string, string> | null {
  const norm = (x: string): string => x.replace(/\/+$/, '') || '/';
  const p = norm(pattern).split('/');
  const s = norm(path).split('/');
  if (p.length !== s.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < p.length; i++) {
    const seg = p[i] ?? '';
    const val = s[i] ?? '';
    if (seg.startsWith(':')) params[seg.slice(1)] = decodeURIComponent(val);
    else if (seg !== val) return null;
  }
  return params;
}

/** Same-origin links navigate without a reload; modified clicks keep the browser's behaviour. */
export function onLinkClick(e: MouseEvent): void {
  if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
  const a = (e.target as Element | null)?.closest('a');
  const href = a?.getAttribute('href');
  if (!a || !href?.startsWith('/') || a.target === '_blank' || a.hasAttribute('download')) return;
  if (href.startsWith('/api/')) return;
  e.preventDefault();
  navigate(href);
}
