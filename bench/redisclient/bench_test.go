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

// inParallel runs op from every goroutine of b.RunParallel, failing on
// its first error.
func inParallel(b *testing.B, op func(context.Context) error) {
	ctx := context.Background()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if err := op(ctx); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// A hold check: GET of a key that is absent (no hold), every upstream call.
func goRedisHoldCheck(b *testing.B, csc bool) {
	c := goredis(b, csc)
	inParallel(b, func(ctx context.Context) error {
		if err := c.Get(ctx, "hold:absent").Err(); err != redis.Nil {
			return err
		}
		return nil
	})
}

func rueidisHoldCheck(b *testing.B, csc bool) {
	c := rue(b, csc)
	inParallel(b, func(ctx context.Context) error {
		get := c.B().Get().Key("hold:absent")
		var err error
		if csc {
			err = c.DoCache(ctx, get.Cache(), time.Minute).Error()
		} else {
			err = c.Do(ctx, get.Build()).Error()
		}
		if !rueidis.IsRedisNil(err) {
			return err
		}
		return nil
	})
}

func BenchmarkHoldCheck_GoRedis(b *testing.B)    { goRedisHoldCheck(b, false) }
func BenchmarkHoldCheck_GoRedisCSC(b *testing.B) { goRedisHoldCheck(b, true) }
func BenchmarkHoldCheck_Rueidis(b *testing.B)    { rueidisHoldCheck(b, false) }
func BenchmarkHoldCheck_RueidisCSC(b *testing.B) { rueidisHoldCheck(b, true) }

// A cached read of 20 KB.
func goRedisRead(b *testing.B, csc bool) {
	c := goredis(b, csc)
	c.Set(context.Background(), "rc:k", value, time.Hour)
	inParallel(b, func(ctx context.Context) error {
		_, err := c.Get(ctx, "rc:k").Bytes()
		return err
	})
}

func rueidisRead(b *testing.B, csc bool) {
	c := rue(b, csc)
	c.Do(context.Background(), c.B().Set().Key("rc:k").Value(value).Ex(time.Hour).Build())
	inParallel(b, func(ctx context.Context) error {
		get := c.B().Get().Key("rc:k")
		if csc {
			_, err := c.DoCache(ctx, get.Cache(), time.Minute).AsBytes()
			return err
		}
		_, err := c.Do(ctx, get.Build()).AsBytes()
		return err
	})
}

func BenchmarkRead20K_GoRedis(b *testing.B)    { goRedisRead(b, false) }
func BenchmarkRead20K_GoRedisCSC(b *testing.B) { goRedisRead(b, true) }
func BenchmarkRead20K_Rueidis(b *testing.B)    { rueidisRead(b, false) }
func BenchmarkRead20K_RueidisCSC(b *testing.B) { rueidisRead(b, true) }
