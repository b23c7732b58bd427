import type { JSX } from 'preact';
import { t, tMaybe, type Key } from '../i18n/index.ts';
import { navFor } from '../nav.ts';
import { useSession } from '../session.ts';
import { Page } from '../components/ui.tsx';

const DESCRIPTIONS: Partial<Record<Key, Key>> = {
  'nav.recordings': 'home.d.recordings',
  'nav.live': 'home.d.live',
  'nav.evaluations': 'home.d.evaluations',
  'nav.myCampaigns': 'home.d.myCampaigns',
  'nav.myRecordings': 'home.d.myRecordings',
  'nav.myEvaluations': 'home.d.myEvaluations',
  'nav.myListeners': 'home.d.myListeners',
  'nav.policies': 'home.d.policies',
  'nav.staff': 'home.d.staff',
  'nav.audit': 'home.d.audit',
  'nav.holds': 'home.d.holds',
  'nav.requests': 'home.d.requests',
  'nav.report': 'home.d.report',
  'nav.documents': 'home.d.documents',
  'nav.users': 'home.d.users',
  'nav.teams': 'home.d.teams',
  'nav.tokens': 'home.d.tokens',
  'nav.integrations': 'home.d.integrations',
};

/** The role's home: what this role can do, one card per task. */
export function HomePage(): JSX.Element {
  const { me } = useSession();
  const items = navFor(me.roles).filter((i) => i.href !== '/');
  return (
    <Page
      title={t('home.title', { name: me.displayName ?? me.login })}
      intro={t('home.intro', { role: me.roles.map((r) => tMaybe(`role.${r}`, r)).join(', ') })}
    >
      <ul class="cards">
        {items.map((i) => {
          const d = DESCRIPTIONS[i.label];
          return (
            <li key={i.href} class="card tile">
              <a href={i.href} class="tile-link">
                {t(i.label)}
              </a>
              {d ? <p class="muted">{t(d)}</p> : null}
            </li>
          );
        })}
      </ul>
    </Page>
  );
}
