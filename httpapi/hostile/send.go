package hostile

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
)

// Answer is what the server sent back to one request.
type Answer struct {
	Status int
	Header http.Header
	Body   []byte
	// Parts are the JSON documents of the answer: the body, or each part
	// of a multipart one.
	Parts []json.RawMessage
	// Codes are the extensions.code of every error in every part.
	Codes []string
	// Data says whether any part carried data that is not null.
	Data bool
}

// Send sends r to the GraphQL endpoint at endpoint with authorization, as
// the comment prefix (for a new document each time, unless r.Same) makes
// it, and reads the whole answer. A persisted request registers its query
// first.
func Send(ctx context.Context, client *http.Client, endpoint, authorization, prefix string, r Request) (Answer, error) {
	query := r.Query
	if !r.Same && prefix != "" {
		query = "#" + prefix + "\n" + query
	}
	params := map[string]any{}
	if r.Variables != nil {
		params["variables"] = r.Variables
	}
	if r.OperationName != "" {
		params["operationName"] = r.OperationName
	}
	if r.Extensions != nil {
		params["extensions"] = r.Extensions
	}
	if r.Persisted {
		sum := sha256.Sum256([]byte(query))
		ext := map[string]any{"persistedQuery": map[string]any{"version": 1, "sha256Hash": hex.EncodeToString(sum[:])}}
		register := Request{Query: query, Extensions: ext, Same: true}
		if a, err := Send(ctx, client, endpoint, authorization, "", register); err != nil || a.Status != http.StatusOK {
			return a, fmt.Errorf("registering the persisted query: %v", err)
		}
		params["extensions"] = ext
	} else {
		params["query"] = query
	}
	var req *http.Request
	var err error
	if r.GET {
		values := url.Values{}
		for k, v := range params {
			if s, ok := v.(string); ok {
				values.Set(k, s)
				continue
			}
			encoded, _ := json.Marshal(v)
			values.Set(k, string(encoded))
		}
		req, err = http.NewRequestWithContext(ctx, http.MethodGet, endpoint+"?"+values.Encode(), nil)
	} else {
		body, _ := json.Marshal(params)
		req, err = http.NewRequestWithContext(ctx, http.MethodPost, endpoint, bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
	}
	if err != nil {
		return Answer{}, err
	}
	if authorization != "" {
		req.Header.Set("Authorization", authorization)
	}
	for k, v := range r.Header {
		req.Header.Set(k, v)
	}
	resp, err := client.Do(req)
	if err != nil {
		return Answer{}, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return Answer{Status: resp.StatusCode, Header: resp.Header}, err
	}
	return Read(resp.StatusCode, resp.Header, body)
}

// Read makes an Answer of what a server sent, and says what is wrong with
// it as a GraphQL answer: not JSON, parts that do not end, neither data
// nor errors.
func Read(status int, header http.Header, body []byte) (Answer, error) {
	a := Answer{Status: status, Header: header, Body: body}
	return a, a.read()
}

// read splits the answer into its JSON documents and gathers their codes.
func (a *Answer) read() error {
	media, params, _ := mime.ParseMediaType(a.Header.Get("Content-Type"))
	if media == "multipart/mixed" {
		mr := multipart.NewReader(bytes.NewReader(a.Body), params["boundary"])
		for {
			p, err := mr.NextPart()
			if err == io.EOF {
				break
			}
			if err != nil {
				return fmt.Errorf("a multipart answer: %w", err)
			}
			part, err := io.ReadAll(p)
			if err != nil {
				return err
			}
			a.Parts = append(a.Parts, part)
		}
		if len(a.Parts) == 0 || !bytes.Contains(a.Parts[len(a.Parts)-1], []byte(`"hasNext":false`)) {
			return fmt.Errorf("a multipart answer that does not end: %.300s", a.Body)
		}
	} else {
		a.Parts = []json.RawMessage{a.Body}
	}
	for _, part := range a.Parts {
		var doc struct {
			Data        json.RawMessage `json:"data"`
			Errors      []gqlError      `json:"errors"`
			Incremental []struct {
				Data   json.RawMessage `json:"data"`
				Errors []gqlError      `json:"errors"`
			} `json:"incremental"`
		}
		if err := json.Unmarshal(part, &doc); err != nil {
			return fmt.Errorf("an answer that is not JSON: %v: %.300s", err, part)
		}
		errs := doc.Errors
		data := []json.RawMessage{doc.Data}
		for _, inc := range doc.Incremental {
			errs = append(errs, inc.Errors...)
			data = append(data, inc.Data)
		}
		for _, e := range errs {
			code, _ := e.Extensions["code"].(string)
			a.Codes = append(a.Codes, code)
		}
		for _, d := range data {
			if len(d) > 0 && !bytes.Equal(d, []byte("null")) {
				a.Data = true
			}
		}
	}
	if !a.Data && len(a.Codes) == 0 {
		return fmt.Errorf("an answer with neither data nor errors: %.300s", a.Body)
	}
	return nil
}

type gqlError struct {
	Extensions map[string]any `json:"extensions"`
}

// Values counts the JSON values of the answer's data, as the answer's
// meter counts them (each field's value and each list element).
func (a Answer) Values() int {
	n := 0
	for _, part := range a.Parts {
		var doc struct {
			Data        any `json:"data"`
			Incremental []struct {
				Data any `json:"data"`
			} `json:"incremental"`
		}
		if json.Unmarshal(part, &doc) != nil {
			continue
		}
		n += count(doc.Data)
		for _, inc := range doc.Incremental {
			n += count(inc.Data)
		}
	}
	return n
}

func count(v any) int {
	n := 0
	switch v := v.(type) {
	case map[string]any:
		for _, m := range v {
			n += 1 + count(m)
		}
	case []any:
		for _, e := range v {
			n += 1 + count(e)
		}
	}
	return n
}

// Text is the answer as the comment of a failed check shows it.
func (a Answer) Text() string {
	return strings.TrimSpace(fmt.Sprintf("HTTP %d %s: %.400s", a.Status, a.Header.Get("Content-Type"), a.Body))
}
