import {
  arrayAt, digestAt, invalid, objectAt, optionalString, parseJson, sizeAt, stringArrayAt, stringAt, stringMapAt,
  type Json, type JsonObject,
} from './json-fields.js';
import { isIndexType, isManifestType, mediaTypes, type Descriptor, type ImageIndex, type ImageManifest, type Platform } from './oci.js';

/**
 * Parsing of manifests and indexes with validation. Everything malformed is
 * `invalid-argument` naming the field: a schemaVersion other than 2 (schema 1
 * is refused outright), a `mediaType` that disagrees with the document's shape
 * or with the type it was fetched as, descriptors with a malformed media type,
 * a digest that is not sha256, or a size that is not a non-negative integer.
 * The parsed value is a fresh object holding only the known fields.
 */

// RFC 6838 type/subtype, as the OCI spec requires of descriptor media types.
const mediaTypePattern = /^[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}\/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}$/;

export type ParsedDocument = { kind: 'manifest'; manifest: ImageManifest } | { kind: 'index'; index: ImageIndex };

/**
 * Parses a manifest or an index, telling which by `mediaType` (the field, or
 * the type it was served as) or, when neither is given, by its shape.
 */
export function parseManifestOrIndex(bytes: Uint8Array | string, mediaType?: string): ParsedDocument {
  const doc = 'manifest';
  const root = objectAt(parseJson(bytes, doc), doc, '');
  const declared = mediaType ?? optionalString(root.mediaType, doc, 'mediaType');
  const isIndex = declared !== undefined ? isIndexType(declared) : root.manifests !== undefined && root.layers === undefined;
  return isIndex ? { kind: 'index', index: indexOf(root, mediaType) } : { kind: 'manifest', manifest: manifestOf(root, mediaType) };
}

/** Parses an image manifest (Docker schema 2 or OCI); `mediaType` is the type it was fetched as, if known. */
export function parseManifest(bytes: Uint8Array | string, mediaType?: string): ImageManifest {
  return manifestOf(objectAt(parseJson(bytes, 'manifest'), 'manifest', ''), mediaType);
}

/** Parses a manifest list or image index; `mediaType` is the type it was fetched as, if known. */
export function parseIndex(bytes: Uint8Array | string, mediaType?: string): ImageIndex {
  return indexOf(objectAt(parseJson(bytes, 'index'), 'index', ''), mediaType);
}

function manifestOf(root: JsonObject, fetchedAs: string | undefined): ImageManifest {
  const doc = 'manifest';
  checkSchemaVersion(root, doc);
  const mediaType = checkMediaType(root, doc, fetchedAs, isManifestType);
  if (root.manifests !== undefined) throw invalid(doc, 'manifests', 'an image manifest has no "manifests" (is this an index?)');
  if (mediaType === mediaTypes.dockerManifest && root.mediaType === undefined) {
    throw invalid(doc, 'mediaType', `a Docker schema 2 manifest must say ${mediaTypes.dockerManifest}`);
  }
  const manifest: ImageManifest = {
    schemaVersion: 2,
    config: parseDescriptor(root.config, doc, 'config'),
    layers: arrayAt(root.layers, doc, 'layers').map((d, i) => parseDescriptor(d, doc, `layers[${i}]`)),
  };
  if (root.mediaType !== undefined) manifest.mediaType = mediaType;
  addCommon(manifest, root, doc);
  return manifest;
}

function indexOf(root: JsonObject, fetchedAs: string | undefined): ImageIndex {
  const doc = 'index';
  checkSchemaVersion(root, doc);
  const mediaType = checkMediaType(root, doc, fetchedAs, isIndexType);
  if (root.config !== undefined || root.layers !== undefined) throw invalid(doc, '', 'an index has no "config" or "layers" (is this a manifest?)');
  const index: ImageIndex = {
    schemaVersion: 2,
    manifests: arrayAt(root.manifests, doc, 'manifests').map((d, i) => parseDescriptor(d, doc, `manifests[${i}]`)),
  };
  if (root.mediaType !== undefined) index.mediaType = mediaType;
  addCommon(index, root, doc);
  return index;
}

function addCommon(target: ImageManifest | ImageIndex, root: JsonObject, doc: string): void {
  const artifactType = optionalString(root.artifactType, doc, 'artifactType');
  if (artifactType !== undefined) target.artifactType = checkType(artifactType, doc, 'artifactType');
  if (root.subject !== undefined) target.subject = parseDescriptor(root.subject, doc, 'subject');
  if (root.annotations !== undefined && root.annotations !== null) target.annotations = stringMapAt(root.annotations, doc, 'annotations');
}

function checkSchemaVersion(root: JsonObject, doc: string): void {
  if (root.schemaVersion === 2) return;
  if (root.schemaVersion === 1) throw invalid(doc, 'schemaVersion', 'schema 1 manifests are not supported');
  throw invalid(doc, 'schemaVersion', `expected 2, got ${JSON.stringify(root.schemaVersion ?? null)}`);
}

/** The document's media type: the field and the fetched type must agree with each other and with its kind. */
function checkMediaType(root: JsonObject, doc: string, fetchedAs: string | undefined, fits: (t: string) => boolean): string {
  const field = optionalString(root.mediaType, doc, 'mediaType');
  if (field !== undefined && fetchedAs !== undefined && field !== fetchedAs) {
    throw invalid(doc, 'mediaType', `${JSON.stringify(field)} does not match the type it was fetched as, ${JSON.stringify(fetchedAs)}`);
  }
  const type = field ?? fetchedAs ?? (doc === 'index' ? mediaTypes.ociIndex : mediaTypes.ociManifest);
  if (!fits(type)) throw invalid(doc, 'mediaType', `${JSON.stringify(type)} is not a${doc === 'index' ? 'n index' : ' manifest'} media type`);
  return type;
}

function checkType(value: string, doc: string, path: string): string {
  if (!mediaTypePattern.test(value)) throw invalid(doc, path, `${JSON.stringify(value)} is not a media type`);
  return value;
}

/** Validates one descriptor; `path` names it in messages (`layers[2]`). */
export function parseDescriptor(value: Json | undefined, doc: string, path: string): Descriptor {
  const obj = objectAt(value, doc, path);
  const desc: Descriptor = {
    mediaType: checkType(stringAt(obj.mediaType, doc, `${path}.mediaType`), doc, `${path}.mediaType`),
    digest: digestAt(obj.digest, doc, `${path}.digest`),
    size: sizeAt(obj.size, doc, `${path}.size`),
  };
  if (obj.urls !== undefined && obj.urls !== null) desc.urls = stringArrayAt(obj.urls, doc, `${path}.urls`);
  if (obj.annotations !== undefined && obj.annotations !== null) desc.annotations = stringMapAt(obj.annotations, doc, `${path}.annotations`);
  if (obj.platform !== undefined && obj.platform !== null) desc.platform = parsePlatformField(obj.platform, doc, `${path}.platform`);
  const artifactType = optionalString(obj.artifactType, doc, `${path}.artifactType`);
  if (artifactType !== undefined) desc.artifactType = checkType(artifactType, doc, `${path}.artifactType`);
  return desc;
}

function parsePlatformField(value: Json, doc: string, path: string): Platform {
  const obj = objectAt(value, doc, path);
  const platform: Platform = {
    architecture: stringAt(obj.architecture, doc, `${path}.architecture`),
    os: stringAt(obj.os, doc, `${path}.os`),
  };
  const osVersion = optionalString(obj['os.version'], doc, `${path}.os.version`);
  if (osVersion !== undefined) platform['os.version'] = osVersion;
  if (obj['os.features'] !== undefined && obj['os.features'] !== null) platform['os.features'] = stringArrayAt(obj['os.features'], doc, `${path}.os.features`);
  const variant = optionalString(obj.variant, doc, `${path}.variant`);
  if (variant !== undefined) platform.variant = variant;
  return platform;
}
