//go:build tools

// Package tools names the Kubernetes programs the end-to-end tier builds, so that
// `go mod tidy` pins their dependencies in go.sum. Nothing compiles this file.
package tools

import (
	_ "k8s.io/kubernetes/cmd/kube-apiserver"
	_ "k8s.io/kubernetes/cmd/kubectl"
)
