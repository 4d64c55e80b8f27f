package model

import (
	"context"
	"encoding/json"
	"errors"
	"io"
)

// JSON is the JSON scalar: a value passed through as the upstream sent it.
type JSON json.RawMessage

// MarshalGQLContext writes the value as it is; invalid JSON becomes null,
// since the response must stay valid JSON whatever the upstream sent.
func (j JSON) MarshalGQLContext(_ context.Context, w io.Writer) error {
	if len(j) == 0 || !json.Valid(j) {
		_, err := io.WriteString(w, "null")
		return err
	}
	_, err := w.Write(j)
	return err
}

// UnmarshalGQLContext takes any input value.
func (j *JSON) UnmarshalGQLContext(_ context.Context, v any) error {
	if j == nil {
		return errors.New("JSON: unmarshal into nil")
	}
	data, err := json.Marshal(v)
	if err != nil {
		return err
	}
	*j = data
	return nil
}
