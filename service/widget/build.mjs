// Bundles src/widget.js into ../static/widget.js; `--check` builds in memory and fails if the committed
// bundle differs, `--out FILE` writes elsewhere.
import { build } from "esbuild";
import { readFileSync, writeFileSync } from "node:fs";
import { gzipSync } from "node:zlib";

const pkg = JSON.parse(readFileSync(new URL("./package.json", import.meta.url)));
const target = new URL("../static/widget.js", import.meta.url);
const args = process.argv.slice(2);
const result = await build({
  entryPoints: [new URL("./src/widget.js", import.meta.url).pathname],
  bundle: true,
  minify: true,
  format: "iife",
  target: ["es2020"],
  write: false,
  legalComments: "none",
  banner: { js: `/* roadmap-rag widget ${pkg.version} */` },
  define: { __WIDGET_VERSION__: JSON.stringify(pkg.version) },
});
const code = result.outputFiles[0].contents;
const gz = gzipSync(code).length;
if (args.includes("--check")) {
  const committed = readFileSync(target);
  if (Buffer.compare(Buffer.from(code), committed) !== 0) {
    console.error("service/static/widget.js is stale: run `npm run build` in service/widget and commit it");
    process.exit(1);
  }
  console.log(`widget.js matches a fresh build (${code.length} bytes, ${gz} gzipped)`);
} else {
  const i = args.indexOf("--out");
  writeFileSync(i >= 0 ? args[i + 1] : target, code);
  console.log(`widget.js: ${code.length} bytes, ${gz} gzipped`);
}
