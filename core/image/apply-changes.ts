import { posix } from 'node:path';
import { errorOf } from '../../lib/errdefs/index.js';
import { parsePortSpec, parseSignal } from './change-values.js';
import { completeContainerConfig, type ContainerConfig, type HealthConfig } from './container-config.js';
import { parseInstructions, parseJsonArray, parseWords, splitInstruction, splitWhitespace, type Instruction } from './dockerfile-parse.js';
import { checkFlags, parseHealthcheck } from './healthcheck-change.js';
import { processWord, processWords } from './shell-word.js';

/**
 * `docker import --change` / `docker commit --change` (moby's
 * `BuildFromConfig`): applies Dockerfile instructions to a run config. Only
 * CMD, ENTRYPOINT, ENV, EXPOSE, HEALTHCHECK, LABEL, ONBUILD, STOPSIGNAL,
 * USER, VOLUME and WORKDIR are allowed; anything else is
 * `<NAME> is not a valid change command`. Like Docker, all changes are parsed
 * and checked before any is applied, and variables expand against the
 * environment as it stands before each instruction. Returns a new config;
 * errors are `invalid-argument` in Docker's (BuildKit's) words.
 */
export function applyChanges(config: Partial<ContainerConfig> | null | undefined, changes: string[], os = 'linux'): ContainerConfig {
  const state = completeContainerConfig(config);
  if (changes.length === 0) return state;
  const nodes = parseInstructions(changes.join('\n')).map(parseNode);
  for (const node of nodes) {
    if (!allowed.has(node.kind)) throw fail(`${node.name} is not a valid change command`);
  }
  const commands = nodes.map(toCommand);
  const run = { cmdSet: false, os };
  for (const command of commands) dispatch(state, command, run);
  return state;
}

const allowed = new Set(['cmd', 'entrypoint', 'env', 'expose', 'healthcheck', 'label', 'onbuild', 'stopsignal', 'user', 'volume', 'workdir']);

const fail = (message: string) => errorOf('invalid-argument', message);

/** An instruction after the parser's per-instruction splitting (BuildKit's AST node). */
interface Node extends Instruction {
  kind: string;
  args: string[];
  json: boolean;
  pairs: Array<[string, string]>;
}

function parseNode(inst: Instruction): Node {
  const kind = inst.name.toLowerCase();
  const node: Node = { ...inst, kind, args: [], json: false, pairs: [] };
  const rest = inst.rest;
  switch (kind) {
    case 'cmd': case 'entrypoint': {
      const json = parseJsonArray(rest);
      [node.json, node.args] = json ? [true, json] : [false, rest === '' ? [] : [rest]];
      break;
    }
    case 'env': case 'label': node.pairs = parseNameValue(rest, inst.name.toUpperCase()); break;
    case 'expose': node.args = splitWhitespace(rest); break;
    case 'volume': node.args = parseJsonArray(rest) ?? splitWhitespace(rest); break;
    case 'user': case 'workdir': case 'stopsignal': node.args = rest === '' ? [] : [rest]; break;
    case 'onbuild': if (rest !== '') node.args = [parseNode(splitInstruction(rest)).name]; break;
    case 'healthcheck': {
      const m = /^(\S+)\s*([\s\S]*)$/.exec(rest);
      if (!m) break;
      const json = parseJsonArray(m[2]!);
      [node.json, node.args] = json ? [true, [m[1]!, ...json]] : [false, m[2] === '' ? [m[1]!] : [m[1]!, m[2]!]];
      break;
    }
  }
  return node;
}

/** `KEY=value …` pairs, or the legacy `KEY value` form (BuildKit's `parseNameVal`). */
function parseNameValue(rest: string, name: string): Array<[string, string]> {
  const words = parseWords(rest);
  if (words.length === 0) return [];
  if (!words[0]!.includes('=')) {
    const m = /^(\S+)[\t\v\f\r ]+([\s\S]*)$/.exec(rest);
    if (!m) throw fail(`${name} must have two arguments`);
    return [[m[1]!, m[2]!]];
  }
  return words.map((word) => {
    const eq = word.indexOf('=');
    if (eq < 0) throw fail(`Syntax error - can't find = in ${JSON.stringify(word)}. Must be of the form: name=value`);
    return [word.slice(0, eq), word.slice(eq + 1)];
  });
}

type Command = Node & { health?: HealthConfig; expression?: string };

/** BuildKit's `instructions.ParseCommand`: argument counts and flags. */
function toCommand(node: Node): Command {
  const upper = node.kind.toUpperCase();
  if (node.kind !== 'healthcheck') checkFlags(node.flags, new Set());
  const atLeastOne = () => { if (node.args.length === 0 && node.pairs.length === 0) throw fail(`${upper} requires at least one argument`); };
  const exactlyOne = () => { if (node.args.length !== 1) throw fail(`${upper} requires exactly one argument`); };
  switch (node.kind) {
    case 'env': case 'label': case 'expose': atLeastOne(); break;
    case 'volume':
      atLeastOne();
      if (node.args.some((v) => v.trim() === '')) throw fail('VOLUME specified can not be an empty string');
      node.args = node.args.map((v) => v.trim());
      break;
    case 'user': case 'workdir': case 'stopsignal': exactlyOne(); break;
    case 'onbuild': {
      exactlyOne();
      const trigger = node.args[0]!.toUpperCase();
      if (trigger === 'ONBUILD') throw fail('Chaining ONBUILD via `ONBUILD ONBUILD` isn\'t allowed');
      if (trigger === 'MAINTAINER' || trigger === 'FROM') throw fail(`${trigger} isn't allowed as an ONBUILD trigger`);
      return { ...node, expression: node.original.replace(/^\s*ONBUILD\s*/i, '') };
    }
    case 'healthcheck': return { ...node, health: parseHealthcheck(node.args, node.json, node.flags) };
  }
  return node;
}

/** moby's `dispatch*` functions for the allowed instructions. */
function dispatch(c: ContainerConfig, cmd: Command, run: { cmdSet: boolean; os: string }): void {
  const env = c.Env ?? [];
  const word = (w: string) => processWord(w, env);
  switch (cmd.kind) {
    case 'cmd':
      c.Cmd = commandLine(c, cmd, run.os);
      delete c.ArgsEscaped;
      if (cmd.args.length > 0) run.cmdSet = true;
      break;
    case 'entrypoint':
      c.Entrypoint = commandLine(c, cmd, run.os);
      delete c.ArgsEscaped;
      if (!run.cmdSet) c.Cmd = null;
      break;
    case 'env': {
      const pairs = cmd.pairs.map(([k, v]) => [word(k), word(v)] as const);
      const list = [...env];
      for (const [key, value] of pairs) {
        const at = list.findIndex((kv) => kv.split('=', 1)[0] === key);
        if (at >= 0) list[at] = `${key}=${value}`;
        else list.push(`${key}=${value}`);
      }
      c.Env = list;
      break;
    }
    case 'label':
      c.Labels = { ...(c.Labels ?? {}) };
      for (const [k, v] of cmd.pairs) c.Labels[word(k)] = word(v);
      break;
    case 'expose':
      c.ExposedPorts = { ...(c.ExposedPorts ?? {}) };
      for (const spec of cmd.args.flatMap((p) => processWords(p, env))) {
        for (const key of parsePortSpec(spec)) c.ExposedPorts[key] = {};
      }
      break;
    case 'user': c.User = word(cmd.args[0]!); break;
    case 'workdir': c.WorkingDir = normalizeWorkdir(c.WorkingDir, word(cmd.args[0]!)); break;
    case 'stopsignal': {
      const signal = word(cmd.args[0]!);
      parseSignal(signal);
      c.StopSignal = signal;
      break;
    }
    case 'volume':
      c.Volumes = { ...(c.Volumes ?? {}) };
      for (const v of cmd.args.map(word)) {
        if (v === '') throw fail('VOLUME specified can not be an empty string');
        c.Volumes[v] = {};
      }
      break;
    case 'onbuild': c.OnBuild = [...(c.OnBuild ?? []), cmd.expression!]; break;
    case 'healthcheck': c.Healthcheck = cmd.health!; break;
  }
}

/** The exec form as given; the shell form behind the config's SHELL (default `/bin/sh -c`). */
function commandLine(c: ContainerConfig, cmd: Command, os: string): string[] {
  if (cmd.args.length === 0) return [];
  if (cmd.json) return [...cmd.args];
  const shell = c.Shell && c.Shell.length > 0 ? c.Shell : os === 'windows' ? ['cmd', '/S', '/C'] : ['/bin/sh', '-c'];
  return [...shell, ...cmd.args];
}

/** moby's `normalizeWorkdir`: relative paths are taken from the current directory; the result is cleaned. */
function normalizeWorkdir(current: string, requested: string): string {
  if (requested === '') throw fail('cannot normalize nothing');
  const joined = requested.startsWith('/') ? requested : posix.join('/', current, requested);
  const clean = posix.normalize(joined);
  return clean.length > 1 ? clean.replace(/\/+$/, '') : clean;
}
