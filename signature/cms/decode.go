package cms

import (
	"bytes"
	"encoding/base64"
	"encoding/pem"
	"fmt"
)

// Decode returns DER/BER bytes from data that is DER/BER already, PEM
// (any "-----BEGIN ...-----" label: PKCS7, CMS, SIGNED MESSAGE...) or bare
// base64 with whitespace. The result starts with a SEQUENCE tag.
func Decode(data []byte) ([]byte, error) {
	if len(data) > DefaultLimits.MaxSize*2 {
		return nil, fmt.Errorf("%w: input of %d bytes", ErrLimit, len(data))
	}
	if len(data) > 0 && data[0] == 0x30 {
		return data, nil
	}
	trimmed := bytes.TrimSpace(data)
	if bytes.HasPrefix(trimmed, []byte("-----BEGIN")) || bytes.Contains(data, []byte("\n-----BEGIN")) {
		blk, _ := pem.Decode(trimmed)
		if blk == nil {
			if i := bytes.Index(data, []byte("-----BEGIN")); i >= 0 {
				blk, _ = pem.Decode(data[i:])
			}
		}
		if blk == nil {
			return nil, fmt.Errorf("%w: PEM block not readable", ErrMalformed)
		}
		return checkSequence(blk.Bytes)
	}
	clean := make([]byte, 0, len(trimmed))
	for _, c := range trimmed {
		switch c {
		case ' ', '\t', '\r', '\n', '\v', '\f':
		default:
			clean = append(clean, c)
		}
	}
	if len(clean) == 0 {
		return nil, fmt.Errorf("%w: empty input", ErrMalformed)
	}
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if out, err := enc.DecodeString(string(clean)); err == nil {
			return checkSequence(out)
		}
	}
	return nil, fmt.Errorf("%w: neither BER, PEM nor base64", ErrMalformed)
}

func checkSequence(b []byte) ([]byte, error) {
	if len(b) == 0 || b[0] != 0x30 {
		return nil, fmt.Errorf("%w: decoded data is not a SEQUENCE", ErrMalformed)
	}
	return b, nil
}
