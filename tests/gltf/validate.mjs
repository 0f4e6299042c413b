// Prints the Khronos glTF validator's JSON report for one .glb/.gltf file.
// Usage: node tests/gltf/validate.mjs FILE
// Exit code: 0 when the report was printed (read numErrors from the report),
// 2 when the file could not be read or the validator could not parse it at all.
import { readFile } from "node:fs/promises";
import path from "node:path";
import validator from "gltf-validator";

const file = process.argv[2];
if (!file) {
  console.error("usage: node validate.mjs FILE");
  process.exit(2);
}

try {
  const data = await readFile(file);
  const report = await validator.validateBytes(new Uint8Array(data), {
    uri: path.basename(file),
    maxIssues: 0,
    writeTimestamp: false,
    // A GLB must be self-contained: refuse to read files next to it.
    externalResourceFunction: (uri) => Promise.reject(`external resource not allowed: ${uri}`),
  });
  process.stdout.write(JSON.stringify(report, null, 2) + "\n");
} catch (err) {
  console.error(`validation failed: ${err}`);
  process.exit(2);
}
