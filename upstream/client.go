package upstream

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	gojson "github.com/goccy/go-json"
	"github.com/hashicorp/go-cleanhttp"
	"github.com/hashicorp/go-retryablehttp"
	"golang.org/x/sync/semaphore"
)

// DefaultBaseURL is GitBook's public API.
const DefaultBaseURL = "https://api.gitbook.com/v1"

const (
	maxBodyBytes      = 16 << 20 // an answer larger than this is not one the spec describes
	maxErrorBodyBytes = 64 << 10
)

// Client calls the GitBook REST API. It is safe for concurrent use; copies
// made with WithAuthorization or WithCallLimit share its connections and
// its process-wide guards.
type Client struct {
	base          string // without a trailing slash
	http          *retryablehttp.Client
	guard         *guard
	authorization string
	userAgent     string
	calls         *callCounter // nil: no per-copy limit
	shared        *shared
}

// Options tune a Client; the zero value of each field means its default.
type Options struct {
	// HTTPClient sends each attempt; its Transport (http.DefaultTransport
	// when nil) is wrapped by the client's guards. Default: a client over
	// Transport.
	HTTPClient *http.Client
	// Transport sends each attempt when HTTPClient is not given, under the
	// client's guards (a place for tracing, say). Default: PooledTransport.
	Transport http.RoundTripper
	// Observer hears of every attempt, for metrics and logs. Default: none.
	Observer Observer
	// Sharing says what reads share across requests of one credential:
	// by default, reads of the same URL in flight at once are made once.
	Sharing Sharing
	// AttemptTimeout bounds one attempt, from sending it to reading its
	// answer's last byte. Default 5s.
	AttemptTimeout time.Duration
	// MaxInFlight bounds the attempts in flight from the whole process;
	// more wait their turn, within their deadline. Default 1024.
	MaxInFlight int
	// Retry is the policy for reads. Default: DefaultRetry.
	Retry *RetryPolicy
	// Budget bounds retries across the process. Default: DefaultRetryBudget.
	Budget *RetryBudget
	// Breaker stops calls to a failing upstream. Default: DefaultBreaker.
	Breaker *BreakerPolicy
	// UserAgent is sent with every call. Default "gitbook-graphql-facade".
	UserAgent string
}

// New makes a client for the API at baseURL (such as DefaultBaseURL).
func New(baseURL string, opts Options) (*Client, error) {
	u, err := url.Parse(baseURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("upstream: base URL %q is not an http(s) URL", baseURL)
	}
	u.RawQuery, u.Fragment = "", ""
	inFlight := opts.MaxInFlight
	if inFlight <= 0 {
		inFlight = 1024
	}
	attemptTimeout := opts.AttemptTimeout
	if attemptTimeout <= 0 {
		attemptTimeout = 5 * time.Second
	}
	var hc http.Client
	switch {
	case opts.HTTPClient != nil:
		hc = *opts.HTTPClient
		if hc.Transport == nil {
			hc.Transport = http.DefaultTransport
		}
	case opts.Transport != nil:
		hc.Transport = opts.Transport
	default:
		hc.Transport = PooledTransport(inFlight)
	}
	policy := DefaultRetry
	if opts.Retry != nil {
		policy = *opts.Retry
		if policy.MaxServerWait == 0 {
			policy.MaxServerWait = DefaultRetry.MaxServerWait
		}
	}
	budget := DefaultRetryBudget
	if opts.Budget != nil {
		budget = *opts.Budget
	}
	breaker := DefaultBreaker
	if opts.Breaker != nil {
		breaker = *opts.Breaker
	}
	if breaker.Window <= 0 {
		breaker.Window = DefaultBreaker.Window
	}
	if breaker.OpenFor <= 0 {
		breaker.OpenFor = DefaultBreaker.OpenFor
	}
	g := &guard{
		next:           hc.Transport,
		slots:          semaphore.NewWeighted(int64(inFlight)),
		holds:          newRateLimitHolds(),
		health:         newHealth(breaker),
		breakerOff:     breaker.Disabled,
		budget:         budget,
		attemptTimeout: attemptTimeout,
		observer:       opts.Observer,
	}
	if g.observer == nil {
		g.observer = noObserver{}
	}
	hc.Transport = g
	r := retrier{RetryPolicy: policy, allowRetry: g.retryAllowed}
	ua := opts.UserAgent
	if ua == "" {
		ua = "gitbook-graphql-facade"
	}
	return &Client{
		base:   strings.TrimRight(u.String(), "/"),
		guard:  g,
		shared: newShared(opts.Sharing),
		http: &retryablehttp.Client{
			HTTPClient:   &hc,
			RetryWaitMin: policy.MinWait,
			RetryWaitMax: policy.MaxWait,
			RetryMax:     policy.MaxRetries,
			CheckRetry:   r.checkRetry,
			Backoff:      r.backoff,
			ErrorHandler: retryablehttp.PassthroughErrorHandler,
		},
		userAgent: ua,
	}, nil
}

// PooledTransport is a keep-alive transport whose idle pool keeps conns
// connections, to match the calls the client may have in flight.
func PooledTransport(conns int) *http.Transport {
	t := cleanhttp.DefaultPooledTransport()
	t.MaxIdleConnsPerHost = conns
	t.MaxIdleConns = conns
	return t
}

// Stats reports the client's process-wide guards: the breaker's state and
// the retry budget.
func (c *Client) Stats() Stats { return c.guard.stats() }

// WithCallLimit returns a client that makes at most n calls (retries not
// counted): the bound of one GraphQL request. Calls past it fail with
// ErrCallLimit without being sent.
func (c *Client) WithCallLimit(n int) *Client {
	cp := *c
	cp.calls = &callCounter{limit: int64(n)}
	return &cp
}

type callCounter struct {
	n     atomic.Int64
	limit int64
}

// WithAuthorization returns a client that sends header as its Authorization
// header (none when empty). The copy shares connections with c.
func (c *Client) WithAuthorization(header string) *Client {
	cp := *c
	cp.authorization = header
	return &cp
}

// path joins escaped path segments onto the base URL's path.
func (c *Client) path(segments ...string) string {
	var b strings.Builder
	for _, s := range segments {
		b.WriteByte('/')
		b.WriteString(url.PathEscape(s))
	}
	return b.String()
}

// call makes one call and returns its successful answer; every failure,
// an error answer included, is an *Error. Reads are shared as the client's
// Sharing allows; a write makes its credential's cached reads forgotten.
func (c *Client) call(ctx context.Context, op, method, path string, query url.Values, body []byte) (*answer, error) {
	target := c.base + path
	if len(query) > 0 {
		target += "?" + query.Encode()
	}
	idempotent := method == http.MethodGet || method == http.MethodHead
	if c.calls != nil && c.calls.n.Add(1) > c.calls.limit {
		return nil, &Error{Op: op, Kind: ErrCallLimit, Err: fmt.Errorf("this request has made its %d calls", c.calls.limit)}
	}
	var ans *answer
	var err error
	if idempotent {
		ans, err = c.read(ctx, op, method, target)
	} else {
		ans, err = c.send(ctx, op, method, target, body)
		c.shared.forget(c.authorization) // what the write changed must be read afresh
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
	idempotent := method == http.MethodGet || method == http.MethodHead
	ctx = withCall(ctx, &call{op: op, idempotent: idempotent})
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
	resp, err := c.http.Do(req)
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
	return io.ReadAll(io.LimitReader(resp.Body, limit))
}

// transportError classifies a call that got no answer.
func transportError(ctx context.Context, op string, idempotent bool, err error) error {
	e := &Error{Op: op, Err: err}
	var nerr net.Error
	var held *RateLimitHoldError
	var open *CircuitOpenError
	switch {
	case errors.As(err, &held):
		e.Kind = ErrRateLimited
		e.RateLimit = &RateLimit{Reset: held.Until, RetryAfter: time.Until(held.Until)}
		return e // never sent
	case errors.As(err, &open):
		e.Kind = ErrUnavailable
		return e // never sent
	case errors.Is(ctx.Err(), context.Canceled):
		e.Kind = context.Canceled
	case errors.Is(ctx.Err(), context.DeadlineExceeded), errors.As(err, &nerr) && nerr.Timeout():
		e.Kind = ErrTimeout
	default:
		e.Kind = ErrUnavailable
	}
	// A write that may have reached the upstream may have been applied.
	e.OutcomeUnknown = !idempotent && !neverSent(err)
	return e
}

// err reads an upstream error answer: the spec's Error envelope, and the
// rate-limit headers.
func (a *answer) err(op string, idempotent bool) error {
	e := &Error{Op: op, StatusCode: a.status, RateLimit: a.rateLimit}
	var envelope struct {
		Error *struct {
			Code    int    `json:"code"`
			Message string `json:"message"`
		} `json:"error"`
	}
	if json.Unmarshal(a.data, &envelope) == nil && envelope.Error != nil {
		e.Code, e.Message = envelope.Error.Code, truncate(envelope.Error.Message, 500)
	}
	switch {
	case a.status == http.StatusTooManyRequests:
		e.Kind = ErrRateLimited
	case a.status >= 500:
		e.Kind = ErrUnavailable
		e.OutcomeUnknown = !idempotent
	}
	return e
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

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// CloseIdleConnections closes the keep-alive connections not in use.
func (c *Client) CloseIdleConnections() { c.http.HTTPClient.CloseIdleConnections() }

// Ping checks that the upstream answers at all: one GET of the API's base,
// sent without credentials and not retried. Any HTTP answer below 500 is
// success.
func (c *Client) Ping(ctx context.Context) error {
	ctx = withCall(ctx, &call{op: "ping", idempotent: true})
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.base+"/", nil)
	if err != nil {
		return err
	}
	req.Header.Set("User-Agent", c.userAgent)
	resp, err := c.http.HTTPClient.Do(req)
	if err != nil {
		return transportError(ctx, "ping", true, err)
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxErrorBodyBytes))
	resp.Body.Close()
	if resp.StatusCode >= 500 {
		return &Error{Op: "ping", Kind: ErrUnavailable, StatusCode: resp.StatusCode}
	}
	return nil
}
