package upstream

import (
	"fmt"
	"strings"
	"time"
)

// Go's JSON decoding cannot tell a missing property from a zero one. These
// checks hold answers to the properties the spec requires and a zero value
// could not stand for: keys, references and timestamps. (Enum values are
// checked where they are mapped.) An answer without them is refused as
// ErrBadResponse rather than served as empty strings and year 1.

type required []string

func (r *required) str(name, v string) {
	if v == "" {
		*r = append(*r, name)
	}
}

func (r *required) time(name string, v time.Time) {
	if v.IsZero() {
		*r = append(*r, name)
	}
}

func (r required) err(what string) error {
	if len(r) == 0 {
		return nil
	}
	return fmt.Errorf("%s without %s", what, strings.Join(r, ", "))
}

func (s *Space) validate() error {
	var r required
	r.str("id", s.ID)
	r.str("organization", s.Organization)
	r.time("createdAt", s.CreatedAt)
	r.time("updatedAt", s.UpdatedAt)
	return r.err("a space")
}

func (o *Organization) validate() error {
	var r required
	r.str("id", o.ID)
	r.str("title", o.Title)
	r.time("createdAt", o.CreatedAt)
	return r.err("an organization")
}

func (in *Integration) validate() error {
	var r required
	r.str("name", in.Name)
	r.str("title", in.Title)
	if err := r.err("an integration"); err != nil {
		return err
	}
	if err := in.Owner.validate(); err != nil {
		return fmt.Errorf("integration %s: owner: %w", in.Name, err)
	}
	return validateBlocks(in.Blocks)
}

func validateBlocks(blocks []IntegrationBlock) error {
	for i := range blocks {
		var r required
		r.str("id", blocks[i].ID)
		if err := r.err("a block"); err != nil {
			return err
		}
	}
	return nil
}
