package main

import (
	"net"

	"github.com/gitbook-graphql/facade/httpapi"
)

// listenAddr is -addr, or loopback when it was not set and the server has a
// credential of its own to lend: that must not be served to the network by
// accident.
func listenAddr(cfg config, defaultCredential bool) string {
	if defaultCredential && !cfg.addrSet {
		_, port, _ := net.SplitHostPort(cfg.addr) // -addr's default, :8080
		return net.JoinHostPort("127.0.0.1", port)
	}
	return cfg.addr
}

// allowedHosts is -allowed-hosts, or the loopback names and the host -addr
// names.
func allowedHosts(cfg config) []string {
	if len(cfg.allowedHosts) > 0 {
		return cfg.allowedHosts
	}
	hosts := append([]string{}, httpapi.DefaultAllowedHosts...)
	if host, _, err := net.SplitHostPort(cfg.addr); err == nil && host != "" && host != "0.0.0.0" && host != "::" {
		hosts = append(hosts, host)
	}
	return hosts
}
