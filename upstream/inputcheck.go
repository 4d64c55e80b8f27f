package upstream

import "strconv"

// MaxIDLength bounds ids: longer ones are refused before a URL is built.
const MaxIDLength = 256

// MaxIntegrationNameLength is the spec's maxLength for integrationName.
const MaxIntegrationNameLength = 100

// ValidateEntityID checks an id against the spec's EntityId pattern
// (^[a-zA-Z0-9_-]+$) and MaxIDLength.
func ValidateEntityID(id string) error {
	return validateToken(id, MaxIDLength)
}

// ValidateIntegrationName checks an integration name. The spec's own pattern
// for it also allows '.', which would let "." and ".." step out of the URL
// path, so names are held to the EntityId pattern, and to the spec's
// maxLength of 100.
func ValidateIntegrationName(name string) error {
	return validateToken(name, MaxIntegrationNameLength)
}

// InvalidIDError says why an id or name was refused.
type InvalidIDError struct{ Reason string }

func (e *InvalidIDError) Error() string { return e.Reason }

func validateToken(s string, maxLen int) error {
	if s == "" {
		return &InvalidIDError{"must not be empty"}
	}
	if len(s) > maxLen {
		return &InvalidIDError{"is longer than " + strconv.Itoa(maxLen) + " characters"}
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_' || c == '-') {
			return &InvalidIDError{"may hold only letters, digits, '_' and '-'"}
		}
	}
	return nil
}

func checkEntityID(op, param, id string) error {
	if err := ValidateEntityID(id); err != nil {
		return invalidArgument(op, param, err.Error())
	}
	return nil
}

func checkIntegrationName(op, name string) error {
	if err := ValidateIntegrationName(name); err != nil {
		return invalidArgument(op, "integrationName", err.Error())
	}
	return nil
}
