import type { ComponentChildren, JSX } from 'preact';
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, getOnce, Unavailable } from '../api.ts';
import { t, tMaybe } from '../i18n/index.ts';
import { announce } from '../session.ts';

export type Tone = 'neutral' | 'ok' | 'warn' | 'danger' | 'info';

export function Badge(props: { tone?: Tone; children: ComponentChildren }): JSX.Element {
  return <span class={`badge badge-${props.tone ?? 'neutral'}`}>{props.children}</span>;
}

/** The first page of a visit keeps the browser's focus order (Tab reaches the skip link first). */
let firstPage = true;

/** A page: its heading receives focus after navigation so screen readers announce the new page. */
export function Page(props: {
  title: string;
  intro?: string;
  actions?: ComponentChildren;
  children: ComponentChildren;
}): JSX.Element {
  const h1 = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    document.title = `${props.title} · Ecoute`;
    if (firstPage) firstPage = false;
    else h1.current?.focus({ preventScroll: true });
  }, [props.title]);
  return (
    <section class="page" aria-labelledby="page-title">
      <header class="page-head">
        <div>
          <h1 id="page-title" tabIndex={-1} ref={h1}>
            {props.title}
          </h1>
          {props.intro ? <p class="muted">{props.intro}</p> : null}
        </div>
        {props.actions ? <div class="page-actions">{props.actions}</div> : null}
      </header>
      {props.children}
    </section>
  );
}

export function Empty(props: { children: ComponentChildren }): JSX.Element {
  return (
    <div class="empty" role="note">
      {props.children}
    </div>
  );
}

/** Shown when the server does not offer a route yet (answers 404): the contract is in docs/console.md. */
export function NotAvailable(props: { route: string }): JSX.Element {
  return (
    <div class="notice notice-info" role="status" data-testid="not-available">
      <strong>{t('common.notAvailable.title')}</strong>
      <p>{t('common.notAvailable.body')}</p>
      <code>{props.route}</code>
    </div>
  );
}

/** An error from the API, with its rule id when the refusal enforces one. */
export function ErrorNotice(props: { error: unknown }): JSX.Element {
  const e = props.error;
  const rule = e instanceof ApiError ? e.rule : undefined;
  const code = e instanceof ApiError ? e.code : undefined;
  const detail = e instanceof Error ? e.message : String(e);
  // The catalogue explains known refusals in the user's language; the server's detail stays beside it.
  const message = code ? tMaybe(`err.${code}`, detail) : detail;
  return (
    <div class="notice notice-danger" role="alert" data-testid="error">
      <strong>{e instanceof ApiError && e.status === 403 ? t('common.denied') : t('common.error')}</strong>{' '}
      {rule ? <Badge tone="danger">{rule}</Badge> : null} {code ? <code>{code}</code> : null}
      <p>{message}</p>
      {message !== detail ? <p class="small muted">{detail}</p> : null}
    </div>
  );
}

export type Loaded<T> =
  | { state: 'loading' }
  | { state: 'ready'; data: T }
  | { state: 'unavailable' }
  | { state: 'error'; error: unknown };

/** Loads a GET route; `url` null waits. */
export function useResource<T>(url: string | null): [Loaded<T>, () => void] {
  const [res, setRes] = useState<Loaded<T>>({ state: 'loading' });
  const [tick, setTick] = useState(0);
  useEffect(() => {
    if (url === null) return;
    let live = true;
    setRes({ state: 'loading' });
    getOnce<T>(url).then(
      (data) => live && setRes({ state: 'ready', data }),
      (error: unknown) =>
        live && setRes(error instanceof Unavailable ? { state: 'unavailable' } : { state: 'error', error }),
    );
    return () => {
      live = false;
    };
  }, [url, tick]);
  const reload = useCallback(() => setTick((n) => n + 1), []);
  return [res, reload];
}

/** Renders the loading / unavailable / error states, and the content once ready. */
export function Resource<T>(props: {
  res: Loaded<T>;
  route: string;
  children: (data: T) => ComponentChildren;
}): JSX.Element {
  const r = props.res;
  switch (r.state) {
    case 'loading':
      return (
        <p class="muted" role="status">
          {t('common.loading')}
        </p>
      );
    case 'unavailable':
      return <NotAvailable route={props.route} />;
    case 'error':
      return <ErrorNotice error={r.error} />;
    case 'ready':
      return <>{props.children(r.data)}</>;
  }
}

export interface Column<T> {
  readonly label: string;
  readonly cell: (row: T) => ComponentChildren;
  readonly numeric?: boolean;
}

export function DataTable<T>(props: {
  caption: string;
  columns: readonly Column<T>[];
  rows: readonly T[];
  rowKey: (row: T, i: number) => string;
  empty?: string;
}): JSX.Element {
  if (props.rows.length === 0) return <Empty>{props.empty ?? t('common.empty')}</Empty>;
  return (
    <div class="table-wrap">
      <table class="table">
        <caption class="sr-only">{props.caption}</caption>
        <thead>
          <tr>
            {props.columns.map((c) => (
              <th scope="col" key={c.label} class={c.numeric ? 'num' : undefined}>
                {c.label}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {props.rows.map((row, i) => (
            <tr key={props.rowKey(row, i)}>
              {props.columns.map((c) => (
                <td key={c.label} class={c.numeric ? 'num' : undefined}>
                  {c.cell(row)}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** Labelled form field: every control has a visible label (accessibility). */
export function Field(props: {
  label: string;
  id: string;
  hint?: string;
  children: ComponentChildren;
}): JSX.Element {
  return (
    <div class="field">
      <label for={props.id}>{props.label}</label>
      {props.children}
      {props.hint ? (
        <small class="muted" id={`${props.id}-hint`}>
          {props.hint}
        </small>
      ) : null}
    </div>
  );
}

/**
 * Runs one API change, announces `done` to screen readers, then calls `after` (a reload); the refusal (with
 * its code and rule id) is kept for an <ErrorNotice> above the form or table.
 */
export function useAction(after: () => void): [unknown, (run: () => Promise<unknown>, done: string) => void] {
  const [error, setError] = useState<unknown>(undefined);
  const act = (run: () => Promise<unknown>, done: string): void => {
    setError(undefined);
    run().then(
      () => (announce(done), after()),
      (e: unknown) => setError(e),
    );
  };
  return [error, act];
}
