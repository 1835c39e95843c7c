// Prints "N passed, N failed" over every runner's machine-readable report.
import { existsSync, readFileSync } from "node:fs";

let passed = 0;
let failed = 0;
let skipped = 0;
const [vitestJson, pytestXml] = process.argv.slice(2);
if (vitestJson && existsSync(vitestJson)) {
  const report = JSON.parse(readFileSync(vitestJson, "utf8"));
  passed += report.numPassedTests ?? 0;
  failed += (report.numFailedTests ?? 0) + (report.numRuntimeErrorTestSuites ?? 0);
  skipped += (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
} else if (vitestJson) {
  failed += 1;
}
if (pytestXml && existsSync(pytestXml)) {
  const xml = readFileSync(pytestXml, "utf8");
  const suite = xml.match(/<testsuite\b[^>]*>/)?.[0] ?? "";
  const attr = (name) => Number(suite.match(new RegExp(`\\b${name}="(\\d+)"`))?.[1] ?? 0);
  const total = attr("tests");
  const bad = attr("failures") + attr("errors");
  const skip = attr("skipped");
  passed += total - bad - skip;
  failed += bad;
  skipped += skip;
}
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ""}`);
