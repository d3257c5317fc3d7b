// Typed reads of untrusted JSON: each throws a PayloadError naming the path of the bad field.
import { PayloadError } from './payload-error.js';

export type Json = unknown;

export function parseJson(body: Uint8Array): Json {
  try {
    return JSON.parse(Buffer.from(body).toString('utf8'));
  } catch (error) {
    throw new PayloadError(`body is not JSON: ${(error as Error).message}`);
  }
}

export function object(value: Json, path: string): Record<string, Json> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new PayloadError(`${path} must be an object`);
  return value as Record<string, Json>;
}

export function array(value: Json, path: string): Json[] {
  if (!Array.isArray(value)) throw new PayloadError(`${path} must be an array`);
  return value;
}

export function string(value: Json, path: string): string {
  if (typeof value !== 'string') throw new PayloadError(`${path} must be a string`);
  return value;
}

export function optionalString(value: Json, path: string, fallback = ''): string {
  return value === undefined || value === null ? fallback : string(value, path);
}

export function number(value: Json, path: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new PayloadError(`${path} must be a finite number`);
  return value;
}

export function optionalNumber(value: Json, path: string, fallback = 0): number {
  return value === undefined || value === null ? fallback : number(value, path);
}

export function stringList(value: Json, path: string): string[] {
  if (value === undefined || value === null) return [];
  return array(value, path).map((tag, i) => string(tag, `${path}[${i}]`));
}
