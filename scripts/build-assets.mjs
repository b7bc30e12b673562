// Copies the minified browser builds of htmx and Apache ECharts, with
// their licence texts, from node_modules into web/ui/static/vendor/,
// which the Go binary embeds. Run through `npm run build` after `npm ci`.
// It uses nothing but Node's standard library.
import { copyFileSync, existsSync, mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const out = join(root, "web", "ui", "static", "vendor");

// Each entry copies node_modules/<from> to web/ui/static/vendor/<to>.
const files = [
  ["htmx.org/dist/htmx.min.js", "htmx.min.js"],
  ["htmx.org/LICENSE", "htmx.LICENSE.txt"],
  ["echarts/dist/echarts.min.js", "echarts.min.js"],
  ["echarts/LICENSE", "echarts.LICENSE.txt"],
  ["echarts/NOTICE", "echarts.NOTICE.txt"],
];

mkdirSync(out, { recursive: true });
let failed = false;
for (const [from, to] of files) {
  const src = join(root, "node_modules", from);
  if (!existsSync(src)) {
    console.error(`build-assets: ${src} is missing; run npm ci first`);
    failed = true;
    continue;
  }
  copyFileSync(src, join(out, to));
  console.log(`build-assets: ${from} -> web/ui/static/vendor/${to}`);
}
process.exit(failed ? 1 : 0);
