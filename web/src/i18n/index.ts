import { fr, type Catalogue } from './fr.ts';
import { en } from './en.ts';

/** French first (the product's market); English one click away, remembered in localStorage. */
export type Lang = 'fr' | 'en';
export type Key = keyof Catalogue;

const catalogues: Record<Lang, Catalogue> = { fr, en };
const STORAGE_KEY = 'ecoute.lang';
let lang: Lang = initialLang();

function initialLang(): Lang {
  try {
    return window.localStorage.getItem(STORAGE_KEY) === 'en' ? 'en' : 'fr';
  } catch {
    return 'fr';
  }
}

export function getLang(): Lang {
  return lang;
}

export function setLang(next: Lang): void {
  lang = next;
  document.documentElement.lang = next;
  try {
    window.localStorage.setItem(STORAGE_KEY, next);
  } catch {
    // private mode: the choice lasts for the page only
  }
}

/** Translates a key, replacing `{name}` placeholders. */
export function t(key: Key, params?: Record<string, string | number>): string {
  let s: string = catalogues[lang][key];
  if (params) for (const [k, v] of Object.entries(params)) s = s.replaceAll(`{${k}}`, String(v));
  return s;
}

/** A translation that may not exist (codes coming from the server: roles, purposes, states). */
export function tMaybe(key: string, fallback: string): string {
  const c = catalogues[lang] as Record<string, string>;
  return c[key] ?? fallback;
}

export function formatDateTime(iso: string | number | undefined): string {
  if (iso === undefined || iso === '') return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return String(iso);
  return d.toLocaleString(lang === 'fr' ? 'fr-FR' : 'en-GB', { dateStyle: 'short', timeStyle: 'short' });
}

export function formatDate(iso: string | number | undefined): string {
  if (iso === undefined || iso === '') return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return String(iso);
  return d.toLocaleDateString(lang === 'fr' ? 'fr-FR' : 'en-GB');
}

export function formatDuration(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms)) return '—';
  const s = Math.round(ms / 1000);
  const m = Math.floor(s / 60);
  const h = Math.floor(m / 60);
  const pad = (n: number): string => String(n).padStart(2, '0');
  return h > 0 ? `${h}:${pad(m % 60)}:${pad(s % 60)}` : `${m}:${pad(s % 60)}`;
}

export function initLang(): void {
  document.documentElement.lang = lang;
}
