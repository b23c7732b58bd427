import type { ComponentType, JSX } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { t } from './i18n/index.ts';

/** Code-splitting: a page group is fetched the first time one of its pages is shown. */
export function lazyPage<P extends object>(load: () => Promise<ComponentType<P>>): ComponentType<P> {
  let cached: ComponentType<P> | undefined;
  return function LazyPage(props: P): JSX.Element {
    const [Comp, setComp] = useState<ComponentType<P> | undefined>(() => cached);
    useEffect(() => {
      if (cached) return;
      void load().then((c) => {
        cached = c;
        setComp(() => c);
      });
    }, []);
    return Comp ? (
      <Comp {...props} />
    ) : (
      <p class="muted" role="status">
        {t('common.loading')}
      </p>
    );
  };
}
