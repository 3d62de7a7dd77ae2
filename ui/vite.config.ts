import { defineConfig } from "vite";

// The web view loads the built files from `ui/dist` (embedded in the app at compile time).
export default defineConfig({
  clearScreen: false,
  build: {
    outDir: "dist",
    emptyOutDir: true,
    target: "safari16", // WebKitGTK / WKWebView
    sourcemap: false,
  },
  server: { port: 1420, strictPort: true },
  test: {
    environment: "happy-dom",
    include: ["tests/**/*.test.ts"],
    globals: true,
  },
});
