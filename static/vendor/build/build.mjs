// Builds Common Ground's vendored front-end files from the pinned npm packages
// in ./node_modules (installed by build.sh with `npm ci`). Run via:
//
//   bash static/vendor/build/build.sh
//
// Outputs (paths relative to the repo root):
//   static/css/commonground.min.css          (from static/scss/commonground.scss)
//   static/vendor/govuk-frontend/*           (ES module bundle + licence)
//   static/vendor/socket.io/*                (client bundle + licence)
//   static/vendor/axe-core/*                 (tests only + licences)
//   static/vendor/VENDORED.md                (manifest with sha256 of each file)
//
// The build fails if the stylesheet references GOV.UK fonts or any url(), if
// our own section grows past its budget, or if a key colour pair drops below
// WCAG AA contrast.

import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import * as sass from "sass";

const BUILD_DIR = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(BUILD_DIR, "../../..");
const NM = join(BUILD_DIR, "node_modules");
const OWN_SECTION_MARKER = "/*! Common Ground own styles */";
const OWN_SECTION_BUDGET = 4096; // bytes, compressed CSS

const failures = [];
const fail = (msg) => failures.push(msg);
function bailIfFailed() {
  if (!failures.length) return;
  console.error("\nBUILD CHECKS FAILED (nothing more written):");
  for (const f of failures) console.error(`  - ${f}`);
  process.exit(1);
}

// ---------------------------------------------------------------------------
// Installed versions must be exactly the pinned ones
// ---------------------------------------------------------------------------
const pins = JSON.parse(readFileSync(join(BUILD_DIR, "package.json"), "utf8")).dependencies;
const pkgInfo = {};
for (const [name, pinned] of Object.entries(pins)) {
  const meta = JSON.parse(readFileSync(join(NM, name, "package.json"), "utf8"));
  if (meta.version !== pinned) {
    fail(`${name}: installed ${meta.version}, package.json pins ${pinned}`);
  }
  pkgInfo[name] = { version: meta.version, licence: meta.license };
}

// ---------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------
const outputs = []; // { file, package, version, licence, source, upstreamSha, change }
const sha256 = (buf) => createHash("sha256").update(buf).digest("hex");
const rootPath = (p) => relative(ROOT, p).split("\\").join("/");

function write(relFile, data) {
  const abs = join(ROOT, relFile);
  mkdirSync(dirname(abs), { recursive: true });
  writeFileSync(abs, data);
  return abs;
}

// Strip a trailing `//# sourceMappingURL=...` comment: we do not ship .map files.
function stripSourceMap(buf) {
  const text = buf.toString("utf8");
  const stripped = text.replace(/\n?\/\/# sourceMappingURL=\S+\s*$/, "\n");
  return Buffer.from(stripped, "utf8");
}

function vendor({ pkg, source, dest, transform, change = "" }) {
  const original = readFileSync(join(NM, pkg, source));
  const data = transform ? transform(original) : original;
  write(dest, data);
  outputs.push({
    file: dest,
    package: pkg,
    version: pkgInfo[pkg].version,
    licence: pkgInfo[pkg].licence,
    source: `${pkg}/${source}`,
    upstreamSha: sha256(original),
    change: change || (data.equals(original) ? "unchanged" : "modified"),
  });
}

function vendorLocal({ pkg, localSource, dest, source }) {
  const data = readFileSync(join(BUILD_DIR, localSource));
  write(dest, data);
  outputs.push({
    file: dest,
    package: pkg,
    version: pkgInfo[pkg].version,
    licence: pkgInfo[pkg].licence,
    source,
    upstreamSha: "",
    change: `copied from static/vendor/build/${localSource}`,
  });
}

// ---------------------------------------------------------------------------
// 1. Stylesheet
// ---------------------------------------------------------------------------
const scssFile = join(ROOT, "static/scss/commonground.scss");
const warnings = [];
const result = sass.compile(scssFile, {
  style: "compressed",
  loadPaths: [NM],
  sourceMap: false,
  logger: {
    warn(message, { deprecation }) {
      warnings.push(`${deprecation ? "deprecation" : "warning"}: ${message}`);
    },
    debug() {},
  },
});
const css = result.css.endsWith("\n") ? result.css : `${result.css}\n`;
for (const w of warnings) console.warn(`sass ${w}`);

// Banned content
const banned = [
  [/GDS Transport/i, 'the restricted font "GDS Transport"'],
  [/@font-face/i, "an @font-face rule"],
  [/\/assets\//i, "a GOV.UK /assets/ path"],
  [/url\(/i, "a url() (we vendor no images or fonts)"],
  [/\.(svg|png|jpe?g|gif|webp|ico|woff2?|ttf|eot)\b/i, "an image or font file name (e.g. the crest)"],
];
for (const [re, what] of banned) {
  if (re.test(css)) fail(`commonground.min.css contains ${what}`);
}

// Own-section budget
const ownStart = css.indexOf(OWN_SECTION_MARKER);
let ownBytes = -1;
if (ownStart < 0) {
  fail(`own-styles marker ${OWN_SECTION_MARKER} not found in compiled CSS`);
} else {
  ownBytes = Buffer.byteLength(css.slice(ownStart), "utf8");
  if (ownBytes > OWN_SECTION_BUDGET) {
    fail(`Common Ground own styles are ${ownBytes} bytes, budget ${OWN_SECTION_BUDGET}`);
  }
}

// Contrast of the functional colours actually emitted
const vars = {};
const rootBlock = css.match(/:root\{(--govuk-brand-colour[^}]*)\}/);
if (!rootBlock) {
  fail("could not find the functional colour custom properties in the CSS");
} else {
  for (const decl of rootBlock[1].split(";")) {
    const m = decl.match(/--govuk-([a-z-]+)-colour:\s*(#[0-9a-f]{6})/i);
    if (m) vars[m[1]] = m[2].toLowerCase();
  }
}
const luminance = (hex) => {
  const [r, g, b] = [1, 3, 5]
    .map((i) => parseInt(hex.slice(i, i + 2), 16) / 255)
    .map((v) => (v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4));
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
};
const contrast = (a, b) => {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (hi + 0.05) / (lo + 0.05);
};
const contrastReport = [];
if (rootBlock) {
  const pairs = [
    ["brand (expected #00625e)", "brand", "inverse-text", 4.5],
    ["link on page", "link", "body-background", 4.5],
    ["link on footer/surfaces", "link", "template-background", 4.5],
    ["link hover on page", "link-hover", "body-background", 4.5],
    ["visited link on page", "link-visited", "body-background", 4.5],
    ["text on page", "text", "body-background", 4.5],
    ["secondary text on page", "secondary-text", "body-background", 4.5],
    ["focus text on focus yellow", "focus-text", "focus", 4.5],
    ["focus yellow against teal header", "focus", "brand", 3],
  ];
  if (vars.brand !== "#00625e") fail(`brand colour is ${vars.brand}, expected #00625e`);
  for (const [label, fg, bg, min] of pairs) {
    if (!vars[fg] || !vars[bg]) {
      fail(`missing --govuk-${fg}-colour or --govuk-${bg}-colour`);
      continue;
    }
    const ratio = contrast(vars[fg], vars[bg]);
    contrastReport.push(`${label}: ${vars[fg]} / ${vars[bg]} = ${ratio.toFixed(2)}:1 (min ${min})`);
    if (ratio < min) fail(`contrast too low, ${label}: ${ratio.toFixed(2)}:1 < ${min}:1`);
  }
}

bailIfFailed();
const cssFile = "static/css/commonground.min.css";
write(cssFile, css);
outputs.push({
  file: cssFile,
  package: "govuk-frontend",
  version: pkgInfo["govuk-frontend"].version,
  licence: `${pkgInfo["govuk-frontend"].licence} (GOV.UK Frontend); own styles: Common Ground`,
  source: `govuk-frontend/dist/govuk (Sass) + static/scss/commonground.scss, compiled with sass ${pkgInfo.sass.version}`,
  upstreamSha: "",
  change: "built by us (compressed)",
});

// ---------------------------------------------------------------------------
// 2. JavaScript and licences
// ---------------------------------------------------------------------------
vendor({
  pkg: "govuk-frontend",
  source: "dist/govuk/govuk-frontend.min.js",
  dest: "static/vendor/govuk-frontend/govuk-frontend.min.js",
  transform: stripSourceMap,
  change: "sourceMappingURL comment removed",
});
vendorLocal({
  pkg: "govuk-frontend",
  localSource: "govuk-frontend-LICENSE.txt",
  dest: "static/vendor/govuk-frontend/LICENSE",
  source: "LICENSE.txt of the GOV.UK Frontend repository (the npm package ships none)",
});
vendorLocal({
  pkg: "govuk-frontend",
  localSource: "govuk-frontend-NOTICE.md",
  dest: "static/vendor/govuk-frontend/NOTICE.md",
  source: "Common Ground note: what is and is not vendored",
});

vendor({
  pkg: "socket.io-client",
  source: "dist/socket.io.min.js",
  dest: "static/vendor/socket.io/socket.io.min.js",
  transform: stripSourceMap,
  change: "sourceMappingURL comment removed",
});
vendor({ pkg: "socket.io-client", source: "LICENSE", dest: "static/vendor/socket.io/LICENSE" });

vendor({ pkg: "axe-core", source: "axe.min.js", dest: "static/vendor/axe-core/axe.min.js" });
vendor({ pkg: "axe-core", source: "LICENSE", dest: "static/vendor/axe-core/LICENSE" });
vendor({
  pkg: "axe-core",
  source: "LICENSE-3RD-PARTY.txt",
  dest: "static/vendor/axe-core/LICENSE-3RD-PARTY.txt",
});

// ---------------------------------------------------------------------------
// 3. Manifest
// ---------------------------------------------------------------------------
const rows = outputs.map((o) => {
  const data = readFileSync(join(ROOT, o.file));
  return { ...o, sha: sha256(data), raw: data.length, gz: gzipSync(data, { level: 9 }).length };
});
const sizeOf = (f) => rows.find((r) => r.file === f);
const budgetFiles = [
  cssFile,
  "static/vendor/socket.io/socket.io.min.js",
  "static/vendor/govuk-frontend/govuk-frontend.min.js",
];
const budgetTotal = budgetFiles.reduce((n, f) => n + sizeOf(f).gz, 0);

const md = [];
md.push("# Vendored front-end files");
md.push("");
md.push("Generated by `static/vendor/build/build.sh`. Do not edit by hand.");
md.push("");
md.push("To rebuild (needs Node 20+ and the npm registry; nothing is fetched at run time):");
md.push("");
md.push("```");
md.push("bash static/vendor/build/build.sh");
md.push("```");
md.push("");
md.push(
  "Versions are pinned exactly in `static/vendor/build/package.json` and `package-lock.json`. " +
    "`sha256` is of the file as committed; `file` is relative to the repository root.",
);
md.push("");
md.push("## Files");
md.push("");
md.push("| file | package | version | licence | sha256 |");
md.push("| --- | --- | --- | --- | --- |");
for (const r of rows) {
  md.push(`| ${r.file} | ${r.package} | ${r.version} | ${r.licence} | ${r.sha} |`);
}
md.push("");
md.push("## Where each file comes from");
md.push("");
md.push("| file | source in the package | change | upstream sha256 |");
md.push("| --- | --- | --- | --- |");
for (const r of rows) {
  md.push(`| ${r.file} | ${r.source} | ${r.change} | ${r.upstreamSha || "n/a"} |`);
}
md.push("");
md.push("## Sizes");
md.push("");
md.push("| file | bytes | gzip -9 bytes |");
md.push("| --- | ---: | ---: |");
for (const r of rows.filter((x) => /\.(css|js)$/.test(x.file))) {
  md.push(`| ${r.file} | ${r.raw} | ${r.gz} |`);
}
md.push("");
md.push(
  `Participant page CSS + JS (commonground.min.css, socket.io.min.js, govuk-frontend.min.js): ` +
    `${budgetTotal} bytes gzipped, of the 60 KB (61440 bytes) budget for HTML + CSS + JS. ` +
    `axe.min.js is for tests only and is never served to participants.`,
);
md.push("");
md.push("## Notes");
md.push("");
md.push(
  "- Not vendored: the GDS Transport font and the crown/crest/logo images from " +
    "`govuk-frontend/dist/govuk/assets` (restricted to GOV.UK; see " +
    "`static/vendor/govuk-frontend/NOTICE.md`). The stylesheet uses a system font stack and contains " +
    "no `@font-face`, no `/assets/` path and no `url(`; the build checks this.",
);
md.push(
  "- `govuk-frontend.min.js` is an ES module: load it with `<script type=\"module\">` " +
    "and call `initAll()` from a module file of ours (no inline script under our CSP).",
);
md.push(
  `- The stylesheet's own section (after \`${OWN_SECTION_MARKER}\`) is ${ownBytes} bytes; budget ${OWN_SECTION_BUDGET}.`,
);
md.push(`- \`sass\` ${pkgInfo.sass.version} (${pkgInfo.sass.licence}) is a build tool only; none of it is vendored.`);
md.push("");
md.push("Colour contrast checked by the build (WCAG 2.1 AA):");
md.push("");
for (const line of contrastReport) md.push(`- ${line}`);
md.push("");
write("static/vendor/VENDORED.md", md.join("\n"));

// ---------------------------------------------------------------------------
// Report
// ---------------------------------------------------------------------------
console.log("\nVendored files:");
for (const r of rows) {
  console.log(`  ${r.file.padEnd(52)} ${String(r.raw).padStart(7)} B  gzip ${String(r.gz).padStart(6)} B`);
}
console.log(`\nOwn styles section: ${ownBytes} B (budget ${OWN_SECTION_BUDGET})`);
console.log(`Participant CSS+JS gzipped: ${budgetTotal} B of 61440 B budget (HTML not included)`);
console.log("Contrast:");
for (const line of contrastReport) console.log(`  ${line}`);
console.log(`Wrote ${rootPath(join(ROOT, "static/vendor/VENDORED.md"))}`);

bailIfFailed();
console.log("All build checks passed.");
