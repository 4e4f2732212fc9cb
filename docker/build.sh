#!/usr/bin/env bash
# Builds target/function.zip, the native Lambda zip, with only Docker or Podman on the host.
#
#   docker/build.sh                                  x86_64, checked for provided.al2 (the template's defaults)
#   STATIC=1 docker/build.sh                         the fully static bootstrap (musl, -Pstatic; x86_64 only)
#   ARCHITECTURE=arm64 docker/build.sh               for Architecture=arm64 (emulated on an x86_64 host: slow)
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
# The builder images are named once, in pom.xml: native.glibc.builder-image (default), native.musl.builder-image (static).
case "${STATIC:-0}" in
  0) libc=glibc profiles=-Pnative ;;
  1)
    libc=musl profiles="-Pnative -Pstatic"
    if [ "$ARCHITECTURE" != x86_64 ]; then
      echo "STATIC=1 builds x86_64 only (GraalVM links musl statically only on Linux x64); drop STATIC for arm64" >&2
      exit 1
    fi ;;
  *) echo "STATIC must be 1 (the static musl build) or 0 (the default glibc build)" >&2; exit 1 ;;
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
