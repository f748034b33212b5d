//go:build tools

// Package tools pins the binaries of the test bed: `go build` of these import
// paths gives the real kube-apiserver, kubectl and etcd at the versions in go.mod.
package tools

import (
	_ "go.etcd.io/etcd/server/v3"
	_ "k8s.io/kubernetes/cmd/kube-apiserver"
)
