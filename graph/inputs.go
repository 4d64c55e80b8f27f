package graph

import "github.com/gitbook-graphql/facade/upstream"

// Arguments are checked before they become a URL, with upstream's own
// rules (the spec's patterns and lengths), and refused as BAD_USER_INPUT.

func checkID(arg, id string) error {
	if err := upstream.ValidateEntityID(id); err != nil {
		return &inputError{arg: arg, reason: err.Error()}
	}
	return nil
}

func checkIntegrationName(arg, name string) error {
	if err := upstream.ValidateIntegrationName(name); err != nil {
		return &inputError{arg: arg, reason: err.Error()}
	}
	return nil
}

func checkInstallationArgs(integration, installation, space string) error {
	if err := checkIntegrationName("integration", integration); err != nil {
		return err
	}
	if err := checkID("installation", installation); err != nil {
		return err
	}
	return checkID("space", space)
}
