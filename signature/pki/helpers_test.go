package pki

import "errors"

func asPathError(err error, pe **PathError) bool { return errors.As(err, pe) }
