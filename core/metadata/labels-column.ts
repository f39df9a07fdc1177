import { errorOf } from '../../lib/errdefs/index.js';
import { validateLabelChanges, type Labels } from '../content/index.js';

/** Labels are stored as a JSON object in a TEXT column. */
export function readLabels(column: string): Labels {
  return JSON.parse(column) as Labels;
}

export function writeLabels(labels: Labels | undefined): string {
  if (labels === undefined) return '{}';
  const valid = labels !== null && typeof labels === 'object' && !Array.isArray(labels);
  if (!valid || Object.values(labels).some((value) => typeof value !== 'string')) {
    throw errorOf('invalid-argument', 'labels must be an object of strings');
  }
  validateLabelChanges(labels);
  return JSON.stringify(labels);
}

/** Throws `invalid-argument` unless `value` is a non-empty string; `what` names it in the message. */
export function requireName(value: string, what: string): string {
  if (typeof value !== 'string' || value === '') throw errorOf('invalid-argument', `${what} must be a non-empty string`);
  return value;
}
