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
const SCHEMA_KEYS = new Set([
  'items',
  'additionalProperties',
  'not',
  'contains',
  'propertyNames',
  'if',
  'then',
  'else',
  'unevaluatedProperties',
  'unevaluatedItems',
]);
const SCHEMA_LIST_KEYS = new Set(['allOf', 'anyOf', 'oneOf', 'prefixItems']);

const NON_JSON_TYPES = { bigint: 'integer', int: 'integer', long: 'integer', float: 'number', double: 'number' };

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
            note(
              subAt,
              `schema given as an array of ${sub.length}; replaced by ${sub.length === 1 ? 'its single element' : 'anyOf'}`,
            );
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
          note(
            at,
            `items given as an array (draft-04 tuple); replaced by ${v.length === 1 ? 'its single element' : 'anyOf'}`,
          );
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
      } else if (
        k === 'type' &&
        (typeof v === 'string' || Array.isArray(v)) &&
        [].concat(v).some((t) => NON_JSON_TYPES[t])
      ) {
        // Programming-language type names (bigint, int) used as JSON Schema types.
        const fixed = Array.isArray(v) ? v.map((t) => NON_JSON_TYPES[t] ?? t) : NON_JSON_TYPES[v];
        note(at, `type ${JSON.stringify(v)} is not a JSON Schema type; replaced by ${JSON.stringify(fixed)}`);
        s[k] = fixed;
      } else if (k === 'examples' && v !== undefined && !Array.isArray(v)) {
        note(at, 'examples is not an array; wrapped');
        s[k] = [v];
      }
    }
  };

  const fixMedia = (content, where) => {
    if (!content || typeof content !== 'object') return;
    for (const [mt, media] of Object.entries(content)) {
      if (media && typeof media === 'object' && media.schema !== undefined)
        fixSchema(media.schema, `${where}/${esc(mt)}/schema`);
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
  for (const [name, s] of Object.entries(doc.components?.schemas ?? {}))
    fixSchema(s, `#/components/schemas/${esc(name)}`);
  return repairs;
}

function decodePointer(ptr) {
  return ptr
    .slice(2)
    .split('/')
    .map((p) => decodeURIComponent(p).replace(/~1/g, '/').replace(/~0/g, '~'));
}

/**
 * The document points $refs into other operations' responses (`#/paths/~1v2~1task~1%7Btask_id%7D/get/
 * responses/200/.../schema/properties/status`). That is legal JSON Pointer, but openapi-typescript turns
 * such a ref into an indexed type through `["schema"]["properties"]` that does not type-check. Each target
 * is moved to `#/components/schemas/<Name>` (deepest first, so outer pointers stay valid), with a $ref
 * left in its place, and every ref to it rewritten.
 */
export function hoistPathRefs(doc, log = () => {}) {
  const repairs = [];
  const refs = new Set();
  const walk = (n) => {
    if (Array.isArray(n)) return n.forEach(walk);
    if (!n || typeof n !== 'object') return;
    if (typeof n.$ref === 'string' && n.$ref.startsWith('#/paths/')) refs.add(n.$ref);
    for (const v of Object.values(n)) walk(v);
  };
  walk(doc.paths);
  walk(doc.components);
  doc.components ??= {};
  doc.components.schemas ??= {};
  const schemas = doc.components.schemas;
  const target = new Map();
  const sorted = [...refs].sort((a, b) => decodePointer(b).length - decodePointer(a).length);
  for (const ref of sorted) {
    const parts = decodePointer(ref);
    let parent = null;
    let key = null;
    let cur = doc;
    for (const p of parts) {
      if (cur === null || typeof cur !== 'object' || !(p in cur)) {
        cur = undefined;
        break;
      }
      parent = cur;
      key = p;
      cur = cur[p];
    }
    if (cur === undefined || parent === null) throw new Error(`unresolvable $ref ${ref}`);
    if (cur && typeof cur.$ref === 'string' && Object.keys(cur).length === 1) {
      target.set(ref, cur.$ref);
      continue;
    }
    const base =
      String(
        cur?.title ??
          parts
            .filter(
              (p) =>
                !['paths', 'content', 'application/json', 'schema', 'properties', 'items', 'responses'].includes(p),
            )
            .join('_'),
      )
        .replace(/[^A-Za-z0-9_]+/g, '_')
        .replace(/^_+|_+$/g, '') || 'Schema';
    let name = `Hoisted_${base}`;
    for (let i = 2; name in schemas; i++) name = `Hoisted_${base}${i}`;
    schemas[name] = cur;
    const to = `#/components/schemas/${name}`;
    parent[key] = { $ref: to };
    target.set(ref, to);
    repairs.push({ where: ref, what: `moved to ${to}` });
    log(`repair ${ref}: $ref target inside paths moved to ${to}`);
  }
  const rewrite = (n) => {
    if (Array.isArray(n)) return n.forEach(rewrite);
    if (!n || typeof n !== 'object') return;
    if (typeof n.$ref === 'string' && target.has(n.$ref)) n.$ref = target.get(n.$ref);
    for (const v of Object.values(n)) rewrite(v);
  };
  rewrite(doc.paths);
  rewrite(doc.components);
  return repairs;
}

/** Loads the document and returns it repaired (defects fixed, path refs hoisted), with the list of repairs. */
export function loadRepairedClickUpSpec(specPath = DEFAULT_SPEC, log = () => {}) {
  const doc = JSON.parse(readFileSync(specPath, 'utf8'));
  const repairs = [...repairClickUpSpec(doc, log), ...hoistPathRefs(doc, log)];
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
  const header =
    `// Generated by scripts/gen-clickup-types.mjs from ${specPath.split('/').slice(-1)[0]} — do not edit.\n` +
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
