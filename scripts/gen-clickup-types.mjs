#!/usr/bin/env node
// Generates src/connectors/clickup/generated/openapi.ts from ClickUp's OpenAPI document.
// The published document has defects that stop openapi-typescript (and ajv); they are repaired
// in memory here, each repair logged, and the file on disk is left untouched.
// Usage: node scripts/gen-clickup-types.mjs [spec.json] [out.ts]
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
export const DEFAULT_SPEC = resolve(here, '../../shared/reference/clickup-api-v2-openapi.json');
export const DEFAULT_OUT = resolve(here, '../src/connectors/clickup/generated/openapi.ts');

const SCHEMA_MAP_KEYS = new Set(['properties', 'patternProperties', '$defs', 'definitions', 'dependentSchemas']);
const SCHEMA_KEYS = new Set(['items', 'additionalProperties', 'not', 'contains', 'propertyNames', 'if', 'then', 'else', 'unevaluatedProperties', 'unevaluatedItems']);
const SCHEMA_LIST_KEYS = new Set(['allOf', 'anyOf', 'oneOf', 'prefixItems']);

const esc = (k) => String(k).replace(/~/g, '~0').replace(/\//g, '~1');

/**
 * Repairs, in place, the structural defects of ClickUp's document that make it invalid OpenAPI 3.1 /
 * JSON Schema. Meaning is kept: only shapes that no tool can read are rewritten. Returns the repairs.
 */
export function repairClickUpSpec(doc, log = () => {}) {
  const repairs = [];
  const note = (where, what) => {
    repairs.push({ where, what });
    log(`repair ${where}: ${what}`);
  };

  const fixSchema = (s, where) => {
    if (s === null || typeof s !== 'object' || Array.isArray(s)) return;
    for (const [k, v] of Object.entries(s)) {
      const at = `${where}/${esc(k)}`;
      if (SCHEMA_MAP_KEYS.has(k) && v && typeof v === 'object' && !Array.isArray(v)) {
        for (const [name, sub] of Object.entries(v)) {
          const subAt = `${at}/${esc(name)}`;
          if (Array.isArray(sub)) {
            // e.g. properties.priority = [ {$ref} ]: a schema wrapped in an array.
            const fixed = sub.length === 1 ? sub[0] : { anyOf: sub };
            note(subAt, `schema given as an array of ${sub.length}; replaced by ${sub.length === 1 ? 'its single element' : 'anyOf'}`);
            v[name] = fixed;
          } else if (sub === null || (typeof sub !== 'object' && typeof sub !== 'boolean')) {
            note(subAt, `schema is ${JSON.stringify(sub)}; replaced by {}`);
            v[name] = {};
          }
          fixSchema(v[name], subAt);
        }
      } else if (SCHEMA_KEYS.has(k)) {
        if (Array.isArray(v) && k === 'items') {
          const fixed = v.length === 1 ? v[0] : { anyOf: v };
          note(at, `items given as an array (draft-04 tuple); replaced by ${v.length === 1 ? 'its single element' : 'anyOf'}`);
          s[k] = fixed;
        }
        fixSchema(s[k], at);
      } else if (SCHEMA_LIST_KEYS.has(k) && Array.isArray(v)) {
        v.forEach((sub, i) => fixSchema(sub, `${at}/${i}`));
      } else if (k === 'required' && v !== undefined && !Array.isArray(v)) {
        // OpenAPI 3.0 style `required: true` on a property schema: meaningless in 3.1, dropped.
        note(at, `required: ${JSON.stringify(v)} is not an array; removed`);
        delete s[k];
      } else if (k === 'nullable' && v === true && s.type !== undefined && !Array.isArray(s.type)) {
        note(at, `OpenAPI 3.0 nullable; type ${JSON.stringify(s.type)} widened with null`);
        s.type = [s.type, 'null'];
        delete s.nullable;
      } else if (k === 'examples' && v !== undefined && !Array.isArray(v)) {
        note(at, 'examples is not an array; wrapped');
        s[k] = [v];
      }
    }
  };

  const fixMedia = (content, where) => {
    if (!content || typeof content !== 'object') return;
    for (const [mt, media] of Object.entries(content)) {
      if (media && typeof media === 'object' && media.schema !== undefined) fixSchema(media.schema, `${where}/${esc(mt)}/schema`);
    }
  };

  for (const [p, item] of Object.entries(doc.paths ?? {})) {
    for (const [method, op] of Object.entries(item ?? {})) {
      if (!op || typeof op !== 'object' || !Array.isArray(op.parameters)) {
        if (op && typeof op === 'object') fixOperation(op, `#/paths/${esc(p)}/${method}`);
        continue;
      }
      fixOperation(op, `#/paths/${esc(p)}/${method}`);
    }
  }
  function fixOperation(op, where) {
    for (const [i, prm] of (op.parameters ?? []).entries()) {
      if (prm && prm.schema) fixSchema(prm.schema, `${where}/parameters/${i}/schema`);
    }
    if (op.requestBody?.content) fixMedia(op.requestBody.content, `${where}/requestBody/content`);
    for (const [code, r] of Object.entries(op.responses ?? {})) {
      if (r?.content) fixMedia(r.content, `${where}/responses/${code}/content`);
    }
  }
  for (const [name, s] of Object.entries(doc.components?.schemas ?? {})) fixSchema(s, `#/components/schemas/${esc(name)}`);
  return repairs;
}

/** Loads the document and returns it repaired, with the list of repairs. */
export function loadRepairedClickUpSpec(specPath = DEFAULT_SPEC, log = () => {}) {
  const doc = JSON.parse(readFileSync(specPath, 'utf8'));
  const repairs = repairClickUpSpec(doc, log);
  return { doc, repairs };
}

async function main() {
  const specPath = resolve(process.argv[2] ?? DEFAULT_SPEC);
  const outPath = resolve(process.argv[3] ?? DEFAULT_OUT);
  const log = (m) => process.stderr.write(`gen-clickup-types: ${m}\n`);
  const { doc, repairs } = loadRepairedClickUpSpec(specPath, log);
  log(`${repairs.length} repair(s) applied in memory to ${specPath}`);
  const { default: openapiTS, astToString } = await import('openapi-typescript');
  const ast = await openapiTS(doc, { silent: true });
  const header = `// Generated by scripts/gen-clickup-types.mjs from ${specPath.split('/').slice(-1)[0]} — do not edit.\n` +
    `// Repairs applied in memory before generation:\n${repairs.map((r) => `//   ${r.where}: ${r.what}`).join('\n')}\n\n`;
  mkdirSync(dirname(outPath), { recursive: true });
  writeFileSync(outPath, header + astToString(ast));
  log(`wrote ${outPath}`);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main().catch((e) => {
    process.stderr.write(`gen-clickup-types: ${e?.stack ?? e}\n`);
    process.exit(1);
  });
}
