package redisstate

import (
	"context"

	"github.com/99designs/gqlgen/graphql"
	"github.com/redis/rueidis"
)

// APQ is gqlgen's persisted-query cache shared by the replicas: a query
// registered through one answers by its hash through all. Persisted
// queries never change under their hash, so each replica keeps those it
// has seen in its own bounded cache, and asks Redis only for the others.
type APQ struct {
	conn     *Conn
	local    graphql.Cache[string]
	maxBytes int
}

// NewAPQ shares persisted queries of up to maxBytes through Redis, each for
// conn's Options.APQTTL, in front of local, this process's own cache.
func NewAPQ(conn *Conn, local graphql.Cache[string], maxBytes int) *APQ {
	return &APQ{conn: conn, local: local, maxBytes: maxBytes}
}

// maxHashBytes: gqlgen's hashes are SHA-256 in hex; a longer one is a
// caller's invention and names no key.
const maxHashBytes = 64

func (a *APQ) key(hash string) string { return a.conn.opts.Prefix + "apq:" + hash }

func (a *APQ) Get(ctx context.Context, hash string) (string, bool) {
	if q, ok := a.local.Get(ctx, hash); ok {
		return q, true
	}
	if len(hash) > maxHashBytes {
		return "", false
	}
	client, ok := a.conn.use("apq")
	if !ok {
		return "", false
	}
	opCtx, cancel := a.conn.opContext(ctx)
	defer cancel()
	q, err := client.Do(opCtx, client.B().Get().Key(a.key(hash)).Build()).ToString()
	if err != nil {
		a.conn.failed(ctx, "apq", err)
		return "", false
	}
	a.local.Add(ctx, hash, q)
	return q, true
}

func (a *APQ) Add(ctx context.Context, hash, query string) {
	a.local.Add(ctx, hash, query)
	if len(hash) > maxHashBytes || len(query) > a.maxBytes {
		return
	}
	a.conn.write(ctx, "apq", func(ctx context.Context, client rueidis.Client) error {
		return client.Do(ctx, client.B().Set().Key(a.key(hash)).Value(query).Px(a.conn.opts.APQTTL).Build()).Error()
	})
}
