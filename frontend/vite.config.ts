/// <reference types="vitest/config" />
import { defineConfig } from 'vite';

// React's JSX through esbuild (no @vitejs/plugin-react: it is not needed for a production
// build, and dev mode reloads the page on change instead of hot-swapping components).
export default defineConfig({
  esbuild: { jsx: 'automatic' },
  build: {
    target: 'es2022',
    sourcemap: false,
    // Keeps `index.html` free of inline scripts: the CSP allows scripts from our origin only.
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
  },
  server: {
    host: '127.0.0.1',
    port: 5173,
    proxy: {
      '/api': { target: process.env.BENCHSIDE_API ?? 'http://127.0.0.1:8080', changeOrigin: false },
    },
  },
  test: {
    include: ['src/**/*.test.ts'],
    environment: 'node',
  },
});
