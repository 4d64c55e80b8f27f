package redisstate

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"sync/atomic"
	"time"

	"github.com/redis/rueidis"

	"github.com/gitbook-graphql/facade/upstream"
)

// ReadCache is an upstream.ReadCache shared by the replicas. Entries are
// keyed by the credential's hash, a generation and the URL's hash; a write
// through any replica gives its credential a new generation, so that every
// replica's next read of that credential misses. Entries of old
// generations are never read again and expire with their TTL.
//
// A whole-cache epoch is part of every key too: a replica that had to
// serve a write while Redis was gone cannot say which credential it
// changed, so when Redis returns it starts a new epoch.
type ReadCache struct {
	conn  *Conn
	ttl   time.Duration
	local *upstream.LocalReadCache // while Redis is down
	// wroteWhileDown: a write was forgotten only locally.
	wroteWhileDown atomic.Bool
}

// NewReadCache makes the shared read cache; entries live ttl, and at most
// size of them are kept in process while Redis is down.
func NewReadCache(conn *Conn, ttl time.Duration, size int) *ReadCache {
	rc := &ReadCache{conn: conn, ttl: ttl, local: upstream.NewLocalReadCache(size, ttl)}
	conn.OnRecover(rc.recovered)
	return rc
}

// generationTTL outlives every entry of the generation it replaces, and
// any read that was in flight when it was set: when it expires, readers go
// back to generation "0", whose entries are long gone.
func (rc *ReadCache) generationTTL() time.Duration { return 2*rc.ttl + time.Minute }

func (rc *ReadCache) epochKey() string { return rc.conn.opts.Prefix + "cache:epoch" }

func (rc *ReadCache) generationKey(c upstream.Credential) string {
	return rc.conn.opts.Prefix + "cache:gen:" + hex.EncodeToString(c[:])
}

// generation is the epoch and the credential's generation, as one string.
// It is read from Redis itself, not the client-side cache, whose
// invalidations arrive a moment after a write: a write through one replica
// must be seen at once through the others. The entries, which never change
// under their key, come from the client-side cache.
func (rc *ReadCache) generation(ctx context.Context, client rueidis.Client, c upstream.Credential) (string, error) {
	values, err := client.Do(ctx, client.B().Mget().Key(rc.epochKey(), rc.generationKey(c)).Build()).ToArray()
	if err != nil {
		return "", err
	}
	gen := ""
	for _, v := range values {
		s, err := v.ToString()
		switch {
		case rueidis.IsRedisNil(err):
			s = "0"
		case err != nil:
			return "", err
		}
		gen += s + ":"
	}
	return gen, nil
}

func (rc *ReadCache) entryKey(c upstream.Credential, gen, target string) string {
	t := sha256.Sum256([]byte(target))
	return rc.conn.opts.Prefix + "cache:" + hex.EncodeToString(c[:]) + ":" + gen + hex.EncodeToString(t[:])
}

func (rc *ReadCache) Get(ctx context.Context, c upstream.Credential, target string) ([]byte, bool, func([]byte)) {
	client, ok := rc.conn.use("cache")
	if !ok {
		return rc.local.Get(ctx, c, target)
	}
	opCtx, cancel := rc.conn.opContext(ctx)
	defer cancel()
	gen, err := rc.generation(opCtx, client, c)
	if err != nil {
		rc.conn.failed(ctx, "cache", err)
		return nil, false, nil
	}
	key := rc.entryKey(c, gen, target)
	body, err := client.DoCache(opCtx, client.B().Get().Key(key).Cache(), rc.ttl).AsBytes()
	if err == nil {
		return body, true, nil
	}
	rc.conn.failed(ctx, "cache", err)
	// Kept under the generation read before the call: if a write gives the
	// credential a new one meanwhile, what this read brings is never read.
	return nil, false, func(body []byte) { rc.keep(ctx, key, body) }
}

func (rc *ReadCache) keep(ctx context.Context, key string, body []byte) {
	rc.conn.write(ctx, "cache", func(ctx context.Context, client rueidis.Client) error {
		return client.Do(ctx, client.B().Set().Key(key).Value(rueidis.BinaryString(body)).Px(rc.ttl).Build()).Error()
	})
}

func (rc *ReadCache) Forget(ctx context.Context, c upstream.Credential) {
	rc.local.Forget(ctx, c)
	took := rc.conn.write(ctx, "cache", func(ctx context.Context, client rueidis.Client) error {
		return client.Do(ctx, client.B().Set().Key(rc.generationKey(c)).Value(newGeneration()).Px(rc.generationTTL()).Build()).Error()
	})
	if !took {
		rc.wroteWhileDown.Store(true) // Redis must hear of it when it is back
	}
}

// recovered runs when Redis is back: what this process kept alone may be
// stale, and Redis's entries may predate writes it saw while Redis was gone.
func (rc *ReadCache) recovered(ctx context.Context) {
	rc.local.Purge()
	if !rc.wroteWhileDown.Swap(false) {
		return
	}
	if ref := rc.conn.current.Load(); ref != nil {
		if err := ref.Do(ctx, ref.B().Set().Key(rc.epochKey()).Value(newGeneration()).Px(rc.generationTTL()).Build()).Error(); err != nil {
			rc.wroteWhileDown.Store(true) // try again at the next recovery
		}
	}
}

func newGeneration() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
