/**
 * Grid templates, versioned, kept in org_settings (key `grid:<id>`, value: every version). A change is a
 * new version; old versions stay readable because evaluations name the version they were made with.
 * Deleting a template retires it (no new evaluations) and keeps its versions for existing evaluations.
 */
import { randomUUID } from 'node:crypto';
import type { Clock } from '../clock.ts';
import type { Repositories } from '../db/index.ts';
import { fail } from '../errors.ts';
import { EvaluationErrors } from './errors.ts';
import { parseGrid, type GridVersion } from './grid.ts';

interface StoredGrid {
  readonly gridId: string;
  readonly retired: boolean;
  readonly versions: readonly GridVersion[];
}

export interface GridSummary {
  readonly gridId: string;
  readonly name: string;
  readonly latestVersion: number;
  readonly retired: boolean;
}

const KEY = 'grid:';

export class GridStore {
  readonly #db: Pick<Repositories, 'settings'>;
  readonly #clock: Clock;

  constructor(deps: { readonly db: Pick<Repositories, 'settings'>; readonly clock: Clock }) {
    this.#db = deps.db;
    this.#clock = deps.clock;
  }

  async #load(gridId: string): Promise<StoredGrid> {
    const g = await this.#db.settings.get<StoredGrid>(KEY + gridId);
    if (!g) throw fail(EvaluationErrors.GRID_NOT_FOUND, 'no such grid', { gridId });
    return g;
  }

  /** Creates a template at version 1 from an untrusted definition. */
  async create(definition: unknown, createdBy: string): Promise<GridVersion> {
    const gridId = randomUUID();
    const v: GridVersion = {
      ...parseGrid(definition),
      gridId,
      version: 1,
      createdAt: this.#clock.now(),
      createdBy,
    };
    await this.#db.settings.set(KEY + gridId, { gridId, retired: false, versions: [v] } satisfies StoredGrid);
    return v;
  }

  /** A change is a new version; earlier versions are never edited. */
  async revise(gridId: string, definition: unknown, createdBy: string): Promise<GridVersion> {
    const g = await this.#load(gridId);
    const parsed = parseGrid(definition);
    const v: GridVersion = {
      ...parsed,
      gridId,
      version: g.versions.length + 1,
      createdAt: this.#clock.now(),
      createdBy,
    };
    await this.#db.settings.set(KEY + gridId, { ...g, versions: [...g.versions, v] });
    return v;
  }

  /** The given version, or the latest; refuses a retired grid when `forNewEvaluation`. */
  async get(gridId: string, version?: number, forNewEvaluation = false): Promise<GridVersion> {
    const g = await this.#load(gridId);
    if (forNewEvaluation && g.retired)
      throw fail(EvaluationErrors.GRID_NOT_FOUND, 'grid retired', { gridId });
    const v = version === undefined ? g.versions[g.versions.length - 1] : g.versions[version - 1];
    if (!v) throw fail(EvaluationErrors.GRID_NOT_FOUND, 'no such grid version', { gridId, version });
    return v;
  }

  async versions(gridId: string): Promise<readonly GridVersion[]> {
    return (await this.#load(gridId)).versions;
  }

  async list(): Promise<GridSummary[]> {
    const all = await this.#db.settings.all();
    return Object.entries(all)
      .filter(([k]) => k.startsWith(KEY))
      .map(([, value]) => {
        const g = value as StoredGrid;
        const last = g.versions[g.versions.length - 1] as GridVersion;
        return { gridId: g.gridId, name: last.name, latestVersion: last.version, retired: g.retired };
      })
      .sort((a, b) => a.name.localeCompare(b.name));
  }

  async retire(gridId: string): Promise<void> {
    const g = await this.#load(gridId);
    await this.#db.settings.set(KEY + gridId, { ...g, retired: true });
  }
}
