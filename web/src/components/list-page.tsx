import type { ComponentChildren, JSX } from 'preact';
import { itemsOf, type ListAnswer } from '../api.ts';
import { DataTable, Page, Resource, useResource, type Column } from './ui.tsx';

/** A page that lists one API collection: loading, empty, "not available yet" and error states included. */
export function ListPage<T>(props: {
  title: string;
  intro?: string;
  url: string;
  route: string;
  columns: readonly Column<T>[];
  rowKey: (row: T, i: number) => string;
  empty?: string;
  actions?: ComponentChildren;
  children?: ComponentChildren;
}): JSX.Element {
  const [res] = useResource<ListAnswer<T>>(props.url);
  return (
    <Page title={props.title} intro={props.intro} actions={props.actions}>
      {props.children}
      <Resource res={res} route={props.route}>
        {(data) => (
          <DataTable
            caption={props.title}
            rows={itemsOf(data).items}
            columns={props.columns}
            rowKey={props.rowKey}
            empty={props.empty}
          />
        )}
      </Resource>
    </Page>
  );
}
