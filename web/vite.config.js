// Builds the agent console (web/) into dist/web, served by outdial under /console/.
// `vite build web` runs with web/ as the root; see scripts/build-web.mjs.
import { defineConfig } from 'vite';

export default defineConfig({
  base: '/console/',
  // Preact's JSX runtime, as web/tsconfig.json declares it for the type checker.
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: '../dist/web',
    emptyOutDir: true,
    // Chromium, Firefox and Safari of the last few years; no legacy bundle.
    target: 'es2022',
    sourcemap: true,
  },
});
