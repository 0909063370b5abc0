import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { registerServiceWorker } from './offline/register';
import './app.css';

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);

if (import.meta.env.PROD) registerServiceWorker();
// The outbox's triggers (replay at start, on `online`, ...), in a chunk of their own so the
// first load stays small; the service worker precaches it with the rest of the shell.
void import('./offline/sync').then(({ sync }) => sync.start());
