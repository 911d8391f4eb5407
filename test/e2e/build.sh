#!/usr/bin/env bash
# Builds the real control plane the end-to-end tier runs against, from the Go module proxy:
# istiod (pilot-discovery), pilot-agent and istioctl from istio.io/istio, kube-apiserver and kubectl
# from k8s.io/kubernetes (wrapper module in ./k8s). Nothing downloaded or built lands in the repository.
#
# Binaries are cached by version: $VMLET_E2E_CACHE (default ~/.cache/vmlet-e2e)/<key>/bin, where <key>
# hashes versions.env and the wrapper's go.mod/go.sum. A warm run only checks the stamp and exits.
# Prints the bin directory on its last line.
#
# Usage: test/e2e/build.sh [istio|k8s|all]   (default all)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=versions.env
. "$here/versions.env"
what=${1:-all}

command -v go >/dev/null || { echo "build.sh: Go is not installed (the e2e tier builds istiod and kube-apiserver with it); install Go >= 1.26" >&2; exit 3; }

cache=${VMLET_E2E_CACHE:-$HOME/.cache/vmlet-e2e}
key=$(cat "$here/versions.env" "$here/k8s/go.mod" "$here/k8s/go.sum" 2>/dev/null | sha256sum | cut -c1-16)
bin=$cache/$key/bin
mkdir -p "$bin" "$cache/logs"
export CGO_ENABLED=0

stamp() { echo "$1 $(date -u +%FT%TZ)" > "$bin/.$2.done"; }
built() { [ -f "$bin/.$1.done" ]; }

build_istio() {
  built istio && return 0
  local ldf="-s -w -X istio.io/istio/pkg/version.buildVersion=$ISTIO_VERSION -X istio.io/istio/pkg/version.buildStatus=Clean"
  local t0=$SECONDS
  echo "build.sh: building pilot-discovery, pilot-agent, istioctl at istio.io/istio@$ISTIO_VERSION (cold: ~10-20 min on 2 cores)" >&2
  GOBIN=$bin go install -trimpath -tags vtprotobuf,disable_pgv -ldflags "$ldf" \
    "istio.io/istio/pilot/cmd/pilot-discovery@$ISTIO_VERSION"
  GOBIN=$bin go install -trimpath -tags agent,disable_pgv,grpcnotrace,retrynotrace -ldflags "$ldf" \
    "istio.io/istio/pilot/cmd/pilot-agent@$ISTIO_VERSION"
  GOBIN=$bin go install -trimpath -tags disable_pgv -ldflags "$ldf" \
    "istio.io/istio/istioctl/cmd/istioctl@$ISTIO_VERSION"
  echo "build.sh: istio built in $((SECONDS - t0)) s" >&2
  stamp "$ISTIO_VERSION" istio
}

# Data files from the istio module source (the read-only module cache the build filled): the CRDs,
# and the Envoy bootstrap template the istio-sidecar package installs for pilot-agent.
istio_data() {
  local data=$bin/../istio
  [ -f "$data/crd-all.gen.yaml" ] && [ -f "$data/envoy_bootstrap_tmpl.json" ] && return 0
  local src
  src=$(go mod download -json "istio.io/istio@$ISTIO_VERSION" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
  mkdir -p "$data"
  cp "$src/manifests/charts/base/files/crd-all.gen.yaml" "$data/crd-all.gen.yaml"
  cp "$src/tools/packaging/common/envoy_bootstrap.json" "$data/envoy_bootstrap_tmpl.json"
  chmod 0644 "$data"/*
}

build_k8s() {
  built k8s && return 0
  local t0=$SECONDS minor
  minor=$(echo "$K8S_VERSION" | cut -d. -f2)
  echo "build.sh: building kube-apiserver and kubectl at k8s.io/kubernetes@$K8S_VERSION (cold: ~10-20 min on 2 cores)" >&2
  local ldf="-s -w -X k8s.io/component-base/version.gitVersion=$K8S_VERSION -X k8s.io/component-base/version.gitMajor=1 \
 -X k8s.io/component-base/version.gitMinor=$minor -X k8s.io/component-base/version.gitTreeState=clean \
 -X k8s.io/client-go/pkg/version.gitVersion=$K8S_VERSION -X k8s.io/client-go/pkg/version.gitMajor=1 \
 -X k8s.io/client-go/pkg/version.gitMinor=$minor"
  ( cd "$here/k8s"
    [ -f go.sum ] || go mod tidy
    go build -trimpath -ldflags "$ldf" -o "$bin/kube-apiserver" k8s.io/kubernetes/cmd/kube-apiserver
    go build -trimpath -ldflags "$ldf" -o "$bin/kubectl" k8s.io/kubernetes/cmd/kubectl )
  echo "build.sh: k8s built in $((SECONDS - t0)) s" >&2
  stamp "$K8S_VERSION" k8s
}

case $what in
  istio) build_istio; istio_data ;;
  k8s) build_k8s ;;
  all) build_istio; istio_data; build_k8s ;;
  *) echo "build.sh: unknown target '$what' (istio|k8s|all)" >&2; exit 2 ;;
esac
echo "$bin"
