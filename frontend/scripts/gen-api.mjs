// Generates lib/api/schema.d.ts from the API's committed OpenAPI document (docs/openapi.json).
//   node scripts/gen-api.mjs          writes it  (npm run gen:api)
//   node scripts/gen-api.mjs --check  exits 1 when the committed file is not what the document gives
//                                     (npm run gen:api:check, run by CI)
import { spawnSync } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

import openapiTS, { astToString } from "openapi-typescript";
import ts from "typescript";

// OPENAPI_DOCUMENT points at another document (a work-in-progress export); CI uses the committed one.
const DOCUMENT = process.env.OPENAPI_DOCUMENT ?? new URL("../../docs/openapi.json", import.meta.url);
const TARGET = new URL("../lib/api/schema.d.ts", import.meta.url);
const HEADER = `/**
 * The Sightline API's types, generated from docs/openapi.json by \`npm run gen:api\`.
 * Do not edit by hand: change the API, run \`make openapi\`, then \`npm run gen:api\`.
 */

`;

const BLOB = ts.factory.createTypeReferenceNode(ts.factory.createIdentifier("Blob"));

/** File fields are strings in OpenAPI; in the browser they are Blobs (a File is one). */
function isFileField(schema) {
  return schema.format === "binary" || schema.contentMediaType === "application/octet-stream";
}

async function generate() {
  const document = JSON.parse(await readFile(DOCUMENT, "utf8"));
  const ast = await openapiTS(document, {
    transform: (schema) => (isFileField(schema) ? BLOB : undefined),
  });
  return HEADER + astToString(ast);
}

const generated = await generate();
if (process.argv.includes("--check")) {
  const committed = await readFile(TARGET, "utf8").catch(() => "");
  if (committed !== generated) {
    // Regenerated into a temp file, so the diff shows what changed.
    const scratch = await mkdtemp(join(tmpdir(), "sightline-gen-api-"));
    const fresh = join(scratch, "schema.d.ts");
    await writeFile(fresh, generated);
    spawnSync("diff", ["-u", fileURLToPath(TARGET), fresh], { stdio: "inherit" });
    await rm(scratch, { recursive: true, force: true });
    console.error(
      `${fileURLToPath(TARGET)} is out of date with docs/openapi.json: run \`npm run gen:api\` and commit it.`,
    );
    process.exit(1);
  }
  console.log("lib/api/schema.d.ts matches docs/openapi.json");
} else {
  await writeFile(TARGET, generated);
  console.log(`wrote ${fileURLToPath(TARGET)}`);
}
