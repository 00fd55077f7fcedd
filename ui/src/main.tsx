import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { createBrowserClient } from './api/client';
import { App } from './App';
import './styles.css';

// The page token and the API origin are read once, here.
const client = createBrowserClient();

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App client={client} />
  </StrictMode>,
);
