package pki

import (
	"encoding/pem"
	"errors"
	"fmt"
)

// ParsePEM parses every CERTIFICATE block of PEM data; data without any PEM
// block is tried as one DER certificate.
func ParsePEM(data []byte) ([]*Certificate, error) {
	var out []*Certificate
	rest := data
	for {
		var b *pem.Block
		b, rest = pem.Decode(rest)
		if b == nil {
			break
		}
		if b.Type != "CERTIFICATE" && b.Type != "TRUSTED CERTIFICATE" {
			continue
		}
		c, err := ParseCertificate(b.Bytes)
		if err != nil {
			return nil, fmt.Errorf("certificate %d: %w", len(out)+1, err)
		}
		out = append(out, c)
	}
	if len(out) > 0 {
		return out, nil
	}
	c, err := ParseCertificate(data)
	if err != nil {
		return nil, errors.New("pki: no PEM certificate and not a DER certificate")
	}
	return []*Certificate{c}, nil
}
