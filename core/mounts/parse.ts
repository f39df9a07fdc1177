import { posix } from 'node:path';
import { errorOf, type MobyError } from '../../lib/errdefs/index.js';
import type { MountSpec } from '../containers/container-record.js';
import type { BindFlags, PlannedMount, PlannedVolumeOptions } from './types.js';

/**
 * Docker's Linux mount parser (`volume/mounts/linux_parser.go`): `-v` specs
 * (`HostConfig.Binds`), `--mount` specs (`HostConfig.Mounts`) and
 * `--volumes-from` specs, with Docker's error messages.
 */

export const DEFAULT_PROPAGATION = 'rprivate';

const RW_MODES = new Set(['rw', 'ro', 'ro-non-recursive', 'ro-force-recursive', 'rro']);
const LABEL_MODES = new Set(['z', 'Z']);
export const PROPAGATION_MODES = new Set(['private', 'rprivate', 'slave', 'rslave', 'shared', 'rshared']);
const COPY_MODES = new Set(['nocopy']);
const CONSISTENCY_MODES = new Set(['consistent', 'cached', 'delegated']);

const invalid = (message: string): MobyError => errorOf('invalid-argument', message);
const invalidSpec = (raw: string): string => `invalid volume specification: '${raw}'`;
const invalidMode = (mode: string): MobyError => invalid(`invalid mode: ${mode}`);

/** A failure of `validateMountConfig`, worded without its `invalid mount config…` prefix. */
class MountConfigError extends Error {}

function mountConfigError(type: string, err: MountConfigError): MobyError {
  return invalid(`invalid mount config for type ${JSON.stringify(type)}: ${err.message}`);
}

/** Go's `path.Clean` for the paths met here. */
export function cleanPath(p: string): string {
  if (p === '') return '.';
  const clean = posix.normalize(p);
  return clean.length > 1 && clean.endsWith('/') ? clean.slice(0, -1) : clean;
}

/** Go's `strings.SplitN(s, sep, n)`. */
function splitN(s: string, sep: string, n: number): string[] {
  const parts = s.split(sep);
  if (parts.length <= n) return parts;
  return [...parts.slice(0, n - 1), parts.slice(n - 1).join(sep)];
}

/** Docker's `linuxValidMountMode`: known words, at most one of each kind. */
export function validMountMode(mode: string): boolean {
  if (mode === '') return true;
  const counts = { rw: 0, label: 0, propagation: 0, copy: 0, consistency: 0 };
  for (const o of mode.split(',')) {
    if (RW_MODES.has(o)) counts.rw++;
    else if (LABEL_MODES.has(o)) counts.label++;
    else if (PROPAGATION_MODES.has(o)) counts.propagation++;
    else if (COPY_MODES.has(o)) counts.copy++;
    else if (CONSISTENCY_MODES.has(o)) counts.consistency++;
    else return false;
  }
  return Object.values(counts).every((n) => n <= 1);
}

/** Docker's `ReadWrite`: a valid mode without `ro`, `ro-*` or `rro`. */
export function modeIsReadWrite(mode: string): boolean {
  if (!validMountMode(mode)) return false;
  return !mode.split(',').some((o) => o === 'ro' || o.startsWith('ro-') || o === 'rro');
}

function modePropagation(mode: string): string | undefined {
  return mode.split(',').find((o) => PROPAGATION_MODES.has(o));
}

function validateNotRoot(p: string): void {
  if (cleanPath(p.replaceAll('\\', '/')) === '/') throw new MountConfigError("invalid specification: destination can't be '/'");
}

function validateAbsolute(p: string): void {
  if (!p.startsWith('/')) throw new MountConfigError(`invalid mount path: '${p}' mount path must be absolute`);
}

const missingField = (name: string) => new MountConfigError(`field ${name} must not be empty`);
const extraField = (name: string) => new MountConfigError(`field ${name} must not be specified`);

/** Go's `filepath.IsLocal` on Unix. */
function isLocalPath(p: string): boolean {
  if (p === '' || p.startsWith('/')) return false;
  const clean = cleanPath(p);
  return clean !== '..' && !clean.startsWith('../');
}

function record(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

function stringMap(value: unknown): Record<string, string> | undefined {
  const r = record(value);
  if (!r) return undefined;
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(r)) if (typeof v === 'string') out[k] = v;
  return out;
}

/**
 * Docker's `ConvertTmpfsOptions`: `ro`, `mode=<octal>`, `size=<n>[kmg]` (the
 * largest unit dividing the size) and the `exec`/`noexec` options, joined by commas.
 */
export function tmpfsData(options: Record<string, unknown> | null | undefined, readOnly: boolean): string {
  const raw: string[] = [];
  if (readOnly) raw.push('ro');
  const mode = options?.Mode;
  if (typeof mode === 'number' && mode !== 0) raw.push(`mode=${mode.toString(8)}`);
  const size = options?.SizeBytes;
  if (typeof size === 'number' && size !== 0) {
    const unit = ([['g', 2 ** 30], ['m', 2 ** 20], ['k', 2 ** 10]] as const).find(([, d]) => size % d === 0);
    raw.push(unit ? `size=${size / unit[1]}${unit[0]}` : `size=${size}`);
  }
  const extra = options?.Options;
  if (Array.isArray(extra)) {
    for (const opt of extra) {
      if (!Array.isArray(opt) || opt.length < 1 || opt.length > 2) throw new MountConfigError('invalid option array length');
      if (opt[0] !== 'exec' && opt[0] !== 'noexec') throw new MountConfigError(`invalid option: ${String(opt[0])}`);
      raw.push(opt.length === 1 ? String(opt[0]) : `${opt[0]}=${opt[1]}`);
    }
  }
  return raw.join(',');
}

/** Docker's `validateMountConfigImpl` without the bind-source existence check (see `planMounts`). */
function validateMountConfig(m: MountSpec): void {
  if (!m.Target) throw missingField('Target');
  validateNotRoot(m.Target);
  validateAbsolute(m.Target.replaceAll('\\', '/'));
  switch (m.Type) {
    case 'bind': {
      if (!m.Source) throw missingField('Source');
      const propagation = m.BindOptions?.Propagation;
      if (typeof propagation === 'string' && propagation !== '' && !PROPAGATION_MODES.has(propagation)) {
        throw new MountConfigError(`invalid propagation mode: ${propagation}`);
      }
      if (m.VolumeOptions) throw extraField('VolumeOptions');
      validateAbsolute(m.Source.replaceAll('\\', '/'));
      return;
    }
    case 'volume': {
      if (m.BindOptions) throw extraField('BindOptions');
      const anonymous = !m.Source;
      const subpath = m.VolumeOptions?.Subpath;
      if (typeof subpath === 'string' && subpath !== '') {
        if (anonymous) throw new MountConfigError('must not set Subpath when using anonymous volumes');
        if (!isLocalPath(subpath)) throw new MountConfigError('subpath must be a relative path within the volume');
      }
      if (m.ReadOnly && anonymous) throw new MountConfigError('must not set ReadOnly mode when using anonymous volumes');
      return;
    }
    case 'tmpfs':
      if (m.BindOptions) throw extraField('BindOptions');
      if (m.Source) throw extraField('Source');
      tmpfsData(m.TmpfsOptions, m.ReadOnly ?? false);
      return;
    default:
      throw new MountConfigError('mount type unknown');
  }
}

function bindFlags(options: Record<string, unknown> | null | undefined): BindFlags | undefined {
  if (!options) return undefined;
  const flags: BindFlags = {};
  if (options.NonRecursive === true) flags.nonRecursive = true;
  if (options.ReadOnlyNonRecursive === true) flags.readOnlyNonRecursive = true;
  if (options.ReadOnlyForceRecursive === true) flags.readOnlyForceRecursive = true;
  return Object.keys(flags).length > 0 ? flags : undefined;
}

/** Docker's `parseMountSpec` after validation: the mount point a spec describes. */
function plannedFromSpec(m: MountSpec, origin: 'binds' | 'mounts', mode: string): PlannedMount {
  const base = {
    origin,
    destination: cleanPath(m.Target),
    readOnly: m.ReadOnly ?? false,
    mode,
    copyData: false,
    createIfMissing: false,
  };
  switch (m.Type) {
    case 'volume': {
      const vo = m.VolumeOptions ?? undefined;
      const driverConfig = record(vo?.DriverConfig);
      const driver = typeof driverConfig?.Name === 'string' && driverConfig.Name !== '' ? driverConfig.Name : undefined;
      const volumeOptions: PlannedVolumeOptions = {};
      const labels = stringMap(vo?.Labels);
      if (labels && Object.keys(labels).length > 0) volumeOptions.labels = labels;
      const driverOpts = stringMap(driverConfig?.Options);
      if (driverOpts && Object.keys(driverOpts).length > 0) volumeOptions.driverOpts = driverOpts;
      if (typeof vo?.Subpath === 'string' && vo.Subpath !== '') volumeOptions.subpath = vo.Subpath;
      return {
        ...base,
        type: 'volume',
        ...(m.Source ? { volumeName: m.Source } : { anonymous: true }),
        ...(driver ? { driver } : {}),
        propagation: '',
        copyData: vo?.NoCopy !== true,
        ...(Object.keys(volumeOptions).length > 0 ? { volumeOptions } : {}),
      };
    }
    case 'bind': {
      const propagation = m.BindOptions?.Propagation;
      const flags = bindFlags(m.BindOptions);
      return {
        ...base,
        type: 'bind',
        source: cleanPath(m.Source!),
        propagation: typeof propagation === 'string' && propagation !== '' ? propagation : DEFAULT_PROPAGATION,
        // `-v` always creates a missing source; `--mount` only when asked (`CreateMountpoint`).
        createIfMissing: origin === 'binds' || m.BindOptions?.CreateMountpoint === true,
        ...(flags ? { bindOptions: flags } : {}),
      };
    }
    default:
      return { ...base, type: 'tmpfs', propagation: '', tmpfsOptions: tmpfsData(m.TmpfsOptions, m.ReadOnly ?? false) };
  }
}

/**
 * Docker's `ParseMountRaw`: one `HostConfig.Binds` entry
 * (`[name|/host:]/dst[:mode]`). A source starting with `/` is a bind, any
 * other a named volume; a lone destination is an anonymous volume.
 * `volumeDriver` is `HostConfig.VolumeDriver`, applied to volumes only.
 */
export function parseBind(raw: string, volumeDriver = ''): PlannedMount {
  const arr = splitN(raw, ':', 4);
  if (arr[0] === '') throw invalid(invalidSpec(raw));
  let source = '';
  let target = '';
  let mode = '';
  switch (arr.length) {
    case 1:
      target = arr[0]!;
      break;
    case 2:
      // `/foo:rw`: a destination with a mode is not a volume.
      if (validMountMode(arr[1]!)) throw invalid(invalidSpec(raw));
      [source, target] = arr as [string, string];
      break;
    case 3:
      [source, target, mode] = arr as [string, string, string];
      break;
    default:
      throw invalid(invalidSpec(raw));
  }
  if (!validMountMode(mode)) throw invalidMode(mode);

  const spec: MountSpec = { Type: source.startsWith('/') ? 'bind' : 'volume', Source: source, Target: target };
  spec.ReadOnly = !modeIsReadWrite(mode);
  if (volumeDriver !== '' && spec.Type === 'volume') spec.VolumeOptions = { DriverConfig: { Name: volumeDriver } };
  if (mode.split(',').includes('nocopy')) spec.VolumeOptions = { ...(spec.VolumeOptions ?? {}), NoCopy: true };
  const propagation = modePropagation(mode);
  if (propagation !== undefined) spec.BindOptions = { Propagation: propagation };
  for (const m of mode.split(',').map((o) => o.trim())) {
    if (!m.startsWith('ro-') && m !== 'rro') continue;
    if (spec.Type !== 'bind') throw invalid(`mount mode ${JSON.stringify(mode)} requires a bind mount: ${invalidSpec(raw)}`);
    spec.BindOptions ??= {};
    if (m === 'ro-non-recursive') spec.BindOptions.ReadOnlyNonRecursive = true;
    else spec.BindOptions.ReadOnlyForceRecursive = true;
  }
  try {
    validateMountConfig(spec);
  } catch (err) {
    if (err instanceof MountConfigError) throw invalid(`${invalidSpec(raw)}: ${mountConfigError(spec.Type, err).message}`);
    throw err;
  }
  return plannedFromSpec(spec, 'binds', mode);
}

/**
 * Docker's `ParseMountSpec` for one `HostConfig.Mounts` entry, except the
 * check that a bind's source exists (`planMounts` does it, asynchronously).
 */
export function parseMountSpec(m: MountSpec): PlannedMount {
  try {
    validateMountConfig(m);
  } catch (err) {
    if (err instanceof MountConfigError) throw mountConfigError(String(m.Type ?? ''), err);
    throw err;
  }
  return plannedFromSpec(m, 'mounts', '');
}

/** `invalid mount config for type "bind": bind source path does not exist: /x`. */
export function bindSourceMissing(source: string): MobyError {
  return mountConfigError('bind', new MountConfigError(`bind source path does not exist: ${source}`));
}

/**
 * Docker's `ParseVolumesFrom`: `container[:mode]`, mode `rw` when absent;
 * propagation, copy and `ro-*` modes are refused.
 */
export function parseVolumesFrom(spec: string): { container: string; mode: string; readWrite: boolean } {
  if (spec === '') throw invalid('volumes-from specification cannot be an empty string');
  const colon = spec.indexOf(':');
  const container = colon < 0 ? spec : spec.slice(0, colon);
  const mode = colon < 0 ? '' : spec.slice(colon + 1);
  if (mode === '') return { container, mode: 'rw', readWrite: true };
  if (!validMountMode(mode)) throw invalidMode(mode);
  if (mode.startsWith('ro-') || mode === 'rro') {
    throw invalid(`mount mode ${JSON.stringify(mode)} is not supported for volumes-from mounts: invalid mode: ${mode}`);
  }
  if (modePropagation(mode) !== undefined) throw invalidMode(mode);
  if (mode.split(',').includes('nocopy')) throw invalidMode(mode);
  return { container, mode, readWrite: modeIsReadWrite(mode) };
}

/** Docker's `Duplicate mount point: /x`. */
export function duplicateMountPoint(destination: string): MobyError {
  return invalid(`Duplicate mount point: ${destination}`);
}
