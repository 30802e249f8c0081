/**
 * The runtime UI: agents' inbox, case intake, task forms, case view, knowledge base and
 * notifications, on the server's documented API only. Screens with forms load @rjsf and ajv on
 * demand, so the first page stays small.
 */
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App.tsx';
import './styles.css';

createRoot(document.getElementById('root') as HTMLElement).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
