package upstream

import (
	"context"
	"errors"
	"net/http"
)

// read makes a GET, shared as the client's Sharing allows, always within
// one credential: a recent answer from the cache, else one call for all the
// callers of the same URL in flight at once (coalescing).
func (c *Client) read(ctx context.Context, op, method, target string) (*answer, error) {
	if c.flight == nil && c.cache == nil {
		return c.send(ctx, op, method, target, nil)
	}
	var keep func([]byte)
	if c.cache != nil {
		body, hit, k := c.cache.Get(ctx, c.credential, target)
		if hit {
			return &answer{status: http.StatusOK, data: body}, nil
		}
		keep = k
	}
	fetch := func() (*answer, error) {
		a, err := c.send(ctx, op, method, target, nil)
		if err == nil && keep != nil && a.status >= 200 && a.status <= 299 {
			keep(a.data) // failures are asked again
		}
		return a, err
	}
	if c.flight == nil {
		return fetch()
	}
	key := string(c.credential[:]) + target
	for {
		ch := c.flight.DoChan(key, func() (any, error) { return fetch() })
		select {
		case r := <-ch:
			if r.Err != nil && r.Shared && ctx.Err() == nil && leaderGaveUp(r.Err) {
				continue // the caller that made the read went away; make it again
			}
			a, _ := r.Val.(*answer)
			return a, r.Err
		case <-ctx.Done():
			return nil, transportError(ctx, op, true, ctx.Err())
		}
	}
}

// leaderGaveUp says whether a shared read failed because the caller that
// made it stopped waiting, which says nothing to the others.
func leaderGaveUp(err error) bool {
	return errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)
}
