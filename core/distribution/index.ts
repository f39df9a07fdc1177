/**
 * Distribution: pull and push against OCI / Docker v2 registries, as a plain
 * library over a `LayerStore`. `pull`/`pullAllTags` and `push` are what the
 * image store calls (with Docker's progress messages); `RegistryClient` is
 * the protocol itself (endpoint, auth challenges, manifests, blobs, uploads,
 * mounts, tags) for anything else that talks to a registry.
 */
export { pull, pullAllTags, type PullOptions, type PullResult } from './pull.js';
export type { PulledImage } from './pull-image.js';
export { push, type PushOptions, type PushResult } from './push.js';
export { RegistryClient, manifestAccept, type BlobResponse, type FetchedManifest, type RegistryClientOptions } from './registry-client.js';
export type { RegistryTransportOptions } from './registry-transport.js';
export { encodeRegistryAuth, parseRegistryAuth, type RegistryAuth } from './registry-auth.js';
export { RegistryResponseError, type RegistryErrorEntry } from './registry-errors.js';
export { defaultInsecureRegistries, InsecureRegistries } from './insecure-registries.js';
export { fetchBlob, type FetchBlobOptions } from './fetch-blob.js';
export { distributionSourcePrefix, sourceRepos } from './image-labels.js';
export { humanSize, progressText, shortId, type JsonMessage, type ProgressSink } from './progress.js';
