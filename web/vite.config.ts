import { defineConfig } from 'vite';
import preact from '@preact/preset-vite';

// The console is served by the API under `/` (src/api/console/console.routes.ts); hashed assets under
// /assets/ get immutable caching there. The dev server proxies /api to a local `npm start`.
export default defineConfig({
  root: import.meta.dirname,
  base: '/',
  plugins: [preact()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: false,
    chunkSizeWarningLimit: 200,
  },
  server: { proxy: { '/api': 'http://127.0.0.1:8080' } },
});
