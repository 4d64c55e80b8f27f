package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sync"

	"github.com/goccy/go-json"
)

// plan is what the direct client fetches for one request: the physical
// limit a facade is measured against. Every call starts as soon as what it
// depends on has arrived, and no call is made twice.
type plan struct {
	Spaces []string `json:"spaces,omitempty"`
	// Organization: each space's organization, once per distinct one,
	// as soon as the first space naming it arrives.
	Organization      bool     `json:"organization,omitempty"`
	Integrations      bool     `json:"integrations,omitempty"`
	IntegrationBlocks bool     `json:"integrationBlocks,omitempty"`
	IntegrationNames  []string `json:"integrationNames,omitempty"`
}

// directClient makes a plan's REST calls against the upstream at base
// (such as http://127.0.0.1:8081/v1).
type directClient struct {
	base   string
	client *http.Client
}

// run makes the plan's calls and reads every answer whole; it decodes only
// what a dependent call needs (a space's organization).
func (d *directClient) run(ctx context.Context, token string, p *plan) error {
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		firstErr error
		orgs     = map[string]bool{}
	)
	fail := func(err error) {
		mu.Lock()
		defer mu.Unlock()
		if firstErr == nil {
			firstErr = err
		}
	}
	fetch := func(path string, into any) {
		defer wg.Done()
		if err := d.get(ctx, token, path, into); err != nil {
			fail(err)
		}
	}
	for _, id := range p.Spaces {
		id := url.PathEscape(id)
		wg.Add(1)
		go func() {
			defer wg.Done()
			var space struct {
				Organization string `json:"organization"`
			}
			if err := d.get(ctx, token, "/spaces/"+id, &space); err != nil {
				fail(err)
				return
			}
			if !p.Organization {
				return
			}
			mu.Lock()
			first := !orgs[space.Organization]
			orgs[space.Organization] = true
			mu.Unlock()
			if first {
				wg.Add(1)
				go fetch("/orgs/"+url.PathEscape(space.Organization), nil)
			}
		}()
		if p.Integrations {
			wg.Add(1)
			go fetch("/spaces/"+id+"/integrations?limit=100", nil)
		}
		if p.IntegrationBlocks {
			wg.Add(1)
			go fetch("/spaces/"+id+"/integration-blocks", nil)
		}
	}
	for _, name := range p.IntegrationNames {
		wg.Add(1)
		go fetch("/integrations/"+url.PathEscape(name), nil)
	}
	wg.Wait()
	return firstErr
}

func (d *directClient) get(ctx context.Context, token, path string, into any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, d.base+path, nil)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Accept", "application/json")
	resp, err := d.client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %s", path, resp.Status)
	}
	if into == nil {
		return nil
	}
	return json.Unmarshal(body, into)
}
