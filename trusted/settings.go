package trusted

import "github.com/gitbook-graphql/facade/settings"

// Modes of a list in force.
const (
	// Enforce runs listed operations alone.
	Enforce = "enforce"
	// Log runs everything, and counts and logs what Enforce would refuse.
	Log = "log"
)

// Options are how the server uses a list.
type Options struct {
	// Path is the list's file; "" for none, when every document runs.
	Path string
	// Mode is Enforce or Log.
	Mode string
	// Introspection lets Enforce run documents that ask for introspection
	// alone (__schema, __type, __typename).
	Introspection bool
}

// Settings are the list's flags, bound to o's fields.
func (o *Options) Settings() []settings.Setting {
	return []settings.Setting{
		settings.String{Flag: "trusted-documents", Env: "TRUSTED_DOCUMENTS", Value: &o.Path, DefaultText: "none: every document runs",
			Usage: "file of the operations clients may run: an Apollo persisted query manifest, or relay-compiler's `persistConfig` map of id to text (told apart by content); reloaded on SIGHUP; see the README's [Trusted documents](#trusted-documents)"},
		settings.String{Flag: "trusted-documents-mode", Env: "TRUSTED_DOCUMENTS_MODE", Value: &o.Mode, Default: Enforce, Choices: []string{Enforce, Log},
			Usage: "with `-trusted-documents`: `enforce` runs listed operations alone (others get `PERSISTED_QUERY_NOT_IN_LIST` or `QUERY_NOT_IN_SAFELIST`, before any call); `log` runs everything and counts and logs, by sha256, what `enforce` would refuse"},
		settings.Bool{Flag: "trusted-documents-introspection", Env: "TRUSTED_DOCUMENTS_INTROSPECTION", On: &o.Introspection,
			Usage: "under `enforce`, also run documents that ask for introspection alone (`__schema`, `__type`, `__typename`), for GraphiQL and code generators; without it the playground is not served"},
	}
}
