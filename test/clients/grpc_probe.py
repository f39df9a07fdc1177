#!/usr/bin/python3
"""A gRPC client that is not ours, for end-to-end tests of Moby Core components.

Usage: /usr/bin/python3 grpc_probe.py <socket> [--protos DIR] [--timeout SECONDS]

Generates Python message classes from our protos with plain `protoc --python_out` into a
temporary directory (Debian's python3-grpcio has no grpc_tools), then over the unix socket
calls grpc.health.v1.Health/Check (service "") and moby.version.v1.Version/Get, and prints one
JSON line:

  {"health": "SERVING", "version": {"component": ..., "version": ..., "revision": ...,
   "services": [{"name": ..., "implementation": ...}], "pid": ...}}

A health status other than SERVING is reported, not an error. Any failure (protoc, connection,
RPC status, deadline) prints "grpc_probe: <message>" on stderr and exits 1; bad usage exits 2.
The whole probe has one deadline, 5 s unless --timeout says otherwise.
"""

import argparse
import importlib.util
import json
import os
import subprocess
import sys
import tempfile
import time

import grpc

HEALTH_PROTO = "grpc/health/v1/health.proto"
VERSION_PROTO = "moby/version/v1/version.proto"
DEFAULT_PROTOS = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "api"))


class ProbeError(Exception):
    pass


def parse_args(argv):
    parser = argparse.ArgumentParser(prog="grpc_probe.py", description="Probe a Moby Core component's health and version.")
    parser.add_argument("socket", help="path of the component's unix socket")
    parser.add_argument("--protos", default=DEFAULT_PROTOS, help="the api/ folder holding the protos (default: %(default)s)")
    parser.add_argument("--timeout", type=float, default=5.0, help="deadline for the whole probe in seconds (default: 5)")
    return parser.parse_args(argv)


def generate_messages(protos, out_dir, timeout):
    """Runs protoc --python_out for the two protos; returns (health_pb2, version_pb2)."""
    for proto in (HEALTH_PROTO, VERSION_PROTO):
        if not os.path.isfile(os.path.join(protos, proto)):
            raise ProbeError(f"no {proto} under {protos}")
    try:
        subprocess.run(
            ["protoc", f"-I{protos}", f"--python_out={out_dir}", HEALTH_PROTO, VERSION_PROTO],
            check=True, capture_output=True, text=True, timeout=timeout,
        )
    except subprocess.CalledProcessError as err:
        raise ProbeError(f"protoc failed: {err.stderr.strip()}") from err
    except subprocess.TimeoutExpired as err:
        raise ProbeError("protoc timed out") from err
    except FileNotFoundError as err:
        raise ProbeError("protoc is not installed") from err
    return (
        load_module("probe_health_pb2", os.path.join(out_dir, HEALTH_PROTO.replace(".proto", "_pb2.py"))),
        load_module("probe_version_pb2", os.path.join(out_dir, VERSION_PROTO.replace(".proto", "_pb2.py"))),
    )


def load_module(name, path):
    """Loads generated code by file path: its package path grpc/health/v1 would clash with grpcio's `grpc`."""
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def unary(channel, method, request, response_class, deadline):
    call = channel.unary_unary(
        method,
        request_serializer=lambda message: message.SerializeToString(),
        response_deserializer=response_class.FromString,
    )
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise ProbeError(f"{method}: deadline exceeded before the call")
    try:
        return call(request, timeout=remaining)
    except grpc.RpcError as err:
        raise ProbeError(f"{method}: {err.code().name}: {err.details()}") from err


def probe(socket, health_pb2, version_pb2, deadline):
    target = "unix:" + os.path.abspath(socket)
    with grpc.insecure_channel(target) as channel:
        health = unary(
            channel, "/grpc.health.v1.Health/Check",
            health_pb2.HealthCheckRequest(service=""), health_pb2.HealthCheckResponse, deadline,
        )
        version = unary(
            channel, "/moby.version.v1.Version/Get",
            version_pb2.GetVersionRequest(), version_pb2.GetVersionResponse, deadline,
        )
    return {
        "health": status_name(health_pb2.HealthCheckResponse.ServingStatus, health.status),
        "version": {
            "component": version.component,
            "version": version.version,
            "revision": version.revision,
            "services": [{"name": s.name, "implementation": s.implementation} for s in version.services],
            "pid": version.pid,
        },
    }


def status_name(enum, value):
    """The enum value's name; an unknown number (proto3 keeps them) as the number's text."""
    try:
        return enum.Name(value)
    except ValueError:
        return str(value)


def main(argv):
    args = parse_args(argv)
    deadline = time.monotonic() + args.timeout
    try:
        with tempfile.TemporaryDirectory(prefix="grpc-probe-") as out_dir:
            health_pb2, version_pb2 = generate_messages(args.protos, out_dir, args.timeout)
            result = probe(args.socket, health_pb2, version_pb2, deadline)
    except ProbeError as err:
        print(f"grpc_probe: {err}", file=sys.stderr)
        return 1
    print(json.dumps(result, separators=(",", ":")))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
