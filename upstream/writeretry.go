package upstream

import (
	"context"
	"errors"
	"net"
	"net/http"

	"github.com/hashicorp/go-retryablehttp"
)

// unsentOnly is the CheckRetry of writes: one whose attempt may have reached
// GitBook may have been applied there, and is never sent again; one that
// provably never left is judged by the policy like a read.
func unsentOnly(check retryablehttp.CheckRetry) retryablehttp.CheckRetry {
	return func(ctx context.Context, resp *http.Response, err error) (bool, error) {
		if ctx.Err() != nil {
			return false, ctx.Err()
		}
		if err == nil || !neverSent(err) {
			return false, nil
		}
		return check(ctx, resp, err)
	}
}

// neverSent says whether a transport error happened before any byte of the
// request could reach the upstream.
func neverSent(err error) bool {
	var op *net.OpError
	if errors.As(err, &op) && op.Op == "dial" {
		return true
	}
	var dns *net.DNSError
	return errors.As(err, &dns)
}
