//go:build tools

// Package tools pins krew for the install test: `go build sigs.k8s.io/krew/cmd/krew`.
package tools

import _ "sigs.k8s.io/krew/cmd/krew"
