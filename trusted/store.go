package trusted

import "sync/atomic"

// Store holds the list in force. Requests read it with one atomic load and
// keep what they read for their whole check; Reload swaps in a new list
// whole, so no request sees half of one, and none waits for a reload.
type Store struct {
	list atomic.Pointer[List]
}

// Open loads the list at path into a new Store.
func Open(path string) (*Store, error) {
	l, err := Load(path)
	if err != nil {
		return nil, err
	}
	return NewStore(l), nil
}

// NewStore holds l.
func NewStore(l *List) *Store {
	s := &Store{}
	s.list.Store(l)
	return s
}

// List is the list in force.
func (s *Store) List() *List { return s.list.Load() }

// Reload reads the list at path and puts it in force; a file that does not
// load leaves the old list in force, and the error says why.
func (s *Store) Reload(path string) (*List, error) {
	l, err := Load(path)
	if err != nil {
		return nil, err
	}
	s.list.Store(l)
	return l, nil
}
