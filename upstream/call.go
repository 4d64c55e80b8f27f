package upstream

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sync"

	gojson "github.com/goccy/go-json"
	"github.com/hashicorp/go-retryablehttp"
)

const (
	maxBodyBytes      = 16 << 20 // an answer larger than this is not one the spec describes
	maxErrorBodyBytes = 64 << 10
)

// call makes one call and returns its successful answer; every failure,
// an error answer included, is an *Error. Reads are shared as the client's
// Sharing allows; a write makes its credential's cached reads forgotten.
func (c *Client) call(ctx context.Context, op, method, path string, query url.Values, body []byte) (*answer, error) {
	target := c.base + path
	if len(query) > 0 {
		target += "?" + query.Encode()
	}
	idempotent := isRead(method)
	if c.calls != nil && c.calls.n.Add(1) > c.calls.limit {
		return nil, &Error{Op: op, Kind: ErrCallLimit, Err: fmt.Errorf("this request has made its %d calls", c.calls.limit)}
	}
	var ans *answer
	var err error
	if idempotent {
		ans, err = c.read(ctx, op, method, target)
	} else {
		ans, err = c.send(ctx, op, method, target, body)
		if c.cache != nil {
			c.cache.Forget(ctx, c.credential) // what the write changed must be read afresh
		}
	}
	if err != nil {
		return nil, err
	}
	if ans.status < 200 || ans.status > 299 {
		return nil, ans.err(op, idempotent)
	}
	if len(ans.data) > maxBodyBytes {
		return nil, badResponse(op, fmt.Errorf("the answer is larger than %d bytes", maxBodyBytes))
	}
	return ans, nil
}

func isRead(method string) bool { return method == http.MethodGet || method == http.MethodHead }

// get makes a read and decodes its answer into a T. The answer is decoded
// once however many requests share it (coalesced or cached), and they all
// get the same value: it is read-only.
func get[T any](c *Client, ctx context.Context, op, path string, query url.Values) (*T, error) {
	ans, err := c.call(ctx, op, http.MethodGet, path, query, nil)
	if err != nil {
		return nil, err
	}
	ans.once.Do(func() {
		v := new(T)
		// goccy/go-json decodes GitBook's answers (integrations with
		// embedded organizations run to tens of kilobytes) about four times
		// as fast as encoding/json, with the same results.
		if err := gojson.Unmarshal(ans.data, v); err != nil {
			ans.decodeErr = badResponse(op, fmt.Errorf("decoding the answer: %w", err))
			return
		}
		ans.value = v
	})
	if ans.decodeErr != nil {
		return nil, ans.decodeErr
	}
	return ans.value.(*T), nil
}

// do makes a write, and decodes its answer into out when out is not nil.
func (c *Client) do(ctx context.Context, op, method, path string, query url.Values, body []byte, out any) error {
	ans, err := c.call(ctx, op, method, path, query, body)
	if err != nil {
		return err
	}
	if out == nil || ans.status == http.StatusNoContent || ans.status == http.StatusResetContent {
		return nil
	}
	if err := gojson.Unmarshal(ans.data, out); err != nil {
		return badResponse(op, fmt.Errorf("decoding the answer: %w", err))
	}
	return nil
}

// answer is what one call got back: read whole, so that it can be shared
// by the callers a read was coalesced for, or kept in the cache.
type answer struct {
	status    int
	data      []byte
	rateLimit *RateLimit

	// The decoded value, made once by get.
	once      sync.Once
	value     any
	decodeErr error
}

// send makes one call, retries as the policy says, and reads its answer.
func (c *Client) send(ctx context.Context, op, method, target string, body []byte) (*answer, error) {
	idempotent := isRead(method)
	ctx = withCall(ctx, op, c.credential)
	var rawBody any
	if body != nil {
		rawBody = body
	}
	req, err := retryablehttp.NewRequestWithContext(ctx, method, target, rawBody)
	if err != nil {
		return nil, &Error{Op: op, Kind: ErrInvalidArgument, Err: err}
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", c.userAgent)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.authorization != "" {
		req.Header.Set("Authorization", c.authorization)
	}

	// The body is read inside go-retryablehttp's loop, so that a read that
	// breaks off mid-body is retried like any other failed attempt.
	var data []byte
	read := false
	req.SetResponseHandler(func(resp *http.Response) error {
		read = true
		var err error
		data, err = readBody(resp)
		return err
	})
	retrier := c.writes
	if idempotent {
		retrier = c.reads
	}
	resp, err := retrier.Do(req)
	if err != nil {
		if resp != nil {
			resp.Body.Close()
		}
		return nil, transportError(ctx, op, idempotent, err)
	}
	if !read { // the last attempt was one the policy would have retried
		if data, err = readBody(resp); err != nil {
			return nil, transportError(ctx, op, idempotent, err)
		}
	}
	return &answer{status: resp.StatusCode, data: data, rateLimit: rateLimitOf(resp)}, nil
}

// readBody reads an answer's body and closes it: up to one byte past
// maxBodyBytes for a success, so an oversized one shows, and up to
// maxErrorBodyBytes of an error.
func readBody(resp *http.Response) ([]byte, error) {
	defer resp.Body.Close()
	limit := int64(maxBodyBytes + 1)
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		limit = maxErrorBodyBytes
	}
	// A body whose length is known is read into one buffer of that size,
	// rather than one that grows (and copies) as it fills.
	if n := resp.ContentLength; n > 0 && n < limit {
		buf := make([]byte, n)
		if _, err := io.ReadFull(resp.Body, buf); err != nil {
			return nil, err
		}
		return buf, nil
	}
	// Else (a chunked answer) it is read into a buffer kept from earlier
	// answers, then copied out at its size: io.ReadAll's doubling would
	// allocate about three times the body.
	buf := bodyBuffers.Get().(*bytes.Buffer)
	defer func() {
		if buf.Cap() <= maxPooledBody {
			buf.Reset()
			bodyBuffers.Put(buf)
		}
	}()
	if _, err := buf.ReadFrom(io.LimitReader(resp.Body, limit)); err != nil {
		return nil, err
	}
	return bytes.Clone(buf.Bytes()), nil
}

// bodyBuffers are the buffers chunked answers are read into; one that grew
// past maxPooledBody is let go rather than kept.
var bodyBuffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

const maxPooledBody = 1 << 20
