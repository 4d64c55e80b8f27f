package replicas

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
)

// Request is one GraphQL request over HTTP.
type Request struct {
	Query      string         `json:"query,omitempty"`
	Variables  map[string]any `json:"variables,omitempty"`
	Extensions map[string]any `json:"extensions,omitempty"`
}

// Answer is a GraphQL answer, with its HTTP status.
type Answer struct {
	Status int
	Data   json.RawMessage `json:"data"`
	Errors []struct {
		Message    string         `json:"message"`
		Extensions map[string]any `json:"extensions"`
	} `json:"errors"`
}

// Codes are the answer's errors' extensions.code.
func (a *Answer) Codes() []string {
	var codes []string
	for _, e := range a.Errors {
		c, _ := e.Extensions["code"].(string)
		codes = append(codes, c)
	}
	return codes
}

// Post sends req to url with authorization, and reads the answer. An error
// is a failure to get any GraphQL answer at all.
func Post(ctx context.Context, hc *http.Client, url, authorization string, req Request) (*Answer, error) {
	body, err := json.Marshal(req)
	if err != nil {
		return nil, err
	}
	r, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	r.Header.Set("Content-Type", "application/json")
	r.Header.Set("Accept", "application/graphql-response+json")
	if authorization != "" {
		r.Header.Set("Authorization", authorization)
	}
	resp, err := hc.Do(r)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	a := &Answer{Status: resp.StatusCode}
	if err := json.Unmarshal(raw, a); err != nil {
		return nil, fmt.Errorf("HTTP %d, not a GraphQL answer: %.200s", resp.StatusCode, raw)
	}
	return a, nil
}
