package pki

import (
	"bytes"
	"crypto"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"fmt"
	"math/big"
	"sync"
	"time"

	"github.com/sigintake/sigintake/signature/algo"
)

// MaxCertificateSize bounds the DER of one certificate (RFC 5280 puts no
// limit; real qualified certificates are below 8 KiB).
const MaxCertificateSize = 64 << 10

// Sentinel errors.
var (
	ErrParse     = errors.New("pki: malformed certificate")
	ErrSignature = errors.New("pki: certificate signature invalid")
	ErrName      = errors.New("pki: issuer name does not match")
	ErrKeyUsage  = errors.New("pki: key usage does not allow this use")
)

// Certificate is an X.509 certificate as crypto/x509 parses it, plus what the
// signature packages need that x509 does not give: the public key parsed by
// signature/algo (brainpool, RSA-PSS, negative RSA moduli), the SHA-256 of the
// DER, the QCStatements (EN 319 412-5) and, when crypto/x509 refused the
// certificate, the reason in Fallback.
//
// When Fallback is not empty, the embedded *x509.Certificate was filled by our
// own encoding/asn1 parser over the original TBSCertificate and holds the
// fields listed in the package documentation; the others are zero.
type Certificate struct {
	*x509.Certificate
	Key      crypto.PublicKey
	SHA256   [32]byte
	Fallback string
	QC       QCStatements

	sigAlg     pkix.AlgorithmIdentifier // outer signatureAlgorithm
	tbsSigAlg  pkix.AlgorithmIdentifier // TBSCertificate.signature
	keyErr     error                    // why Key is nil
	nameConstr bool                     // has a nameConstraints extension

	sigChecks *sync.Map // parent SHA-256 -> error (nil when the signature verifies)
}

// outer structure of a certificate (RFC 5280 §4.1).
type certificateASN1 struct {
	TBS       asn1.RawValue
	SigAlg    pkix.AlgorithmIdentifier
	Signature asn1.BitString
}

type tbsASN1 struct {
	Raw          asn1.RawContent
	Version      int `asn1:"optional,explicit,default:0,tag:0"`
	SerialNumber *big.Int
	SigAlg       pkix.AlgorithmIdentifier
	Issuer       asn1.RawValue
	Validity     validityASN1
	Subject      asn1.RawValue
	SPKI         asn1.RawValue
	IssuerUID    asn1.BitString   `asn1:"optional,tag:1"`
	SubjectUID   asn1.BitString   `asn1:"optional,tag:2"`
	Extensions   []pkix.Extension `asn1:"optional,explicit,tag:3"`
}

type validityASN1 struct {
	NotBefore, NotAfter time.Time
}

type spkiASN1 struct {
	Algorithm pkix.AlgorithmIdentifier
	PublicKey asn1.BitString
}

// ParseCertificate parses one DER certificate. It first uses crypto/x509;
// when that refuses the certificate it falls back to a parser of its own
// (see package documentation) and records the reason in Fallback. The
// signature is never checked here: see CheckSignatureFrom.
//
// Parsed certificates are immutable and kept in a bounded cache by the
// SHA-256 of their DER, so that the certificates every signature of a CA
// carries are parsed (and their issuers' signatures checked) once.
func ParseCertificate(der []byte) (*Certificate, error) {
	if len(der) == 0 || len(der) > MaxCertificateSize {
		return nil, fmt.Errorf("%w: size %d out of bounds", ErrParse, len(der))
	}
	sum := sha256.Sum256(der)
	if c := parsed.get(sum); c != nil {
		return c, nil
	}
	c, err := parseCertificate(bytes.Clone(der), sum)
	if err != nil {
		return nil, err
	}
	parsed.put(sum, c)
	return c, nil
}

func parseCertificate(der []byte, sum [32]byte) (*Certificate, error) {
	var outer certificateASN1
	rest, err := asn1.Unmarshal(der, &outer)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrParse, err)
	}
	if len(rest) != 0 {
		return nil, fmt.Errorf("%w: trailing data after certificate", ErrParse)
	}
	var tbs tbsASN1
	if rest, err := asn1.Unmarshal(outer.TBS.FullBytes, &tbs); err != nil {
		return nil, fmt.Errorf("%w: TBSCertificate: %v", ErrParse, err)
	} else if len(rest) != 0 {
		return nil, fmt.Errorf("%w: trailing data after TBSCertificate", ErrParse)
	}
	c := &Certificate{sigAlg: outer.SigAlg, tbsSigAlg: tbs.SigAlg, SHA256: sum, sigChecks: new(sync.Map)}
	xc, xerr := x509.ParseCertificate(der)
	if xerr != nil {
		xc, err = parseFallback(der, &outer, &tbs)
		if err != nil {
			return nil, fmt.Errorf("%w: crypto/x509: %v; fallback: %v", ErrParse, xerr, err)
		}
		c.Fallback = xerr.Error()
	}
	c.Certificate = xc
	if key, err := algo.ParsePublicKey(xc.RawSubjectPublicKeyInfo); err != nil {
		c.keyErr = err
	} else {
		c.Key = key
		xc.PublicKey = c.Key // the fallback leaves it nil; x509's may be nil for brainpool
	}
	for _, e := range xc.Extensions {
		switch {
		case e.Id.Equal(oidExtQCStatements):
			qc, err := parseQCStatements(e.Value)
			if err != nil {
				// A malformed extension claims nothing: the certificate
				// is still usable, but not as a qualified one.
				qc = QCStatements{Present: true, Malformed: err.Error()}
			}
			c.QC = qc
		case e.Id.Equal(oidExtNameConstraints):
			c.nameConstr = true
		}
	}
	return c, nil
}

// KeyError reports why Key is nil (unsupported or malformed public key).
func (c *Certificate) KeyError() error { return c.keyErr }

// SignatureAlgorithmID is the certificate's outer signatureAlgorithm as
// encoded, for signature/algo.
func (c *Certificate) SignatureAlgorithmID() pkix.AlgorithmIdentifier { return c.sigAlg }

// Equal reports whether two certificates have the same DER.
func (c *Certificate) Equal(o *Certificate) bool {
	return c != nil && o != nil && c.SHA256 == o.SHA256
}

// SameKeyAndSubject reports whether two certificates share subject and
// public key (a re-issued or cross certificate of the same entity).
func (c *Certificate) SameKeyAndSubject(o *Certificate) bool {
	return bytes.Equal(c.RawSubjectPublicKeyInfo, o.RawSubjectPublicKeyInfo) && namesEqual(c.RawSubject, o.RawSubject)
}

// CheckSignatureFrom verifies that parent issued c: the names chain
// (RFC 5280 §6.1.3 (a)(4)), the inner and outer signature algorithms agree
// (§4.1.1.2) and c.Signature verifies over the original c.RawTBSCertificate
// with parent.Key (signature/algo: RSA PKCS#1 v1.5 and PSS, ECDSA incl.
// brainpool, Ed25519, SHA-2 and SHA-3). It does not look at validity,
// basic constraints or key usage: path building does.
//
// The outcome is remembered per parent key, so a certificate shared by many
// signatures is checked once.
func (c *Certificate) CheckSignatureFrom(parent *Certificate) error {
	if c.sigChecks == nil {
		return c.checkSignatureFrom(parent)
	}
	if v, ok := c.sigChecks.Load(parent.SHA256); ok {
		if v == nil {
			return nil
		}
		return v.(error)
	}
	err := c.checkSignatureFrom(parent)
	c.sigChecks.Store(parent.SHA256, err)
	return err
}

func (c *Certificate) checkSignatureFrom(parent *Certificate) error {
	if !namesEqual(c.RawIssuer, parent.RawSubject) {
		return fmt.Errorf("%w: issuer %q, candidate subject %q", ErrName, c.IssuerString(), parent.SubjectString())
	}
	if !c.sigAlg.Algorithm.Equal(c.tbsSigAlg.Algorithm) || !bytes.Equal(c.sigAlg.Parameters.FullBytes, c.tbsSigAlg.Parameters.FullBytes) {
		if !c.sigAlg.Algorithm.Equal(c.tbsSigAlg.Algorithm) || !nullOrAbsentEqual(c.sigAlg.Parameters, c.tbsSigAlg.Parameters) {
			return fmt.Errorf("%w: signatureAlgorithm differs from TBSCertificate.signature", ErrSignature)
		}
	}
	if parent.Key == nil {
		return fmt.Errorf("%w: issuer key unusable: %w", ErrSignature, parent.keyErr)
	}
	return VerifySignature(parent.Key, c.sigAlg, c.RawTBSCertificate, c.Signature)
}

var oidECDSAPrefix = asn1.ObjectIdentifier{1, 2, 840, 10045, 4}

// VerifySignature verifies sig over message with pub for an X.509-style
// signatureAlgorithm (certificates, CRLs, OCSP responses) using
// signature/algo. ECDSA identifiers carrying NULL parameters, which
// RFC 5758 §3.2 forbids but real CAs (TeleSec) issue, are read as absent.
func VerifySignature(pub crypto.PublicKey, sigAlg pkix.AlgorithmIdentifier, message, sig []byte) error {
	if pub == nil {
		return fmt.Errorf("%w: no usable public key", ErrSignature)
	}
	if len(sigAlg.Algorithm) > len(oidECDSAPrefix) && sigAlg.Algorithm[:len(oidECDSAPrefix)].Equal(oidECDSAPrefix) &&
		bytes.Equal(sigAlg.Parameters.FullBytes, asn1.NullBytes) {
		sigAlg.Parameters = asn1.RawValue{}
	}
	s, err := algo.ParseAlgorithm(sigAlg, nil)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrSignature, err)
	}
	if err := algo.Verify(pub, s, message, sig); err != nil {
		return fmt.Errorf("%w: %w", ErrSignature, err)
	}
	return nil
}

// nullOrAbsentEqual treats an absent parameter and NULL as equal, as
// several real CAs mix the two between the inner and outer identifier.
func nullOrAbsentEqual(a, b asn1.RawValue) bool {
	isNull := func(v asn1.RawValue) bool {
		return len(v.FullBytes) == 0 || bytes.Equal(v.FullBytes, asn1.NullBytes)
	}
	return isNull(a) && isNull(b)
}
