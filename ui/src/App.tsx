import { useMemo } from 'react';
import { createBrowserRouter, RouterProvider } from 'react-router-dom';
import type { ApiClient } from './api/client';
import { AuthGate } from './components/Auth';
import { Layout, NotFound, RouteError } from './components/Layout';
import { LockProvider } from './components/LockProvider';
import { ApiContext } from './lib/hooks';
import { ExecutionDetail } from './pages/ExecutionDetail';
import { Executions } from './pages/Executions';
import { MigrationDetail } from './pages/MigrationDetail';
import { Migrations } from './pages/Migrations';
import { Overview } from './pages/Overview';

function Routes() {
  const router = useMemo(
    () =>
      createBrowserRouter([
        {
          path: '/',
          element: <Layout />,
          errorElement: <RouteError />,
          children: [
            { index: true, element: <Overview /> },
            { path: 'migrations', element: <Migrations /> },
            { path: 'migrations/:id', element: <MigrationDetail /> },
            { path: 'executions', element: <Executions /> },
            { path: 'executions/:id', element: <ExecutionDetail /> },
            { path: '*', element: <NotFound /> },
          ],
        },
      ]),
    [],
  );
  return <RouterProvider router={router} />;
}

export function App({ client }: { client: ApiClient }) {
  return (
    <ApiContext.Provider value={client}>
      <AuthGate>
        {(authVersion) => (
          <LockProvider key={authVersion}>
            <Routes />
          </LockProvider>
        )}
      </AuthGate>
    </ApiContext.Provider>
  );
}
