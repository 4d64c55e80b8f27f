// Package redisclient measures the two Go Redis clients the issue named,
// on the facade's two Redis operations: the hold check before every
// upstream call (a GET of a key that is absent), and a cached read (a GET
// of 20 KB). It is a module of its own, so that the facade does not depend
// on the client it did not choose. See ../REDIS.md.
//
//	redis-server --port 6390 --save '' --daemonize yes
//	REDIS_ADDR=127.0.0.1:6390 go test -bench . -benchmem -cpu 2 -count 3
package redisclient

import (
	"cmp"
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/redis/rueidis"
)

var addr = cmp.Or(os.Getenv("REDIS_ADDR"), "127.0.0.1:6390")

var value = strings.Repeat("x", 20000)

func goredis(b *testing.B, csc bool) *redis.Client {
	o := &redis.Options{Addr: addr, Protocol: 3}
	if csc {
		o.ClientSideCacheConfig = &redis.ClientSideCacheConfig{}
	}
	c := redis.NewClient(o)
	b.Cleanup(func() { c.Close() })
	return c
}

func rue(b *testing.B, csc bool) rueidis.Client {
	c, err := rueidis.NewClient(rueidis.ClientOption{InitAddress: []string{addr}, DisableCache: !csc, CacheSizeEachConn: 16 << 20})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(c.Close)
	return c
}

// A hold check: GET of a key that is absent (no hold), every upstream call.
func BenchmarkHoldCheck_GoRedis(b *testing.B) {
	c := goredis(b, false)
	ctx := context.Background()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if err := c.Get(ctx, "hold:absent").Err(); err != redis.Nil {
				b.Fatal(err)
			}
		}
	})
}

func BenchmarkHoldCheck_GoRedisCSC(b *testing.B) {
	c := goredis(b, true)
	ctx := context.Background()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if err := c.Get(ctx, "hold:absent").Err(); err != redis.Nil {
				b.Fatal(err)
			}
		}
	})
}

func BenchmarkHoldCheck_Rueidis(b *testing.B) {
	c := rue(b, false)
	ctx := context.Background()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if err := c.Do(ctx, c.B().Get().Key("hold:absent").Build()).Error(); !rueidis.IsRedisNil(err) {
				b.Fatal(err)
			}
		}
	})
}

func BenchmarkHoldCheck_RueidisCSC(b *testing.B) {
	c := rue(b, true)
	ctx := context.Background()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if err := c.DoCache(ctx, c.B().Get().Key("hold:absent").Cache(), time.Minute).Error(); !rueidis.IsRedisNil(err) {
				b.Fatal(err)
			}
		}
	})
}

// A cached read of 20 KB.
func BenchmarkRead20K_GoRedis(b *testing.B) {
	c := goredis(b, false)
	ctx := context.Background()
	c.Set(ctx, "rc:k", value, time.Hour)
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := c.Get(ctx, "rc:k").Bytes(); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func BenchmarkRead20K_Rueidis(b *testing.B) {
	c := rue(b, false)
	ctx := context.Background()
	c.Do(ctx, c.B().Set().Key("rc:k").Value(value).Ex(time.Hour).Build())
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := c.Do(ctx, c.B().Get().Key("rc:k").Build()).AsBytes(); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func BenchmarkRead20K_RueidisCSC(b *testing.B) {
	c := rue(b, true)
	ctx := context.Background()
	c.Do(ctx, c.B().Set().Key("rc:k").Value(value).Ex(time.Hour).Build())
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := c.DoCache(ctx, c.B().Get().Key("rc:k").Cache(), time.Minute).AsBytes(); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func BenchmarkRead20K_GoRedisCSC(b *testing.B) {
	c := goredis(b, true)
	ctx := context.Background()
	c.Set(ctx, "rc:k", value, time.Hour)
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := c.Get(ctx, "rc:k").Bytes(); err != nil {
				b.Fatal(err)
			}
		}
	})
}
