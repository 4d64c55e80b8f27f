package upstream

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"

	"github.com/hashicorp/go-cleanhttp"
	"github.com/hashicorp/go-retryablehttp"
	"golang.org/x/sync/singleflight"
)

// Client calls the GitBook REST API. It is safe for concurrent use; copies
// made with WithAuthorization or WithCallLimit share its connections and
// its guards.
type Client struct {
	base string // without a trailing slash
	hc   *http.Client
	// Reads and writes are retried by rules of their own (see RetryPolicy),
	// so each has its own go-retryablehttp client over hc.
	reads, writes *retryablehttp.Client
	guard         *guard
	authorization string
	credential    Credential // of authorization
	userAgent     string
	calls         *callCounter        // nil: no per-copy limit
	flight        *singleflight.Group // nil: reads are not coalesced
	cache         ReadCache           // nil: reads are not cached
}

// New makes a client for the API at baseURL (such as DefaultBaseURL).
func New(baseURL string, opts Options) (*Client, error) {
	u, err := url.Parse(baseURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("upstream: base URL %q is not an http(s) URL", baseURL)
	}
	u.RawQuery, u.Fragment = "", ""
	opts = opts.withDefaults()
	hc := opts.httpClient()
	g := newGuard(hc.Transport, opts)
	hc.Transport = g
	c := &Client{
		base:       strings.TrimRight(u.String(), "/"),
		hc:         hc,
		reads:      retryClient(hc, *opts.Retry, g.budgeted(opts.Retry.CheckRetry)),
		writes:     retryClient(hc, *opts.Retry, unsentOnly(opts.Retry.CheckRetry)),
		guard:      g,
		userAgent:  opts.UserAgent,
		credential: anonymous,
	}
	if opts.Sharing.CacheTTL > 0 {
		c.cache = opts.Sharing.Store
	}
	if !opts.Sharing.NoCoalescing {
		c.flight = &singleflight.Group{}
	}
	return c, nil
}

// retryClient is go-retryablehttp's client under policy p, with check for
// its CheckRetry. It is built whole, without go-retryablehttp's stderr
// logger, and hands back the last attempt's answer or error as it is.
func retryClient(hc *http.Client, p RetryPolicy, check retryablehttp.CheckRetry) *retryablehttp.Client {
	return &retryablehttp.Client{
		HTTPClient:   hc,
		RetryWaitMin: p.MinWait,
		RetryWaitMax: p.MaxWait,
		RetryMax:     p.MaxRetries,
		CheckRetry:   check,
		Backoff:      p.Backoff,
		PrepareRetry: numberRetry,
		ErrorHandler: retryablehttp.PassthroughErrorHandler,
	}
}

// PooledTransport is a keep-alive transport whose idle pool keeps conns
// connections, to match the calls the client may have in flight.
func PooledTransport(conns int) *http.Transport {
	t := cleanhttp.DefaultPooledTransport()
	t.MaxIdleConnsPerHost = conns
	t.MaxIdleConns = conns
	return t
}

// Stats reports the client's guards across credentials: how many breakers
// are open, and the retries the budgets granted and denied.
func (c *Client) Stats() Stats { return c.guard.stats() }

// CredentialStats reports the guards of this client's credential (the one
// WithAuthorization gave it): its breaker and its retry budget.
func (c *Client) CredentialStats() CredentialStats { return c.guard.credentialStats(c.credential) }

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
	cp.credential = CredentialOf(header)
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

// CloseIdleConnections closes the keep-alive connections not in use.
func (c *Client) CloseIdleConnections() { c.hc.CloseIdleConnections() }

// Ping checks that the upstream answers at all: one GET of the API's base,
// sent without credentials and not retried. Any HTTP answer below 500 is
// success.
func (c *Client) Ping(ctx context.Context) error {
	ctx = withCall(ctx, "ping", anonymous)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.base+"/", nil)
	if err != nil {
		return err
	}
	req.Header.Set("User-Agent", c.userAgent)
	resp, err := c.hc.Do(req)
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
