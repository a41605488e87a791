package cms

import (
	"bytes"
	"crypto"
	"crypto/x509/pkix"
	"fmt"
	"math/big"

	"github.com/sigintake/sigintake/signature/algo"
)

// ESSCertID is an ESSCertID (RFC 2634 §5.4.1, SHA-1) or ESSCertIDv2
// (RFC 5035 §4, hash default SHA-256).
type ESSCertID struct {
	HashAlgorithm pkix.AlgorithmIdentifier
	Hash          crypto.Hash // 0 when the algorithm is unknown
	CertHash      []byte
	// IssuerSerial, when present: the directoryName entries of the
	// GeneralNames (raw Name elements) and the serial number.
	HasIssuerSerial bool
	IssuerNames     [][]byte
	Serial          *big.Int
}

// ESSCertIDs is a signing-certificate or signing-certificate-v2 attribute.
type ESSCertIDs struct {
	V2    bool
	Certs []ESSCertID
}

// SigningCertificate returns the ESS signing-certificate-v2 attribute, or
// else the v1 one; nil, nil when neither is present. Both present is
// accepted (v2 is returned).
func (si *SignerInfo) SigningCertificate() (*ESSCertIDs, error) {
	for _, v2 := range []bool{true, false} {
		t, name := OIDAttrSigningCertificate, "signing-certificate"
		if v2 {
			t, name = OIDAttrSigningCertificateV2, "signing-certificate-v2"
		}
		if !HasAttribute(si.SignedAttrs, t) {
			continue
		}
		v, err := si.singleSigned(t, name)
		if err != nil {
			return nil, err
		}
		n, err := parseBER(v.FullBytes, DefaultLimits)
		if err != nil {
			return nil, err
		}
		return parseESS(n, v2)
	}
	return nil, nil
}

func parseESS(n *node, v2 bool) (*ESSCertIDs, error) {
	if err := expectSeq(n, "SigningCertificate"); err != nil {
		return nil, err
	}
	if len(n.kids) < 1 {
		return nil, fmt.Errorf("%w: SigningCertificate without certs", ErrMalformed)
	}
	if err := expectSeq(n.kids[0], "SigningCertificate.certs"); err != nil {
		return nil, err
	}
	out := &ESSCertIDs{V2: v2}
	for _, c := range n.kids[0].kids {
		if err := expectSeq(c, "ESSCertID"); err != nil {
			return nil, err
		}
		id := ESSCertID{Hash: crypto.SHA1, HashAlgorithm: pkix.AlgorithmIdentifier{Algorithm: algo.OIDSHA1}}
		k := c.kids
		if v2 {
			id.Hash = crypto.SHA256
			id.HashAlgorithm = pkix.AlgorithmIdentifier{Algorithm: algo.OIDSHA256}
			if len(k) > 0 && k[0].universal(tagSequence) {
				a, err := parseAlgID(k[0], "ESSCertIDv2.hashAlgorithm")
				if err != nil {
					return nil, err
				}
				id.HashAlgorithm = a
				h, err := algo.HashFromOID(a.Algorithm)
				if err != nil {
					h = 0
				}
				id.Hash = h
				k = k[1:]
			}
		}
		if len(k) < 1 || !k[0].universal(tagOctetString) {
			return nil, fmt.Errorf("%w: ESSCertID.certHash", ErrMalformed)
		}
		var err error
		if id.CertHash, err = k[0].octets(); err != nil {
			return nil, err
		}
		if len(k) > 1 {
			is := k[1]
			if err := expectSeq(is, "IssuerSerial"); err != nil {
				return nil, err
			}
			if len(is.kids) < 2 || !is.kids[0].universal(tagSequence) {
				return nil, fmt.Errorf("%w: IssuerSerial", ErrMalformed)
			}
			id.HasIssuerSerial = true
			for _, gn := range is.kids[0].kids {
				if gn.context(4) && len(gn.kids) == 1 { // directoryName [4] EXPLICIT Name
					id.IssuerNames = append(id.IssuerNames, gn.kids[0].full)
				}
			}
			if id.Serial, err = parseInteger(is.kids[1], "IssuerSerial.serialNumber"); err != nil {
				return nil, err
			}
		}
		out.Certs = append(out.Certs, id)
	}
	if len(out.Certs) == 0 {
		return nil, fmt.Errorf("%w: SigningCertificate with no ESSCertID", ErrMalformed)
	}
	return out, nil
}

// Matches checks that the first ESSCertID (the signer's, RFC 5035 §5.4)
// references certDER: certHash equal and, when IssuerSerial is present,
// issuer and serial equal. It returns ErrSigningCertificateMismatch
// otherwise.
func (e *ESSCertIDs) Matches(certDER []byte) error {
	if e == nil || len(e.Certs) == 0 {
		return fmt.Errorf("%w: no ESSCertID", ErrSigningCertificateMismatch)
	}
	id := e.Certs[0]
	if id.Hash == 0 {
		return fmt.Errorf("%w: ESS hash algorithm %s", algo.ErrUnsupported, id.HashAlgorithm.Algorithm)
	}
	d, err := algo.Digest(id.Hash, certDER)
	if err != nil {
		return err
	}
	if !bytes.Equal(d, id.CertHash) {
		return fmt.Errorf("%w: certHash differs", ErrSigningCertificateMismatch)
	}
	if id.HasIssuerSerial {
		issuer, serial, _, err := CertificateID(certDER)
		if err != nil {
			return err
		}
		if serial.Cmp(id.Serial) != 0 {
			return fmt.Errorf("%w: serial differs", ErrSigningCertificateMismatch)
		}
		ok := false
		for _, n := range id.IssuerNames {
			ok = ok || NamesEqual(n, issuer)
		}
		if !ok {
			return fmt.Errorf("%w: issuer differs", ErrSigningCertificateMismatch)
		}
	}
	return nil
}
