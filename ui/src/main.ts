import { App } from "./app";
import { tauriBackend } from "./ipc/backend";

async function main(): Promise<void> {
  const root = document.getElementById("app");
  if (!root) throw new Error("index.html lacks #app");
  const backend = tauriBackend();
  const app = new App(root, backend);
  await app.start();
  // Tell the app the first real screen is on screen (for the start-up benchmark).
  requestAnimationFrame(() => {
    void backend.call("ui_ready", null).catch(() => undefined);
  });
}

void main();
