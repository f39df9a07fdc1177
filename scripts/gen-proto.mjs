#!/usr/bin/env node
// Regenerates the TypeScript beside every proto under api/ (protoc + ts-proto).
// With --check, generates into a temporary folder and exits 1 if the committed code differs.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const apiDir = join(root, 'api');
const plugin = join(root, 'node_modules', '.bin', 'protoc-gen-ts_proto');
const options = [
  'outputServices=grpc-js',
  'esModuleInterop=true',
  'importSuffix=.js',
  'env=node',
  'forceLong=number',
  'useDate=false',
].join(',');

function protos(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return protos(p);
    return e.name.endsWith('.proto') ? [relative(apiDir, p)] : [];
  });
}

function generate(outDir) {
  execFileSync('protoc', [`--plugin=protoc-gen-ts_proto=${plugin}`, `--ts_proto_out=${outDir}`, `--ts_proto_opt=${options}`, `-I${apiDir}`, ...protos(apiDir)], {
    stdio: 'inherit',
  });
}

if (process.argv.includes('--check')) {
  const out = mkdtempSync(join(tmpdir(), 'moby-proto-'));
  try {
    generate(out);
    const stale = protos(apiDir)
      .map((p) => p.replace(/\.proto$/, '.ts'))
      .filter((ts) => !existsSync(join(apiDir, ts)) || readFileSync(join(apiDir, ts), 'utf8') !== readFileSync(join(out, ts), 'utf8'));
    if (stale.length > 0) {
      console.error(`generated code is stale for: ${stale.join(', ')}; run npm run gen:proto`);
      process.exit(1);
    }
    console.log('generated code is up to date');
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
} else {
  generate(apiDir);
}
