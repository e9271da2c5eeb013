/**
 * The built web app (`dist/web`, made by `vite build` from `web/`), served under /console/. Hashed assets are
 * cached for good; the HTML page never is, so a new build shows on the next load.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, extname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/** dist/web of this package. */
export const DEFAULT_WEB_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../dist/web');

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.map': 'application/json',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

export interface StaticFile {
  readonly body: Buffer;
  readonly contentType: string;
  readonly cacheControl: string;
}

export const NOT_BUILT_MESSAGE =
  'The agent console has not been built: dist/web is missing. Run `npm run build:web` (npm install and npm start do it).';

export class WebRoot {
  constructor(readonly root: string) {}

  get built(): boolean {
    return existsSync(join(this.root, 'index.html'));
  }

  /** The page every console route shows; undefined when the app is not built. */
  index(): Promise<StaticFile | undefined> {
    return this.file('index.html');
  }

  /** A file under the root by its path relative to /console/; undefined when missing or outside the root. */
  async file(relative: string): Promise<StaticFile | undefined> {
    if (!/^[\w./-]+$/.test(relative) || relative.split('/').some((part) => part === '..' || part === '')) return undefined;
    const path = resolve(this.root, relative);
    if (!path.startsWith(this.root + sep)) return undefined;
    let body: Buffer;
    try {
      body = await readFile(path);
    } catch {
      return undefined;
    }
    const hashed = relative.startsWith('assets/');
    return {
      body,
      contentType: TYPES[extname(path)] ?? 'application/octet-stream',
      cacheControl: hashed ? 'public, max-age=31536000, immutable' : 'no-cache',
    };
  }
}
