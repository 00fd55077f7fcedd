import { defineConfig } from 'vitest/config';
import react from '@vitejs/plugin-react';

// Assets are emitted under /assets/ with content hashes and referenced from the root ('/'),
// so deep links such as /migrations/20240101000000_x (served by the SPA fallback) still load
// them. The C++ build embeds everything under ui/dist.
export default defineConfig({
  base: '/',
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: false,
    assetsInlineLimit: 0,
    chunkSizeWarningLimit: 600,
  },
  test: {
    include: ['test/**/*.test.{ts,tsx}'],
    environment: 'node',
    watch: false,
  },
});
