package redisstate

import (
	"context"
	"encoding/hex"
	"strconv"
	"time"

	"github.com/redis/rueidis"

	"github.com/gitbook-graphql/facade/upstream"
)

// Holds is an upstream.HoldStore shared by the replicas: a hold met by one
// holds the credential on all. Each hold is a key that expires when the
// hold ends; replicas read it through the client-side cache, so the check
// before each call costs no round trip, and Redis tells every replica at
// once when one sets a hold.
type Holds struct {
	conn  *Conn
	local *upstream.LocalHolds // when Redis is down; and what this process already knows
}

// NewHolds makes the shared hold store.
func NewHolds(conn *Conn) *Holds { return &Holds{conn: conn, local: upstream.NewLocalHolds()} }

// holdCheckTTL bounds how long a replica trusts its cached "no hold" if an
// invalidation were lost; Redis sends one whenever the key changes.
const holdCheckTTL = 30 * time.Second

// holdLater sets the hold only if it ends later than the one there: the
// key expires when its hold ends (PXAT), so no stale hold outlives it.
var holdLater = rueidis.NewLuaScript(`
local cur = tonumber(redis.call('GET', KEYS[1]) or '0')
if tonumber(ARGV[1]) > cur then
  redis.call('SET', KEYS[1], ARGV[1], 'PXAT', ARGV[1])
end
return 0`)

func (h *Holds) key(c upstream.Credential) string {
	return h.conn.opts.Prefix + "hold:" + hex.EncodeToString(c[:])
}

func (h *Holds) HeldUntil(ctx context.Context, c upstream.Credential) time.Time {
	if until := h.local.HeldUntil(ctx, c); !until.IsZero() {
		return until
	}
	client, ok := h.conn.use("holds")
	if !ok {
		return time.Time{}
	}
	opCtx, cancel := h.conn.opContext(ctx)
	ms, err := client.DoCache(opCtx, client.B().Get().Key(h.key(c)).Cache(), holdCheckTTL).AsInt64()
	cancel()
	if err != nil {
		h.conn.failed(ctx, "holds", err)
		return time.Time{}
	}
	until := time.UnixMilli(ms)
	if !until.After(time.Now()) {
		return time.Time{}
	}
	h.local.Hold(ctx, c, until)
	return until
}

func (h *Holds) Hold(ctx context.Context, c upstream.Credential, until time.Time) {
	h.local.Hold(ctx, c, until)
	h.conn.write(ctx, "holds", func(ctx context.Context, client rueidis.Client) error {
		// Rounded up to the millisecond: rounded down, another replica would
		// wake before the time GitBook named.
		ms := until.Add(time.Millisecond - 1).UnixMilli()
		return holdLater.Exec(ctx, client, []string{h.key(c)}, []string{strconv.FormatInt(ms, 10)}).Error()
	})
}
