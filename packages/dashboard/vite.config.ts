import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

// `npm run dev -w packages/dashboard`: the app on http://127.0.0.1:5173 with the API proxied to a
// running `sprocket serve` (SPROCKET_DEV_API, default http://127.0.0.1:5000). The Host header is
// kept, so the URLs the server returns (output files, streams) point back at this dev server.
const api = process.env.SPROCKET_DEV_API ?? "http://127.0.0.1:5000";

export default defineConfig({
  plugins: [react()],
  build: { outDir: "dist", emptyOutDir: true, assetsDir: "assets", chunkSizeWarningLimit: 400 },
  server: {
    host: "127.0.0.1",
    proxy: { "/v1": { target: api }, "/o/": { target: api } },
  },
});
