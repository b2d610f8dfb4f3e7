/**
 * Plugin configs are JSON Schemas checked by ajv when a session starts, so a typo fails before training, with a
 * message that names the field, the value given and what is allowed.
 */
import { Ajv, type ErrorObject } from 'ajv';
import type { JsonSchema } from './plugin.js';

const ajv = new Ajv({ allErrors: true, useDefaults: true, strict: true });
const compiled = new WeakMap<JsonSchema, ReturnType<typeof ajv.compile>>();

export class ConfigError extends Error {
  constructor(
    readonly where: string,
    readonly problems: readonly string[],
  ) {
    super(`${where}: invalid config\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

function valueAt(root: unknown, pointer: string): unknown {
  if (pointer === '') return root;
  let node: unknown = root;
  for (const raw of pointer.split('/').slice(1)) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}

function show(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (typeof value === 'string') return JSON.stringify(value);
  try {
    return JSON.stringify(value);
  } catch {
    return String(value);
  }
}

function fieldName(pointer: string): string {
  return pointer === '' ? 'config' : `config${pointer.split('/').slice(1).map((k) => `.${k}`).join('')}`;
}

/** One readable line per ajv error: field, what was given, what is allowed. */
export function describeError(error: ErrorObject, data: unknown, schema: JsonSchema): string {
  const field = fieldName(error.instancePath);
  const got = show(valueAt(data, error.instancePath));
  const p = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'additionalProperties': {
      const parent = valueAt(schema, error.schemaPath.replace(/^#/, '').replace(/\/additionalProperties$/, '')) as
        | { properties?: Record<string, unknown> }
        | undefined;
      const allowed = Object.keys(parent?.properties ?? {});
      return `${field}.${String(p.additionalProperty)}: unknown field; allowed fields: ${allowed.join(', ') || 'none'}`;
    }
    case 'required':
      return `${fieldName(error.instancePath)}.${String(p.missingProperty)}: required but missing`;
    case 'enum':
      return `${field}: got ${got}; allowed values: ${(p.allowedValues as unknown[]).map(show).join(', ')}`;
    case 'type':
      return `${field}: got ${got}; must be of type ${String(p.type)}`;
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum':
      return `${field}: got ${got}; must be ${String(p.comparison)} ${String(p.limit)}`;
    default:
      return `${field}: got ${got}; ${error.message ?? 'is not allowed'}`;
  }
}

/** Validates `config` (defaults filled in place on a copy) and returns it; throws ConfigError naming each field. */
export function validateConfig<C>(where: string, schema: JsonSchema | undefined, config: unknown): C {
  const data = config === undefined ? {} : structuredClone(config);
  if (schema === undefined) return data as C;
  let validate = compiled.get(schema);
  if (!validate) {
    validate = ajv.compile(schema);
    compiled.set(schema, validate);
  }
  if (!validate(data)) {
    throw new ConfigError(where, (validate.errors ?? []).map((e: ErrorObject) => describeError(e, data, schema)));
  }
  return data as C;
}
