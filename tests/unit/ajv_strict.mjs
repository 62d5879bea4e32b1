// Compile every *.schema.json of a directory with Ajv 8 in strict mode, as SchemaStore does.
// Usage: node ajv_strict.mjs DIR [keyword,keyword...]   (prints "ok NAME" or "FAIL NAME: why")
// Union types ("type": ["string", "null"]) are standard JSON Schema: allowed explicitly.
// strictRequired is off: Ajv checks a `required` inside oneOf/if before the sibling
// `properties` that declare the name, so it flags declared names; the Python check covers it.
import Ajv2020 from "ajv/dist/2020.js";
import addFormats from "ajv-formats";
import fs from "node:fs";
import path from "node:path";

const [dir, keywords = ""] = process.argv.slice(2);
const ajv = new Ajv2020({strict: true, allowUnionTypes: true, strictRequired: false});
addFormats(ajv);
for (const keyword of keywords.split(",").filter(Boolean)) ajv.addKeyword(keyword);
const names = fs.readdirSync(dir).filter((name) => name.endsWith(".schema.json")).sort();
for (const name of names) {
  ajv.addSchema(JSON.parse(fs.readFileSync(path.join(dir, name), "utf8")), name);
}
let failed = false;
for (const name of names) {
  try {
    ajv.getSchema(name);
    console.log(`ok ${name}`);
  } catch (error) {
    failed = true;
    console.log(`FAIL ${name}: ${error.message}`);
  }
}
process.exit(failed ? 1 : 0);
