/**
 * Image configs and the v1 layer directories (`<id>/json`) dockerd wrote for them in a `docker save`.
 * Captured from docker save multi:1 busybox:tagged on dockerd 20.10.24+dfsg1 (Debian 12).
 */
export interface DockerSaveLegacy {
  images: Array<{ config: string; legacy: Array<{ id: string; json: string }> }>;
}

export const dockerSaveLegacy: DockerSaveLegacy = {
  "images": [
    {
      "config": "{\"architecture\":\"amd64\",\"config\":{\"Hostname\":\"06e7f522e41b\",\"Domainname\":\"\",\"User\":\"\",\"AttachStdin\":false,\"AttachStdout\":true,\"AttachStderr\":true,\"Tty\":false,\"OpenStdin\":false,\"StdinOnce\":false,\"Env\":[\"PATH=/bin\"],\"Cmd\":[\"cat\",\"/f\"],\"Image\":\"busybox:tagged\",\"Volumes\":null,\"WorkingDir\":\"\",\"Entrypoint\":null,\"OnBuild\":null,\"Labels\":{}},\"container\":\"06e7f522e41b768124bfe4d0ae15204555316b47d53c8a98ff36474ccf825e93\",\"container_config\":{\"Hostname\":\"06e7f522e41b\",\"Domainname\":\"\",\"User\":\"\",\"AttachStdin\":false,\"AttachStdout\":true,\"AttachStderr\":true,\"Tty\":false,\"OpenStdin\":false,\"StdinOnce\":false,\"Env\":[\"PATH=/bin\"],\"Cmd\":[\"sh\",\"-c\",\"echo x \\u003e /f\"],\"Image\":\"busybox:tagged\",\"Volumes\":null,\"WorkingDir\":\"\",\"Entrypoint\":null,\"OnBuild\":null,\"Labels\":{}},\"created\":\"2026-11-23T18:22:33.146442436Z\",\"docker_version\":\"20.10.24+dfsg1\",\"history\":[{\"created\":\"2026-01-02T03:04:05.123456789Z\",\"comment\":\"Imported from -\"},{\"created\":\"2026-11-23T18:22:33.146442436Z\",\"created_by\":\"sh -c echo x \\u003e /f\"}],\"os\":\"linux\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"sha256:bcb0cf2852bd68acb2495067daeffbf51788aab1b413752fa55552baab9e62a4\",\"sha256:9ca176405b694f4d4166ec05eb8dd6fbec760187e80d9ac0e207ae01c84ec5b4\"]}}",
      "legacy": [
        {
          "id": "371b579d6f04b0e93442283fcdaaa52aa794ce99cdbc95a31a994c172a501fcf",
          "json": "{\"id\":\"371b579d6f04b0e93442283fcdaaa52aa794ce99cdbc95a31a994c172a501fcf\",\"created\":\"1970-01-01T00:00:00Z\",\"container_config\":{\"Hostname\":\"\",\"Domainname\":\"\",\"User\":\"\",\"AttachStdin\":false,\"AttachStdout\":false,\"AttachStderr\":false,\"Tty\":false,\"OpenStdin\":false,\"StdinOnce\":false,\"Env\":null,\"Cmd\":null,\"Image\":\"\",\"Volumes\":null,\"WorkingDir\":\"\",\"Entrypoint\":null,\"OnBuild\":null,\"Labels\":null},\"os\":\"linux\"}"
        },
        {
          "id": "8a988f7d493f8163567b94acb6ccfb1b7d82d3a28fac3473189fe2b3508b2bf3",
          "json": "{\"id\":\"8a988f7d493f8163567b94acb6ccfb1b7d82d3a28fac3473189fe2b3508b2bf3\",\"parent\":\"371b579d6f04b0e93442283fcdaaa52aa794ce99cdbc95a31a994c172a501fcf\",\"created\":\"2026-11-23T18:22:33.146442436Z\",\"container\":\"06e7f522e41b768124bfe4d0ae15204555316b47d53c8a98ff36474ccf825e93\",\"container_config\":{\"Hostname\":\"06e7f522e41b\",\"Domainname\":\"\",\"User\":\"\",\"AttachStdin\":false,\"AttachStdout\":true,\"AttachStderr\":true,\"Tty\":false,\"OpenStdin\":false,\"StdinOnce\":false,\"Env\":[\"PATH=/bin\"],\"Cmd\":[\"sh\",\"-c\",\"echo x \\u003e /f\"],\"Image\":\"busybox:tagged\",\"Volumes\":null,\"WorkingDir\":\"\",\"Entrypoint\":null,\"OnBuild\":null,\"Labels\":{}},\"docker_version\":\"20.10.24+dfsg1\",\"config\":{\"Hostname\":\"06e7f522e41b\",\"Domainname\":\"\",\"User\":\"\",\"AttachStdin\":false,\"AttachStdout\":true,\"AttachStderr\":true,\"Tty\":false,\"OpenStdin\":false,\"StdinOnce\":false,\"Env\":[\"PATH=/bin\"],\"Cmd\":[\"cat\",\"/f\"],\"Image\":\"busybox:tagged\",\"Volumes\":null,\"WorkingDir\":\"\",\"Entrypoint\":null,\"OnBuild\":null,\"Labels\":{}},\"architecture\":\"amd64\",\"os\":\"linux\"}"
        }
      ]
    },
    {
      "config": "{\"architecture\":\"amd64\",\"comment\":\"Imported from -\",\"config\":{\"Hostname\":\"\",\"Domainname\":\"\",\"User\":\"\",\"AttachStdin\":false,\"AttachStdout\":false,\"AttachStderr\":false,\"Tty\":false,\"OpenStdin\":false,\"StdinOnce\":false,\"Env\":[\"PATH=/bin\"],\"Cmd\":[\"sh\"],\"Image\":\"\",\"Volumes\":null,\"WorkingDir\":\"\",\"Entrypoint\":null,\"OnBuild\":null,\"Labels\":null},\"container_config\":{\"Hostname\":\"\",\"Domainname\":\"\",\"User\":\"\",\"AttachStdin\":false,\"AttachStdout\":false,\"AttachStderr\":false,\"Tty\":false,\"OpenStdin\":false,\"StdinOnce\":false,\"Env\":null,\"Cmd\":null,\"Image\":\"\",\"Volumes\":null,\"WorkingDir\":\"\",\"Entrypoint\":null,\"OnBuild\":null,\"Labels\":null},\"created\":\"2026-01-02T03:04:05.123456789Z\",\"history\":[{\"created\":\"2026-01-02T03:04:05.123456789Z\",\"comment\":\"Imported from -\"}],\"os\":\"linux\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"sha256:bcb0cf2852bd68acb2495067daeffbf51788aab1b413752fa55552baab9e62a4\"]}}",
      "legacy": [
        {
          "id": "a282e56ba9fe76a7fcace7188c3e56914e5eb7f411564e59436c6ad1d43f8938",
          "json": "{\"id\":\"a282e56ba9fe76a7fcace7188c3e56914e5eb7f411564e59436c6ad1d43f8938\",\"comment\":\"Imported from -\",\"created\":\"2026-01-02T03:04:05.123456789Z\",\"container_config\":{\"Hostname\":\"\",\"Domainname\":\"\",\"User\":\"\",\"AttachStdin\":false,\"AttachStdout\":false,\"AttachStderr\":false,\"Tty\":false,\"OpenStdin\":false,\"StdinOnce\":false,\"Env\":null,\"Cmd\":null,\"Image\":\"\",\"Volumes\":null,\"WorkingDir\":\"\",\"Entrypoint\":null,\"OnBuild\":null,\"Labels\":null},\"config\":{\"Hostname\":\"\",\"Domainname\":\"\",\"User\":\"\",\"AttachStdin\":false,\"AttachStdout\":false,\"AttachStderr\":false,\"Tty\":false,\"OpenStdin\":false,\"StdinOnce\":false,\"Env\":[\"PATH=/bin\"],\"Cmd\":[\"sh\"],\"Image\":\"\",\"Volumes\":null,\"WorkingDir\":\"\",\"Entrypoint\":null,\"OnBuild\":null,\"Labels\":null},\"architecture\":\"amd64\",\"os\":\"linux\"}"
        }
      ]
    }
  ]
};
