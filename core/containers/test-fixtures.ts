import { completeContainerConfig } from '../image/container-config.js';
import { newContainerId, newContainerRecord, type ContainerRecord, type NewRecordInput } from './container-record.js';

export const SAMPLE_IMAGE_ID = 'sha256:668ffeff4aa36aa8a3611547331e84766a692ba6d1ec18728fe2984152f37582';

/** A plausible `created` record: `sleep 3600` from `busybox:local`, overridable field by field. */
export function sampleRecord(overrides: Partial<NewRecordInput> = {}): ContainerRecord {
  const id = overrides.id ?? newContainerId();
  return newContainerRecord({
    id,
    name: `/c-${id.slice(0, 8)}`,
    image: SAMPLE_IMAGE_ID,
    path: 'sleep',
    args: ['3600'],
    config: completeContainerConfig({
      Hostname: id.slice(0, 12), Env: ['PATH=/bin'], Cmd: ['sleep', '3600'], Image: 'busybox:local', Labels: {},
    }),
    hostConfig: { NetworkMode: 'default', RestartPolicy: { Name: 'no', MaximumRetryCount: 0 } },
    containerDir: `/var/lib/moby/containers/${id}`,
    created: new Date('2026-11-23T16:39:06.206Z'),
    ...overrides,
  });
}

/** An id with a chosen prefix, the rest random. */
export function idWithPrefix(prefix: string): string {
  return (prefix + newContainerId()).slice(0, 64);
}
