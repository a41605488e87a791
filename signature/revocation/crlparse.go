package revocation

import (
	"bytes"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"fmt"
	"math/big"
	"time"
)

// A CRL of a national CA holds hundreds of thousands of entries; parsing
// each into a struct (crypto/x509.ParseRevocationList) costs about 1 KiB
// of garbage per entry. crlTBS reads the header with encoding/asn1 and
// walks revokedCertificates in place, decoding only the entry that
// matches.

// crlTBS is a parsed TBSCertList (RFC 5280 §5.1.2), entries left raw.
type crlTBS struct {
	alg        pkix.AlgorithmIdentifier
	rawIssuer  []byte
	thisUpdate time.Time
	nextUpdate time.Time
	revoked    []byte // contents of revokedCertificates, possibly empty
	extensions []pkix.Extension
}

type tbsCertListASN1 struct {
	Raw        asn1.RawContent
	Version    int `asn1:"optional"`
	Alg        pkix.AlgorithmIdentifier
	Issuer     asn1.RawValue
	ThisUpdate time.Time
	NextUpdate time.Time     `asn1:"optional"`
	Rest       asn1.RawValue `asn1:"optional"` // revokedCertificates or [0] crlExtensions
	Ext        asn1.RawValue `asn1:"optional,explicit,tag:0"`
}

var errTLV = errors.New("bad DER element")

// readTLV splits one DER element off b: its identifier octet, contents and
// the rest. Only single-octet tags (all RFC 5280 uses) are accepted.
func readTLV(b []byte) (tag byte, content, rest []byte, err error) {
	if len(b) < 2 || b[0]&0x1f == 0x1f {
		return 0, nil, nil, errTLV
	}
	tag = b[0]
	n := int(b[1])
	b = b[2:]
	if n&0x80 != 0 {
		k := n & 0x7f
		if k == 0 || k > 4 || len(b) < k || b[0] == 0 {
			return 0, nil, nil, errTLV
		}
		n = 0
		for _, c := range b[:k] {
			n = n<<8 | int(c)
		}
		if n < 0x80 {
			return 0, nil, nil, errTLV
		}
		b = b[k:]
	}
	if n < 0 || n > len(b) {
		return 0, nil, nil, errTLV
	}
	return tag, b[:n], b[n:], nil
}

func parseCRLTBS(tbs []byte) (*crlTBS, error) {
	var t tbsCertListASN1
	if rest, err := asn1.Unmarshal(tbs, &t); err != nil || len(rest) != 0 {
		return nil, fmt.Errorf("%w: TBSCertList: %v", ErrMalformed, err)
	}
	if t.Version != 0 && t.Version != 1 {
		return nil, fmt.Errorf("%w: CRL version %d", ErrMalformed, t.Version)
	}
	out := &crlTBS{alg: t.Alg, rawIssuer: t.Issuer.FullBytes, thisUpdate: t.ThisUpdate, nextUpdate: t.NextUpdate}
	ext := t.Ext
	switch {
	case len(t.Rest.FullBytes) == 0:
	case t.Rest.Class == asn1.ClassUniversal && t.Rest.Tag == asn1.TagSequence && t.Rest.IsCompound:
		out.revoked = t.Rest.Bytes
	case t.Rest.Class == asn1.ClassContextSpecific && t.Rest.Tag == 0 && len(ext.FullBytes) == 0:
		ext = t.Rest // no revokedCertificates: the optional RawValue took the extensions
	default:
		return nil, fmt.Errorf("%w: TBSCertList: unexpected element", ErrMalformed)
	}
	if len(ext.FullBytes) > 0 {
		if rest, err := asn1.Unmarshal(ext.Bytes, &out.extensions); err != nil || len(rest) != 0 {
			return nil, fmt.Errorf("%w: crlExtensions: %v", ErrMalformed, err)
		}
	}
	if out.thisUpdate.IsZero() {
		return nil, fmt.Errorf("%w: CRL without thisUpdate", ErrMalformed)
	}
	return out, nil
}

// minimalInt strips redundant leading octets of a two's-complement
// INTEGER so that equal numbers have equal bytes.
func minimalInt(b []byte) []byte {
	for len(b) > 1 && (b[0] == 0 && b[1]&0x80 == 0 || b[0] == 0xff && b[1]&0x80 != 0) {
		b = b[1:]
	}
	return b
}

// intBytes is the two's-complement content octets of n, as DER writes them.
func intBytes(n *big.Int) []byte {
	der, err := asn1.Marshal(n)
	if err != nil {
		return nil
	}
	_, c, _, err := readTLV(der)
	if err != nil {
		return nil
	}
	return c
}

var (
	derEntryCertIssuer = mustOID(oidEntryCertIssuer)
	derEntryReason     = mustOID(oidEntryReason)
	derEntryInvalidity = mustOID(oidEntryInvalidity)
)

func mustOID(o asn1.ObjectIdentifier) []byte {
	der, err := asn1.Marshal(o)
	if err != nil {
		panic(err)
	}
	_, c, _, _ := readTLV(der)
	return c
}

// crlEntry is the decoded entry for the certificate looked up.
type crlEntry struct {
	revokedAt time.Time
	reason    int // -1 when absent
}

// findEntry walks revokedCertificates (RFC 5280 §5.1.2.6) once: every
// entry's extensions are checked (certificateIssuer means an indirect CRL,
// an unknown critical extension cannot be processed: both ErrUnsupported),
// and the entry whose userCertificate equals serial is decoded.
func findEntry(revoked []byte, serial *big.Int) (*crlEntry, error) {
	want := minimalInt(intBytes(serial))
	var found *crlEntry
	for n := 0; len(revoked) > 0; n++ {
		tag, entry, rest, err := readTLV(revoked)
		if err != nil || tag != 0x30 {
			return nil, fmt.Errorf("%w: CRL entry %d", ErrMalformed, n)
		}
		revoked = rest
		tag, ser, entry, err := readTLV(entry)
		if err != nil || tag != 0x02 || len(ser) == 0 {
			return nil, fmt.Errorf("%w: CRL entry %d serial", ErrMalformed, n)
		}
		tag, _, _, err = readTLV(entry)
		if err != nil || (tag != 0x17 && tag != 0x18) {
			return nil, fmt.Errorf("%w: CRL entry %d revocationDate", ErrMalformed, n)
		}
		dateTLV := entry
		_, _, extPart, _ := readTLV(entry)
		reason := -1
		if len(extPart) > 0 {
			tag, exts, tail, err := readTLV(extPart)
			if err != nil || tag != 0x30 || len(tail) != 0 {
				return nil, fmt.Errorf("%w: CRL entry %d extensions", ErrMalformed, n)
			}
			for len(exts) > 0 {
				tag, ext, r, err := readTLV(exts)
				if err != nil || tag != 0x30 {
					return nil, fmt.Errorf("%w: CRL entry %d extension", ErrMalformed, n)
				}
				exts = r
				tag, oid, ext, err := readTLV(ext)
				if err != nil || tag != 0x06 {
					return nil, fmt.Errorf("%w: CRL entry %d extension id", ErrMalformed, n)
				}
				critical := false
				if len(ext) > 0 && ext[0] == 0x01 {
					var c []byte
					if _, c, ext, err = readTLV(ext); err != nil || len(c) != 1 {
						return nil, fmt.Errorf("%w: CRL entry %d extension critical", ErrMalformed, n)
					}
					critical = c[0] != 0
				}
				tag, val, tail, err := readTLV(ext)
				if err != nil || tag != 0x04 || len(tail) != 0 {
					return nil, fmt.Errorf("%w: CRL entry %d extension value", ErrMalformed, n)
				}
				switch {
				case bytes.Equal(oid, derEntryCertIssuer):
					return nil, fmt.Errorf("%w: CRL entry with certificateIssuer (indirect CRL)", ErrUnsupported)
				case bytes.Equal(oid, derEntryReason):
					// CRLReason ::= ENUMERATED, 0..10 without 7 (§5.3.1)
					tag, e, tail, err := readTLV(val)
					if err != nil || tag != 0x0a || len(e) != 1 || len(tail) != 0 || e[0] > 10 || e[0] == 7 {
						return nil, fmt.Errorf("%w: CRL entry %d reasonCode", ErrMalformed, n)
					}
					reason = int(e[0])
				case bytes.Equal(oid, derEntryInvalidity):
				default:
					if critical {
						return nil, fmt.Errorf("%w: unknown critical CRL entry extension %x", ErrUnsupported, oid)
					}
				}
			}
		}
		if found != nil || !bytes.Equal(minimalInt(ser), want) {
			continue
		}
		var at time.Time
		if _, err := asn1.Unmarshal(dateTLV, &at); err != nil {
			return nil, fmt.Errorf("%w: CRL entry %d revocationDate: %v", ErrMalformed, n, err)
		}
		found = &crlEntry{revokedAt: at, reason: reason}
	}
	return found, nil
}
