package graph

// Resolver is the root of the resolvers. It holds no per-caller state: each
// request's data access (credential, loaders, upstream client) travels in
// its context, set by the loader middleware.
type Resolver struct {
	// PageSize is how many integrations one upstream page asks for.
	PageSize int
	// CursorSeal signs and checks the connections' cursors.
	CursorSeal CursorSeal
}
