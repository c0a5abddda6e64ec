// Helpers the browser tests share.
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
