package tsp

import (
	"bytes"
	"crypto"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"fmt"
	"math/big"
	"time"

	"github.com/sigintake/sigintake/signature/algo"
	"github.com/sigintake/sigintake/signature/cms"
)

var (
	// ErrMalformed means the token or its TSTInfo cannot be decoded.
	ErrMalformed = errors.New("tsp: malformed time-stamp token")
	// ErrNotTimeStamp means the SignedData does not carry a TSTInfo.
	ErrNotTimeStamp = errors.New("tsp: not a time-stamp token")
	// ErrImprintMismatch means the message imprint does not match the
	// time-stamped data (DSS: timestamp message imprint not intact).
	ErrImprintMismatch = errors.New("tsp: message imprint does not match")
	// ErrNoSigningCertificateAttr means the token lacks the ESS
	// signing-certificate(-v2) attribute that RFC 3161 §2.4.1 requires.
	ErrNoSigningCertificateAttr = errors.New("tsp: ESS signing-certificate attribute missing")
)

// Accuracy is the TSTInfo accuracy (RFC 3161 §2.4.2).
type Accuracy struct {
	Seconds, Millis, Micros int
}

// Duration returns the accuracy as a duration.
func (a Accuracy) Duration() time.Duration {
	return time.Duration(a.Seconds)*time.Second + time.Duration(a.Millis)*time.Millisecond +
		time.Duration(a.Micros)*time.Microsecond
}

// MessageImprint is the hash of the time-stamped data.
type MessageImprint struct {
	HashAlgorithm pkix.AlgorithmIdentifier
	HashedMessage []byte
}

// TSTInfo is RFC 3161 §2.4.2 TSTInfo.
type TSTInfo struct {
	Version        int
	Policy         asn1.ObjectIdentifier
	MessageImprint MessageImprint
	SerialNumber   *big.Int
	GenTime        time.Time
	Accuracy       Accuracy
	Ordering       bool
	Nonce          *big.Int // nil when absent
	TSA            asn1.RawValue
	Extensions     []pkix.Extension
	Raw            []byte
}

// Token is a parsed time-stamp token.
type Token struct {
	Raw           []byte
	SignedData    *cms.SignedData
	Signer        *cms.SignerInfo
	Info          TSTInfo
	GenTime       time.Time
	Hash          crypto.Hash
	HashedMessage []byte
}

type accuracyASN1 struct {
	Seconds int `asn1:"optional"`
	Millis  int `asn1:"optional,tag:0"`
	Micros  int `asn1:"optional,tag:1"`
}

type tstInfoASN1 struct {
	Version        int
	Policy         asn1.ObjectIdentifier
	MessageImprint struct {
		HashAlgorithm pkix.AlgorithmIdentifier
		HashedMessage []byte
	}
	SerialNumber *big.Int
	GenTime      asn1.RawValue
	Accuracy     accuracyASN1     `asn1:"optional"`
	Ordering     bool             `asn1:"optional,default:false"`
	Nonce        *big.Int         `asn1:"optional"`
	TSA          asn1.RawValue    `asn1:"optional,explicit,tag:0"`
	Extensions   []pkix.Extension `asn1:"optional,tag:1"`
}

// Parse parses a DER/BER TimeStampToken (ContentInfo).
func Parse(der []byte) (*Token, error) {
	sd, err := cms.Parse(der)
	if err != nil {
		return nil, fmt.Errorf("tsp: %w", err)
	}
	if !sd.EContentType.Equal(cms.OIDTSTInfo) {
		return nil, fmt.Errorf("%w: eContentType %s", ErrNotTimeStamp, sd.EContentType)
	}
	if sd.Content == nil {
		return nil, fmt.Errorf("%w: TSTInfo not encapsulated", ErrMalformed)
	}
	if len(sd.SignerInfos) != 1 {
		return nil, fmt.Errorf("%w: %d SignerInfos, RFC 3161 §2.4.2 allows only the TSA's", ErrMalformed, len(sd.SignerInfos))
	}
	info, err := parseTSTInfo(sd.Content)
	if err != nil {
		return nil, err
	}
	h, err := algo.HashFromOID(info.MessageImprint.HashAlgorithm.Algorithm)
	if err != nil {
		return nil, fmt.Errorf("tsp: message imprint: %w", err)
	}
	if len(info.MessageImprint.HashedMessage) != h.Size() {
		return nil, fmt.Errorf("%w: %d-byte imprint for %v", ErrMalformed, len(info.MessageImprint.HashedMessage), h)
	}
	return &Token{
		Raw: sd.Raw, SignedData: sd, Signer: sd.SignerInfos[0], Info: *info,
		GenTime: info.GenTime, Hash: h, HashedMessage: info.MessageImprint.HashedMessage,
	}, nil
}

func parseTSTInfo(b []byte) (*TSTInfo, error) {
	var a tstInfoASN1
	rest, err := asn1.Unmarshal(b, &a)
	if err != nil {
		return nil, fmt.Errorf("%w: TSTInfo: %v", ErrMalformed, err)
	}
	if len(rest) != 0 {
		return nil, fmt.Errorf("%w: TSTInfo: trailing data", ErrMalformed)
	}
	if a.Version != 1 {
		return nil, fmt.Errorf("%w: TSTInfo version %d", ErrMalformed, a.Version)
	}
	if a.GenTime.Class != asn1.ClassUniversal || a.GenTime.Tag != asn1.TagGeneralizedTime || a.GenTime.IsCompound {
		return nil, fmt.Errorf("%w: genTime is not a GeneralizedTime", ErrMalformed)
	}
	gt, err := parseGenTime(string(a.GenTime.Bytes))
	if err != nil {
		return nil, err
	}
	if a.Accuracy.Millis < 0 || a.Accuracy.Millis > 999 || a.Accuracy.Micros < 0 || a.Accuracy.Micros > 999 || a.Accuracy.Seconds < 0 {
		return nil, fmt.Errorf("%w: accuracy out of range", ErrMalformed)
	}
	return &TSTInfo{
		Version: a.Version, Policy: a.Policy,
		MessageImprint: MessageImprint{HashAlgorithm: a.MessageImprint.HashAlgorithm, HashedMessage: a.MessageImprint.HashedMessage},
		SerialNumber:   a.SerialNumber, GenTime: gt,
		Accuracy: Accuracy{a.Accuracy.Seconds, a.Accuracy.Millis, a.Accuracy.Micros},
		Ordering: a.Ordering, Nonce: a.Nonce, TSA: a.TSA, Extensions: a.Extensions, Raw: b,
	}, nil
}

// parseGenTime reads YYYYMMDDhhmmss[.s...]Z (RFC 3161 §2.4.2: UTC, "Z",
// no trailing zeros in fractions — tolerated here).
func parseGenTime(s string) (time.Time, error) {
	for _, layout := range []string{"20060102150405Z", "20060102150405.999999999Z"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("%w: genTime %q", ErrMalformed, s)
}

// MatchesImprint checks that the imprint is the hash of data. For a
// signature time-stamp data is the SignerInfo's signature value (RFC 3161
// Appendix A).
func (t *Token) MatchesImprint(data []byte) error {
	d, err := algo.Digest(t.Hash, data)
	if err != nil {
		return err
	}
	return t.MatchesDigest(d)
}

// MatchesDigest compares the imprint with a precomputed digest made with
// t.Hash.
func (t *Token) MatchesDigest(digest []byte) error {
	if !bytes.Equal(digest, t.HashedMessage) {
		return fmt.Errorf("%w: token %x, data %x", ErrImprintMismatch, t.HashedMessage, digest)
	}
	return nil
}

// SignerCertificate returns the TSA certificate from the token's
// certificates or extra (cms.ErrNoSigningCertificate when absent).
func (t *Token) SignerCertificate(extra [][]byte) ([]byte, error) {
	return t.SignedData.SignerCertificate(t.Signer, extra)
}

// VerifySignature checks the TSA signature over the TSTInfo with the TSA's
// public key (RFC 5652 §5.4, §5.6 through cms.SignerInfo.Verify).
func (t *Token) VerifySignature(pub crypto.PublicKey) error {
	if err := t.Signer.Verify(pub, t.SignedData.EContentType, t.SignedData.Content); err != nil {
		return fmt.Errorf("tsp: %w", err)
	}
	return nil
}

// CheckSigningCertificate checks that the ESS signing-certificate(-v2)
// attribute is present and identifies certDER (RFC 3161 §2.4.1,
// RFC 5816 §2.2.1).
func (t *Token) CheckSigningCertificate(certDER []byte) error {
	ess, err := t.Signer.SigningCertificate()
	if err != nil {
		return fmt.Errorf("tsp: %w", err)
	}
	if ess == nil {
		return ErrNoSigningCertificateAttr
	}
	if err := ess.Matches(certDER); err != nil {
		return fmt.Errorf("tsp: %w", err)
	}
	return nil
}
