/**
 * Image configs dockerd wrote for `docker import` with these `--change` lists (and `-m`), byte for byte.
 * Captured from docker import --change ... on dockerd 20.10.24+dfsg1 (Debian 12).
 */
export interface DockerImportConfigs {
  cases: Array<{ name: string; changes: string[]; comment?: string; config: string }>;
}

export const dockerImportConfigs: DockerImportConfigs = {
  "cases": [
    {
      "name": "none",
      "changes": [],
      "config": "{\"architecture\":\"amd64\",\"comment\":\"Imported from -\",\"config\":{\"Hostname\":\"\",\"Domainname\":\"\",\"User\":\"\",\"AttachStdin\":false,\"AttachStdout\":false,\"AttachStderr\":false,\"Tty\":false,\"OpenStdin\":false,\"StdinOnce\":false,\"Env\":null,\"Cmd\":null,\"Image\":\"\",\"Volumes\":null,\"WorkingDir\":\"\",\"Entrypoint\":null,\"OnBuild\":null,\"Labels\":null},\"container_config\":{\"Hostname\":\"\",\"Domainname\":\"\",\"User\":\"\",\"AttachStdin\":false,\"AttachStdout\":false,\"AttachStderr\":false,\"Tty\":false,\"OpenStdin\":false,\"StdinOnce\":false,\"Env\":null,\"Cmd\":null,\"Image\":\"\",\"Volumes\":null,\"WorkingDir\":\"\",\"Entrypoint\":null,\"OnBuild\":null,\"Labels\":null},\"created\":\"2026-11-23T18:22:09.20491391Z\",\"docker_version\":\"20.10.24+dfsg1\",\"history\":[{\"created\":\"2026-11-23T18:22:09.20491391Z\",\"comment\":\"Imported from -\"}],\"os\":\"linux\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"sha256:bcb0cf2852bd68acb2495067daeffbf51788aab1b413752fa55552baab9e62a4\"]}}"
    },
    {
      "name": "envcmd",
      "changes": [
        "ENV PATH=/bin",
        "CMD echo hi"
      ],
      "config": "{\"architecture\":\"amd64\",\"comment\":\"Imported from -\",\"config\":{\"Hostname\":\"\",\"Domainname\":\"\",\"User\":\"\",\"AttachStdin\":false,\"AttachStdout\":false,\"AttachStderr\":false,\"Tty\":false,\"OpenStdin\":false,\"StdinOnce\":false,\"Env\":[\"PATH=/bin\"],\"Cmd\":[\"/bin/sh\",\"-c\",\"echo hi\"],\"Image\":\"\",\"Volumes\":null,\"WorkingDir\":\"\",\"Entrypoint\":null,\"OnBuild\":null,\"Labels\":null},\"container_config\":{\"Hostname\":\"\",\"Domainname\":\"\",\"User\":\"\",\"AttachStdin\":false,\"AttachStdout\":false,\"AttachStderr\":false,\"Tty\":false,\"OpenStdin\":false,\"StdinOnce\":false,\"Env\":null,\"Cmd\":null,\"Image\":\"\",\"Volumes\":null,\"WorkingDir\":\"\",\"Entrypoint\":null,\"OnBuild\":null,\"Labels\":null},\"created\":\"2026-11-23T18:22:09.412746894Z\",\"docker_version\":\"20.10.24+dfsg1\",\"history\":[{\"created\":\"2026-11-23T18:22:09.412746894Z\",\"comment\":\"Imported from -\"}],\"os\":\"linux\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"sha256:bcb0cf2852bd68acb2495067daeffbf51788aab1b413752fa55552baab9e62a4\"]}}"
    },
    {
      "name": "entry",
      "changes": [
        "ENTRYPOINT [\"/bin/sh\",\"-c\"]",
        "CMD [\"echo\",\"x\"]"
      ],
      "config": "{\"architecture\":\"amd64\",\"comment\":\"Imported from -\",\"config\":{\"Hostname\":\"\",\"Domainname\":\"\",\"User\":\"\",\"AttachStdin\":false,\"AttachStdout\":false,\"AttachStderr\":false,\"Tty\":false,\"OpenStdin\":false,\"StdinOnce\":false,\"Env\":null,\"Cmd\":[\"echo\",\"x\"],\"Image\":\"\",\"Volumes\":null,\"WorkingDir\":\"\",\"Entrypoint\":[\"/bin/sh\",\"-c\"],\"OnBuild\":null,\"Labels\":null},\"container_config\":{\"Hostname\":\"\",\"Domainname\":\"\",\"User\":\"\",\"AttachStdin\":false,\"AttachStdout\":false,\"AttachStderr\":false,\"Tty\":false,\"OpenStdin\":false,\"StdinOnce\":false,\"Env\":null,\"Cmd\":null,\"Image\":\"\",\"Volumes\":null,\"WorkingDir\":\"\",\"Entrypoint\":null,\"OnBuild\":null,\"Labels\":null},\"created\":\"2026-11-23T18:22:09.631878642Z\",\"docker_version\":\"20.10.24+dfsg1\",\"history\":[{\"created\":\"2026-11-23T18:22:09.631878642Z\",\"comment\":\"Imported from -\"}],\"os\":\"linux\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"sha256:bcb0cf2852bd68acb2495067daeffbf51788aab1b413752fa55552baab9e62a4\"]}}"
    },
    {
      "name": "cmdthenentry",
      "changes": [
        "CMD [\"a\"]",
        "ENTRYPOINT b"
      ],
      "config": "{\"architecture\":\"amd64\",\"comment\":\"Imported from -\",\"config\":{\"Hostname\":\"\",\"Domainname\":\"\",\"User\":\"\",\"AttachStdin\":false,\"AttachStdout\":false,\"AttachStderr\":false,\"Tty\":false,\"OpenStdin\":false,\"StdinOnce\":false,\"Env\":null,\"Cmd\":[\"a\"],\"Image\":\"\",\"Volumes\":null,\"WorkingDir\":\"\",\"Entrypoint\":[\"/bin/sh\",\"-c\",\"b\"],\"OnBuild\":null,\"Labels\":null},\"container_config\":{\"Hostname\":\"\",\"Domainname\":\"\",\"User\":\"\",\"AttachStdin\":false,\"AttachStdout\":false,\"AttachStderr\":false,\"Tty\":false,\"OpenStdin\":false,\"StdinOnce\":false,\"Env\":null,\"Cmd\":null,\"Image\":\"\",\"Volumes\":null,\"WorkingDir\":\"\",\"Entrypoint\":null,\"OnBuild\":null,\"Labels\":null},\"created\":\"2026-11-23T18:22:09.816012787Z\",\"docker_version\":\"20.10.24+dfsg1\",\"history\":[{\"created\":\"2026-11-23T18:22:09.816012787Z\",\"comment\":\"Imported from -\"}],\"os\":\"linux\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"sha256:bcb0cf2852bd68acb2495067daeffbf51788aab1b413752fa55552baab9e62a4\"]}}"
    },
    {
      "name": "entryalone",
      "changes": [
        "ENTRYPOINT x"
      ],
      "config": "{\"architecture\":\"amd64\",\"comment\":\"Imported from -\",\"config\":{\"Hostname\":\"\",\"Domainname\":\"\",\"User\":\"\",\"AttachStdin\":false,\"AttachStdout\":false,\"AttachStderr\":false,\"Tty\":false,\"OpenStdin\":false,\"StdinOnce\":false,\"Env\":null,\"Cmd\":null,\"Image\":\"\",\"Volumes\":null,\"WorkingDir\":\"\",\"Entrypoint\":[\"/bin/sh\",\"-c\",\"x\"],\"OnBuild\":null,\"Labels\":null},\"container_config\":{\"Hostname\":\"\",\"Domainname\":\"\",\"User\":\"\",\"AttachStdin\":false,\"AttachStdout\":false,\"AttachStderr\":false,\"Tty\":false,\"OpenStdin\":false,\"StdinOnce\":false,\"Env\":null,\"Cmd\":null,\"Image\":\"\",\"Volumes\":null,\"WorkingDir\":\"\",\"Entrypoint\":null,\"OnBuild\":null,\"Labels\":null},\"created\":\"2026-11-23T18:22:09.971521961Z\",\"docker_version\":\"20.10.24+dfsg1\",\"history\":[{\"created\":\"2026-11-23T18:22:09.971521961Z\",\"comment\":\"Imported from -\"}],\"os\":\"linux\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"sha256:bcb0cf2852bd68acb2495067daeffbf51788aab1b413752fa55552baab9e62a4\"]}}"
    },
    {
      "name": "envs",
      "changes": [
        "ENV A=1 B=\"two words\" C=$A",
        "ENV D $A-x y",
        "LABEL a=b \"c d\"=e",
        "EXPOSE 80 443/udp 1000-1002",
        "VOLUME /a /b",
        "VOLUME [\"/v1\",\"/v2\"]"
      ],
      "config": "{\"architecture\":\"amd64\",\"comment\":\"Imported from -\",\"config\":{\"Hostname\":\"\",\"Domainname\":\"\",\"User\":\"\",\"AttachStdin\":false,\"AttachStdout\":false,\"AttachStderr\":false,\"ExposedPorts\":{\"1000/tcp\":{},\"1001/tcp\":{},\"1002/tcp\":{},\"443/udp\":{},\"80/tcp\":{}},\"Tty\":false,\"OpenStdin\":false,\"StdinOnce\":false,\"Env\":[\"A=1\",\"B=two words\",\"C=\",\"D=1-x y\"],\"Cmd\":null,\"Image\":\"\",\"Volumes\":{\"/a\":{},\"/b\":{},\"/v1\":{},\"/v2\":{}},\"WorkingDir\":\"\",\"Entrypoint\":null,\"OnBuild\":null,\"Labels\":{\"a\":\"b\",\"c d\":\"e\"}},\"container_config\":{\"Hostname\":\"\",\"Domainname\":\"\",\"User\":\"\",\"AttachStdin\":false,\"AttachStdout\":false,\"AttachStderr\":false,\"Tty\":false,\"OpenStdin\":false,\"StdinOnce\":false,\"Env\":null,\"Cmd\":null,\"Image\":\"\",\"Volumes\":null,\"WorkingDir\":\"\",\"Entrypoint\":null,\"OnBuild\":null,\"Labels\":null},\"created\":\"2026-11-23T18:22:10.162888728Z\",\"docker_version\":\"20.10.24+dfsg1\",\"history\":[{\"created\":\"2026-11-23T18:22:10.162888728Z\",\"comment\":\"Imported from -\"}],\"os\":\"linux\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"sha256:bcb0cf2852bd68acb2495067daeffbf51788aab1b413752fa55552baab9e62a4\"]}}"
    },
    {
      "name": "misc",
      "changes": [
        "USER nobody",
        "WORKDIR /a",
        "WORKDIR b/../c",
        "ONBUILD RUN echo hi",
        "HEALTHCHECK --interval=5s --retries=3 CMD curl x"
      ],
      "config": "{\"architecture\":\"amd64\",\"comment\":\"Imported from -\",\"config\":{\"Hostname\":\"\",\"Domainname\":\"\",\"User\":\"nobody\",\"AttachStdin\":false,\"AttachStdout\":false,\"AttachStderr\":false,\"Tty\":false,\"OpenStdin\":false,\"StdinOnce\":false,\"Env\":null,\"Cmd\":null,\"Healthcheck\":{\"Test\":[\"CMD-SHELL\",\"curl x\"],\"Interval\":5000000000,\"Retries\":3},\"Image\":\"\",\"Volumes\":null,\"WorkingDir\":\"/a/c\",\"Entrypoint\":null,\"OnBuild\":[\"RUN echo hi\"],\"Labels\":null},\"container_config\":{\"Hostname\":\"\",\"Domainname\":\"\",\"User\":\"\",\"AttachStdin\":false,\"AttachStdout\":false,\"AttachStderr\":false,\"Tty\":false,\"OpenStdin\":false,\"StdinOnce\":false,\"Env\":null,\"Cmd\":null,\"Image\":\"\",\"Volumes\":null,\"WorkingDir\":\"\",\"Entrypoint\":null,\"OnBuild\":null,\"Labels\":null},\"created\":\"2026-11-23T18:22:22.421586453Z\",\"docker_version\":\"20.10.24+dfsg1\",\"history\":[{\"created\":\"2026-11-23T18:22:22.421586453Z\",\"comment\":\"Imported from -\"}],\"os\":\"linux\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"sha256:bcb0cf2852bd68acb2495067daeffbf51788aab1b413752fa55552baab9e62a4\"]}}"
    },
    {
      "name": "hcnone",
      "changes": [
        "HEALTHCHECK NONE",
        "label lower=case",
        "expose 8080/tcp"
      ],
      "config": "{\"architecture\":\"amd64\",\"comment\":\"Imported from -\",\"config\":{\"Hostname\":\"\",\"Domainname\":\"\",\"User\":\"\",\"AttachStdin\":false,\"AttachStdout\":false,\"AttachStderr\":false,\"ExposedPorts\":{\"8080/tcp\":{}},\"Tty\":false,\"OpenStdin\":false,\"StdinOnce\":false,\"Env\":null,\"Cmd\":null,\"Healthcheck\":{\"Test\":[\"NONE\"]},\"Image\":\"\",\"Volumes\":null,\"WorkingDir\":\"\",\"Entrypoint\":null,\"OnBuild\":null,\"Labels\":{\"lower\":\"case\"}},\"container_config\":{\"Hostname\":\"\",\"Domainname\":\"\",\"User\":\"\",\"AttachStdin\":false,\"AttachStdout\":false,\"AttachStderr\":false,\"Tty\":false,\"OpenStdin\":false,\"StdinOnce\":false,\"Env\":null,\"Cmd\":null,\"Image\":\"\",\"Volumes\":null,\"WorkingDir\":\"\",\"Entrypoint\":null,\"OnBuild\":null,\"Labels\":null},\"created\":\"2026-11-23T18:22:10.389936873Z\",\"docker_version\":\"20.10.24+dfsg1\",\"history\":[{\"created\":\"2026-11-23T18:22:10.389936873Z\",\"comment\":\"Imported from -\"}],\"os\":\"linux\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"sha256:bcb0cf2852bd68acb2495067daeffbf51788aab1b413752fa55552baab9e62a4\"]}}"
    },
    {
      "name": "special",
      "changes": [
        "ENV X=\"<&>\" Y=\\$HOME",
        "LABEL k=\"a\\\"b\"",
        "CMD [\"echo\", \"<tag>\"]"
      ],
      "config": "{\"architecture\":\"amd64\",\"comment\":\"Imported from -\",\"config\":{\"Hostname\":\"\",\"Domainname\":\"\",\"User\":\"\",\"AttachStdin\":false,\"AttachStdout\":false,\"AttachStderr\":false,\"Tty\":false,\"OpenStdin\":false,\"StdinOnce\":false,\"Env\":[\"X=\\u003c\\u0026\\u003e\",\"Y=$HOME\"],\"Cmd\":[\"echo\",\"\\u003ctag\\u003e\"],\"Image\":\"\",\"Volumes\":null,\"WorkingDir\":\"\",\"Entrypoint\":null,\"OnBuild\":null,\"Labels\":{\"k\":\"a\\\"b\"}},\"container_config\":{\"Hostname\":\"\",\"Domainname\":\"\",\"User\":\"\",\"AttachStdin\":false,\"AttachStdout\":false,\"AttachStderr\":false,\"Tty\":false,\"OpenStdin\":false,\"StdinOnce\":false,\"Env\":null,\"Cmd\":null,\"Image\":\"\",\"Volumes\":null,\"WorkingDir\":\"\",\"Entrypoint\":null,\"OnBuild\":null,\"Labels\":null},\"created\":\"2026-11-23T18:22:10.579371344Z\",\"docker_version\":\"20.10.24+dfsg1\",\"history\":[{\"created\":\"2026-11-23T18:22:10.579371344Z\",\"comment\":\"Imported from -\"}],\"os\":\"linux\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"sha256:bcb0cf2852bd68acb2495067daeffbf51788aab1b413752fa55552baab9e62a4\"]}}"
    },
    {
      "name": "multi",
      "changes": [
        "ENV A=1 \\\n  B=2",
        "# comment",
        "ENV C=${A:-z}${Q:-q}${A:+p}"
      ],
      "config": "{\"architecture\":\"amd64\",\"comment\":\"Imported from -\",\"config\":{\"Hostname\":\"\",\"Domainname\":\"\",\"User\":\"\",\"AttachStdin\":false,\"AttachStdout\":false,\"AttachStderr\":false,\"Tty\":false,\"OpenStdin\":false,\"StdinOnce\":false,\"Env\":[\"A=1\",\"B=2\",\"C=1qp\"],\"Cmd\":null,\"Image\":\"\",\"Volumes\":null,\"WorkingDir\":\"\",\"Entrypoint\":null,\"OnBuild\":null,\"Labels\":null},\"container_config\":{\"Hostname\":\"\",\"Domainname\":\"\",\"User\":\"\",\"AttachStdin\":false,\"AttachStdout\":false,\"AttachStderr\":false,\"Tty\":false,\"OpenStdin\":false,\"StdinOnce\":false,\"Env\":null,\"Cmd\":null,\"Image\":\"\",\"Volumes\":null,\"WorkingDir\":\"\",\"Entrypoint\":null,\"OnBuild\":null,\"Labels\":null},\"created\":\"2026-11-23T18:22:22.584803567Z\",\"docker_version\":\"20.10.24+dfsg1\",\"history\":[{\"created\":\"2026-11-23T18:22:22.584803567Z\",\"comment\":\"Imported from -\"}],\"os\":\"linux\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"sha256:bcb0cf2852bd68acb2495067daeffbf51788aab1b413752fa55552baab9e62a4\"]}}"
    },
    {
      "name": "volsp",
      "changes": [
        "VOLUME [\"/v 1\"]",
        "WORKDIR rel",
        "EXPOSE 1.2.3.4:80:8080/UDP"
      ],
      "config": "{\"architecture\":\"amd64\",\"comment\":\"Imported from -\",\"config\":{\"Hostname\":\"\",\"Domainname\":\"\",\"User\":\"\",\"AttachStdin\":false,\"AttachStdout\":false,\"AttachStderr\":false,\"ExposedPorts\":{\"8080/udp\":{}},\"Tty\":false,\"OpenStdin\":false,\"StdinOnce\":false,\"Env\":null,\"Cmd\":null,\"Image\":\"\",\"Volumes\":{\"/v 1\":{}},\"WorkingDir\":\"/rel\",\"Entrypoint\":null,\"OnBuild\":null,\"Labels\":null},\"container_config\":{\"Hostname\":\"\",\"Domainname\":\"\",\"User\":\"\",\"AttachStdin\":false,\"AttachStdout\":false,\"AttachStderr\":false,\"Tty\":false,\"OpenStdin\":false,\"StdinOnce\":false,\"Env\":null,\"Cmd\":null,\"Image\":\"\",\"Volumes\":null,\"WorkingDir\":\"\",\"Entrypoint\":null,\"OnBuild\":null,\"Labels\":null},\"created\":\"2026-11-23T18:22:22.78867386Z\",\"docker_version\":\"20.10.24+dfsg1\",\"history\":[{\"created\":\"2026-11-23T18:22:22.78867386Z\",\"comment\":\"Imported from -\"}],\"os\":\"linux\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"sha256:bcb0cf2852bd68acb2495067daeffbf51788aab1b413752fa55552baab9e62a4\"]}}"
    },
    {
      "name": "withmsg",
      "changes": [],
      "comment": "my message",
      "config": "{\"architecture\":\"amd64\",\"comment\":\"my message\",\"config\":{\"Hostname\":\"\",\"Domainname\":\"\",\"User\":\"\",\"AttachStdin\":false,\"AttachStdout\":false,\"AttachStderr\":false,\"Tty\":false,\"OpenStdin\":false,\"StdinOnce\":false,\"Env\":null,\"Cmd\":null,\"Image\":\"\",\"Volumes\":null,\"WorkingDir\":\"\",\"Entrypoint\":null,\"OnBuild\":null,\"Labels\":null},\"container_config\":{\"Hostname\":\"\",\"Domainname\":\"\",\"User\":\"\",\"AttachStdin\":false,\"AttachStdout\":false,\"AttachStderr\":false,\"Tty\":false,\"OpenStdin\":false,\"StdinOnce\":false,\"Env\":null,\"Cmd\":null,\"Image\":\"\",\"Volumes\":null,\"WorkingDir\":\"\",\"Entrypoint\":null,\"OnBuild\":null,\"Labels\":null},\"created\":\"2026-11-23T18:22:23.143141275Z\",\"docker_version\":\"20.10.24+dfsg1\",\"history\":[{\"created\":\"2026-11-23T18:22:23.143141275Z\",\"comment\":\"my message\"}],\"os\":\"linux\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"sha256:bcb0cf2852bd68acb2495067daeffbf51788aab1b413752fa55552baab9e62a4\"]}}"
    }
  ]
};
