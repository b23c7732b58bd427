import { render } from 'preact';
import { App } from './app.tsx';
import { initLang } from './i18n/index.ts';
import { prefetch } from './api.ts';
import { recordingsApiUrl } from './pages/recordings.tsx';
import './styles.css';

initLang();
// The busiest first screen fetches its data alongside the session check (first paint < 1 s, issue 8).
if (window.location.pathname === '/recordings')
  prefetch(recordingsApiUrl(new URLSearchParams(window.location.search)));
const root = document.getElementById('app');
if (root) render(<App />, root);
