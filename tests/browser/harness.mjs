// What the browser tests share: Chromium's flags and waiting for the mock's port file.
import { existsSync, readFileSync } from "node:fs";

/** Waits (at most `ms`) for a file to exist with content, as `--port-file` writes it. */
export function waitForFile(path, ms) {
  const deadline = Date.now() + ms;
  return new Promise((ok, fail) => {
    const tick = () => {
      if (existsSync(path)) {
        const s = readFileSync(path, "utf8");
        if (s) return ok(s);
      }
      if (Date.now() > deadline) return fail(new Error("the server never wrote " + path));
      setTimeout(tick, 25);
    };
    tick();
  });
}

/** Debian's Chromium, headless, quiet: no sandbox (CI runs as root), no GPU, no calls home. */
export const CHROMIUM_FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
];
