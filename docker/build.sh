#!/usr/bin/env bash
# Builds target/function.zip, the native Lambda zip, with only Docker or Podman on the host.
#
#   docker/build.sh                                  the fully static bootstrap (musl; x86_64), checked for provided.al2
#   GLIBC=1 docker/build.sh                          the glibc bootstrap (-Pglibc, Mandrel's UBI8 builder)
#   GLIBC=1 ARCHITECTURE=arm64 docker/build.sh       for Architecture=arm64 (glibc only; emulated on an x86_64 host: slow)
#   RUNTIME=provided.al2023 docker/build.sh          checks the zip for provided.al2023 instead
#   CONTAINER_ENGINE=podman docker/build.sh          when both engines are installed
#
# The engine needs about 4 GB of memory for native-image.
set -euo pipefail
cd "$(dirname "$0")/.."

ENGINE=${CONTAINER_ENGINE:-$(command -v docker || command -v podman || true)}
if [ -z "$ENGINE" ]; then
  echo "docker/build.sh needs docker or podman" >&2
  exit 1
fi
# An engine whose daemon (or, for Podman on macOS and Windows, machine) is not running fails only at the build,
# with an error of its own: say so first, in one line, with what to do.
if ! "$ENGINE" info >/dev/null 2>&1; then
  echo "docker/build.sh: $ENGINE is installed but does not answer ($(basename "$ENGINE") info failed): start it (the Docker daemon or Docker Desktop; podman machine start), or build on the host with Maven (docs/deploy.md)" >&2
  exit 1
fi
ARCHITECTURE=${ARCHITECTURE:-x86_64}
case "$ARCHITECTURE" in
  x86_64) platform=linux/amd64 ;;
  arm64) platform=linux/arm64 ;;
  *) echo "ARCHITECTURE must be x86_64 or arm64 (the template's Architecture)" >&2; exit 1 ;;
esac
# The builder images are named once, in pom.xml: native.musl.builder-image (the default, static), native.glibc.builder-image (GLIBC=1).
case "${GLIBC:-0}" in
  0)
    libc=musl profiles=-Pnative
    if [ "$ARCHITECTURE" != x86_64 ]; then
      echo "the default build is static, and x86_64 only (GraalVM links musl statically only on Linux x64): GLIBC=1 ARCHITECTURE=arm64 docker/build.sh builds the glibc bootstrap for arm64" >&2
      exit 1
    fi ;;
  1) libc=glibc profiles="-Pnative -Pglibc" ;;
  *) echo "GLIBC must be 1 (the glibc build, Mandrel) or 0 (the default static musl build)" >&2; exit 1 ;;
esac
BUILDER_IMAGE=$(sed -n "s|^ *<native\.$libc\.builder-image>\(.*\)</native\.$libc\.builder-image>.*|\1|p" pom.xml)
if [ -z "$BUILDER_IMAGE" ]; then
  echo "no native.$libc.builder-image in pom.xml" >&2
  exit 1
fi

image=serverless-chat-connect-native-build
"$ENGINE" build --platform "$platform" -f docker/Dockerfile -t "$image" \
  --build-arg BUILDER_IMAGE="$BUILDER_IMAGE" \
  --build-arg PROFILES="$profiles" \
  --build-arg ARCHITECTURE="$ARCHITECTURE" \
  --build-arg RUNTIME="${RUNTIME:-provided.al2}" .

# Copy the zip out of the image without running it.
container=$("$ENGINE" create "$image")
trap '"$ENGINE" rm "$container" >/dev/null' EXIT
mkdir -p target
"$ENGINE" cp "$container:/project/target/function.zip" target/function.zip
echo "target/function.zip built for $ARCHITECTURE ($libc): deploy it with sam deploy -t sam.native.yaml --guided"
