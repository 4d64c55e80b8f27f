package gitbooksim

// GitBook adds enum values and properties without notice. Drift answers as
// a GitBook newer than every spec the facade knows would: each property
// below that holds an enum gets a value no version lists (lists gain it
// beside their values), and every object gains a property no version has.

// DriftProperty is the property Drift adds to every object.
const DriftProperty = "futureProperty"

// DriftValues are the enum-valued properties Drift changes, and the value it
// gives them: for a list, the value it appends.
var DriftValues = map[string]string{
	"scopes":     "future:scope",
	"categories": "future-category",
	"visibility": "members-only",
	"target":     "future-target",
	"plan":       "future_2030",
}

// maps are properties whose objects are maps, keyed by data rather than by
// property names: a new key there would be a new entry, not a new property.
var mapProperties = map[string]bool{"contentSecurityPolicy": true, "usageAddons": true, "configuration": true, "properties": true}

// Drift is a fault that lets the call through and rewrites its answer so.
func Drift() Fault { return Fault{Rewrite: drift} }

func drift(v any) any {
	switch v := v.(type) {
	case map[string]any:
		for k, e := range v {
			value, ok := DriftValues[k]
			switch list, isList := e.([]any); {
			case ok && isList:
				v[k] = append(list, value)
			case ok:
				if _, isString := e.(string); isString {
					v[k] = value
				}
			case mapProperties[k]:
			default:
				v[k] = drift(e)
			}
		}
		v[DriftProperty] = map[string]any{"since": "a version the facade does not know", "values": []any{1, "two"}}
		return v
	case []any:
		for i, e := range v {
			v[i] = drift(e)
		}
	}
	return v
}
