/// <reference types="vitest/config" />
import { defineConfig } from 'vite';
import { VitePWA } from 'vite-plugin-pwa';
import { NAVIGATE_FALLBACK_DENYLIST } from './src/offline/routes';

// The brand colour (app.css `--brand`, index.html's theme-color).
const BRAND = '#0b4f6c';

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
  plugins: [
    // The offline app shell: Workbox's generated sw.js precaches the build (index.html, every
    // JS and CSS chunk, the icons, the manifest) and answers app navigations with index.html.
    // Workbox's runtime is bundled into dist (workbox-<hash>.js), never loaded from a CDN. Nothing
    // else is cached: API requests always go to the network (the API has its own auth, and a
    // certificate's verification, `/api/v1/verify/...`, must never show a cached verdict).
    VitePWA({
      strategies: 'generateSW',
      // main.tsx registers the worker itself (production builds only).
      injectRegister: false,
      filename: 'sw.js',
      manifestFilename: 'manifest.webmanifest',
      // The icons are SVG files in public/, precached by the glob below already.
      includeManifestIcons: false,
      manifest: {
        id: '/',
        name: 'Benchside',
        short_name: 'Benchside',
        description: 'Benchside: self-paced phlebotomy and medical laboratory training.',
        lang: 'en',
        start_url: '/',
        scope: '/',
        display: 'standalone',
        theme_color: BRAND,
        background_color: '#ffffff',
        icons: [
          { src: '/favicon.svg', sizes: 'any', type: 'image/svg+xml', purpose: 'any' },
          { src: '/icon-maskable.svg', sizes: 'any', type: 'image/svg+xml', purpose: 'maskable' },
        ],
      },
      workbox: {
        globPatterns: ['**/*.{js,css,html,svg,woff2}'],
        // The outbox's sync handler is imported by sw.js, not precached as a page asset. The
        // admin area's charts chunk (the charts library, about 130 KB compressed) is left to the
        // network: precaching it would make every learner's browser download it.
        globIgnores: ['**/node_modules/**', 'sw.js', 'workbox-*.js', 'sw-outbox.js', 'assets/chartsTab-*.js'],
        importScripts: ['/sw-outbox.js'],
        navigateFallback: 'index.html',
        navigateFallbackDenylist: [...NAVIGATE_FALLBACK_DENYLIST],
        // A new release takes over at once; the old shell's caches are removed. Pages already
        // open keep running the code they loaded and get the new shell on their next load.
        skipWaiting: true,
        clientsClaim: true,
        cleanupOutdatedCaches: true,
        runtimeCaching: [],
        sourcemap: false,
      },
    }),
  ],
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
