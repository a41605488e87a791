package revocation

import (
	"bytes"
	"crypto"
	"crypto/x509/pkix"
	"encoding/asn1"
	"fmt"
	"math/big"
	"time"

	"github.com/sigintake/sigintake/signature/algo"
	"github.com/sigintake/sigintake/signature/pki"
)

// MaxOCSPSize bounds an OCSP response.
const MaxOCSPSize = 1 << 20

var (
	oidOCSPBasic = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 48, 1, 1}
	oidOCSPNonce = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 48, 1, 2}
)

// RFC 6960 §4.2.1 structures.
type ocspResponseASN1 struct {
	Status   asn1.Enumerated
	Response responseBytesASN1 `asn1:"explicit,tag:0,optional"`
}

type responseBytesASN1 struct {
	Type     asn1.ObjectIdentifier
	Response []byte
}

type basicResponseASN1 struct {
	TBS       asn1.RawValue
	SigAlg    pkix.AlgorithmIdentifier
	Signature asn1.BitString
	Certs     []asn1.RawValue `asn1:"explicit,tag:0,optional"`
}

type responseDataASN1 struct {
	Version     int `asn1:"optional,explicit,default:0,tag:0"`
	ResponderID asn1.RawValue
	ProducedAt  time.Time `asn1:"generalized"`
	Responses   []singleResponseASN1
	Extensions  []pkix.Extension `asn1:"explicit,tag:1,optional"`
}

type certIDASN1 struct {
	HashAlg        pkix.AlgorithmIdentifier
	IssuerNameHash []byte
	IssuerKeyHash  []byte
	Serial         *big.Int
}

type singleResponseASN1 struct {
	CertID     certIDASN1
	Status     asn1.RawValue
	ThisUpdate time.Time        `asn1:"generalized"`
	NextUpdate time.Time        `asn1:"generalized,explicit,tag:0,optional"`
	Extensions []pkix.Extension `asn1:"explicit,tag:1,optional"`
}

type revokedInfoASN1 struct {
	Time   time.Time       `asn1:"generalized"`
	Reason asn1.Enumerated `asn1:"explicit,tag:0,optional,default:-1"`
}

// OCSPResponse is a parsed (not yet verified) BasicOCSPResponse.
type OCSPResponse struct {
	Raw         []byte // as passed to ParseOCSP
	TBS         []byte // tbsResponseData, the signed bytes
	SigAlg      pkix.AlgorithmIdentifier
	Signature   []byte
	Certs       []*pki.Certificate
	ResponderID asn1.RawValue // [1] Name or [2] KeyHash
	ProducedAt  time.Time
	Nonce       []byte

	responses []singleResponseASN1
}

// OCSPStatusError reports an OCSPResponse whose responseStatus is not
// successful (RFC 6960 §4.2.1).
type OCSPStatusError struct{ Status int }

func (e *OCSPStatusError) Error() string {
	names := map[int]string{1: "malformedRequest", 2: "internalError", 3: "tryLater", 5: "sigRequired", 6: "unauthorized"}
	n, ok := names[e.Status]
	if !ok {
		n = fmt.Sprintf("status %d", e.Status)
	}
	return "revocation: OCSP responder answered " + n
}

// Is classifies: tryLater and internalError are temporary
// (ErrUnavailable); malformedRequest, sigRequired and unauthorized reject
// our request (ErrRejected); any other value is ErrMalformed.
func (e *OCSPStatusError) Is(target error) bool {
	switch e.Status {
	case 3:
		return target == ErrTryLater || target == ErrUnavailable
	case 2:
		return target == ErrUnavailable
	case 1, 5, 6:
		return target == ErrRejected
	}
	return target == ErrMalformed
}

// ParseOCSP parses an OCSPResponse, or a bare BasicOCSPResponse as CAdES
// RevocationValues, XAdES EncapsulatedOCSPValue and the PAdES DSS hold.
// The signature is not checked.
func ParseOCSP(der []byte) (*OCSPResponse, error) {
	if len(der) == 0 || len(der) > MaxOCSPSize {
		return nil, fmt.Errorf("%w: OCSP size %d out of bounds", ErrMalformed, len(der))
	}
	// Tell the two forms apart by the first element inside the outer
	// SEQUENCE: an OCSPResponse starts with the responseStatus ENUMERATED,
	// a BasicOCSPResponse with the tbsResponseData SEQUENCE.
	var seq asn1.RawValue
	if rest, err := asn1.Unmarshal(der, &seq); err != nil || len(rest) != 0 || seq.Class != asn1.ClassUniversal || seq.Tag != asn1.TagSequence || len(seq.Bytes) == 0 {
		return nil, fmt.Errorf("%w: not an OCSPResponse or BasicOCSPResponse", ErrMalformed)
	}
	basic := der
	if seq.Bytes[0] == asn1.TagEnum {
		var outer ocspResponseASN1
		if rest, err := asn1.Unmarshal(der, &outer); err != nil || len(rest) != 0 {
			return nil, fmt.Errorf("%w: OCSPResponse: %v", ErrMalformed, err)
		}
		if outer.Status != 0 {
			return nil, &OCSPStatusError{Status: int(outer.Status)}
		}
		if !outer.Response.Type.Equal(oidOCSPBasic) {
			return nil, fmt.Errorf("%w: response type %v is not id-pkix-ocsp-basic", ErrMalformed, outer.Response.Type)
		}
		basic = outer.Response.Response
	}
	var b basicResponseASN1
	if rest, err := asn1.Unmarshal(basic, &b); err != nil {
		return nil, fmt.Errorf("%w: BasicOCSPResponse: %v", ErrMalformed, err)
	} else if len(rest) != 0 {
		return nil, fmt.Errorf("%w: trailing data after BasicOCSPResponse", ErrMalformed)
	}
	var rd responseDataASN1
	if rest, err := asn1.Unmarshal(b.TBS.FullBytes, &rd); err != nil {
		return nil, fmt.Errorf("%w: ResponseData: %v", ErrMalformed, err)
	} else if len(rest) != 0 {
		return nil, fmt.Errorf("%w: trailing data after ResponseData", ErrMalformed)
	}
	if rd.Version != 0 {
		return nil, fmt.Errorf("%w: ResponseData version %d", ErrMalformed, rd.Version)
	}
	if rd.ResponderID.Class != asn1.ClassContextSpecific || (rd.ResponderID.Tag != 1 && rd.ResponderID.Tag != 2) {
		return nil, fmt.Errorf("%w: bad ResponderID", ErrMalformed)
	}
	r := &OCSPResponse{
		Raw: der, TBS: b.TBS.FullBytes, SigAlg: b.SigAlg, Signature: b.Signature.RightAlign(),
		ResponderID: rd.ResponderID, ProducedAt: rd.ProducedAt, responses: rd.Responses,
	}
	if len(b.Certs) > 32 {
		return nil, fmt.Errorf("%w: %d certificates in response", ErrMalformed, len(b.Certs))
	}
	for _, raw := range b.Certs {
		c, err := pki.ParseCertificate(raw.FullBytes)
		if err != nil {
			return nil, fmt.Errorf("%w: certificate in response: %w", ErrMalformed, err)
		}
		r.Certs = append(r.Certs, c)
	}
	for _, e := range rd.Extensions {
		if e.Id.Equal(oidOCSPNonce) {
			r.Nonce = e.Value
		} else if e.Critical {
			return nil, fmt.Errorf("%w: unknown critical response extension %v", ErrMalformed, e.Id)
		}
	}
	return r, nil
}

// spkiKeyBits returns the subjectPublicKey BIT STRING contents of a
// certificate (what OCSP's issuerKeyHash and byKey hash).
func spkiKeyBits(c *pki.Certificate) []byte {
	var spki struct {
		Alg asn1.RawValue
		Key asn1.BitString
	}
	if _, err := asn1.Unmarshal(c.RawSubjectPublicKeyInfo, &spki); err != nil {
		return nil
	}
	return spki.Key.Bytes
}

// matches reports whether id names cert issued by issuer (RFC 6960 §4.1.1),
// whatever hash algorithm it uses.
func matchesCertID(id certIDASN1, cert, issuer *pki.Certificate) bool {
	if id.Serial == nil || id.Serial.Cmp(cert.SerialNumber) != 0 {
		return false
	}
	h, err := algo.HashFromOID(id.HashAlg.Algorithm)
	if err != nil || !h.Available() {
		return false
	}
	nh, err := algo.Digest(h, cert.RawIssuer)
	if err != nil {
		return false
	}
	kh, err := algo.Digest(h, spkiKeyBits(issuer))
	if err != nil {
		return false
	}
	return bytes.Equal(nh, id.IssuerNameHash) && bytes.Equal(kh, id.IssuerKeyHash)
}

// responderMatches reports whether c is the certificate the ResponderID names.
func (r *OCSPResponse) responderMatches(c *pki.Certificate) bool {
	switch r.ResponderID.Tag {
	case 1: // byName, EXPLICIT Name
		return pki.NamesEqual(r.ResponderID.Bytes, c.RawSubject)
	case 2: // byKey, EXPLICIT OCTET STRING of SHA-1(subjectPublicKey)
		var kh []byte
		if _, err := asn1.Unmarshal(r.ResponderID.Bytes, &kh); err != nil {
			return false
		}
		d, err := algo.Digest(crypto.SHA1, spkiKeyBits(c))
		return err == nil && bytes.Equal(d, kh)
	}
	return false
}

// CheckOCSP verifies an OCSP response about cert (issued by issuer) and
// returns its status (RFC 6960):
//   - the responseStatus is successful (else *OCSPStatusError: tryLater
//     and internalError match ErrUnavailable);
//   - the SingleResponse whose CertID (any hash algorithm) names cert;
//   - the signature over tbsResponseData verifies (signature/algo: RSA,
//     RSA-PSS, ECDSA incl. brainpool, Ed25519);
//   - the signer is authorised (§4.2.2.2): the issuer itself (same name and
//     key), or a delegated responder certificate issued by the issuer
//     (signature checked), holding id-kp-OCSPSigning, valid at producedAt.
//
// The signer is looked up among the response's certificates, the issuer
// and extra. An "unknown" status gives Status Unknown. Freshness is the
// caller's decision (Result.FreshAt).
func CheckOCSP(der []byte, cert, issuer *pki.Certificate, extra []*pki.Certificate) (*Result, error) {
	if cert == nil || issuer == nil || cert.SerialNumber == nil {
		return nil, errNoCert
	}
	r, err := ParseOCSP(der)
	if err != nil {
		return nil, err
	}
	var single *singleResponseASN1
	for i := range r.responses {
		s := &r.responses[i]
		if !matchesCertID(s.CertID, cert, issuer) {
			continue
		}
		if single == nil {
			single = s
		} else if single.Status.Class != s.Status.Class || single.Status.Tag != s.Status.Tag {
			return nil, fmt.Errorf("%w: OCSP response gives conflicting statuses for serial %s", ErrMalformed, cert.SerialNumber)
		}
	}
	if single == nil {
		return nil, fmt.Errorf("%w: OCSP response (%d entries) does not name serial %s of %q", ErrNoStatus, len(r.responses), cert.SerialNumber, cert.IssuerString())
	}
	signer, err := r.verifySigner(issuer, extra)
	if err != nil {
		return nil, err
	}
	res := &Result{
		Source: "ocsp", ProducedAt: r.ProducedAt, ThisUpdate: single.ThisUpdate, NextUpdate: single.NextUpdate,
		Reason: -1, Signer: signer, Raw: der,
	}
	if !single.NextUpdate.IsZero() && single.NextUpdate.Before(single.ThisUpdate) {
		return nil, fmt.Errorf("%w: OCSP nextUpdate %s before thisUpdate %s", ErrMalformed, single.NextUpdate.UTC().Format(time.RFC3339), single.ThisUpdate.UTC().Format(time.RFC3339))
	}
	for _, e := range single.Extensions {
		if e.Critical {
			return nil, fmt.Errorf("%w: unknown critical single extension %v", ErrMalformed, e.Id)
		}
	}
	st := single.Status
	if st.Class != asn1.ClassContextSpecific {
		return nil, fmt.Errorf("%w: bad CertStatus", ErrMalformed)
	}
	switch st.Tag {
	case 0:
		res.Status = Good
	case 1:
		// [1] IMPLICIT RevokedInfo: re-tag as SEQUENCE
		var ri revokedInfoASN1
		seq := append([]byte{0x30}, st.FullBytes[1:]...)
		if rest, err := asn1.Unmarshal(seq, &ri); err != nil || len(rest) != 0 {
			return nil, fmt.Errorf("%w: RevokedInfo: %v", ErrMalformed, err)
		}
		res.Status, res.RevokedAt, res.Reason = Revoked, ri.Time, int(ri.Reason)
	case 2:
		res.Status = Unknown
	default:
		return nil, fmt.Errorf("%w: CertStatus tag %d", ErrMalformed, st.Tag)
	}
	return res, nil
}

// verifySigner finds the certificate that signed the response, verifies the
// signature and the signer's authorisation.
func (r *OCSPResponse) verifySigner(issuer *pki.Certificate, extra []*pki.Certificate) (*pki.Certificate, error) {
	cands := append([]*pki.Certificate{issuer}, r.Certs...)
	cands = append(cands, extra...)
	var sigErr, authErr error
	for _, c := range cands {
		if c == nil || !r.responderMatches(c) {
			continue
		}
		if err := pki.VerifySignature(c.Key, r.SigAlg, r.TBS, r.Signature); err != nil {
			sigErr = err
			continue
		}
		if err := authorised(c, issuer, r.ProducedAt); err != nil {
			authErr = err
			continue
		}
		return c, nil
	}
	switch {
	case authErr != nil:
		return nil, authErr
	case sigErr != nil:
		return nil, fmt.Errorf("%w: %w", ErrSignature, sigErr)
	}
	return nil, fmt.Errorf("%w: responder certificate not found", ErrSignature)
}

// authorised applies RFC 6960 §4.2.2.2.
func authorised(signer, issuer *pki.Certificate, at time.Time) error {
	if signer.Equal(issuer) || signer.SameKeyAndSubject(issuer) {
		return nil
	}
	if err := signer.CheckSignatureFrom(issuer); err != nil {
		return fmt.Errorf("%w: responder %q is not issued by %q: %w", ErrUnauthorized, signer.SubjectString(), issuer.SubjectString(), err)
	}
	if err := pki.CheckOCSPSigningUsage(signer); err != nil {
		return fmt.Errorf("%w: responder %q: %w", ErrUnauthorized, signer.SubjectString(), err)
	}
	if at.Before(signer.NotBefore) || at.After(signer.NotAfter) {
		return fmt.Errorf("%w: responder certificate %q not valid at producedAt %s", ErrUnauthorized, signer.SubjectString(), at.UTC().Format(time.RFC3339))
	}
	return nil
}

// NewOCSPRequest returns a DER OCSPRequest for cert with a SHA-1 CertID
// (RFC 6960 §4.1; SHA-1 is what every responder understands) and no nonce,
// so answers can be cached.
func NewOCSPRequest(cert, issuer *pki.Certificate) ([]byte, error) {
	if cert == nil || issuer == nil || cert.SerialNumber == nil {
		return nil, errNoCert
	}
	key := spkiKeyBits(issuer)
	if key == nil {
		return nil, fmt.Errorf("%w: issuer %q has an unreadable public key", ErrMalformed, issuer.SubjectString())
	}
	nh, err := algo.Digest(crypto.SHA1, cert.RawIssuer)
	if err != nil {
		return nil, err
	}
	kh, err := algo.Digest(crypto.SHA1, key)
	if err != nil {
		return nil, err
	}
	oid, err := algo.HashOID(crypto.SHA1)
	if err != nil {
		return nil, err
	}
	type request struct {
		CertID certIDASN1
	}
	type tbsRequest struct {
		List []request
	}
	type ocspRequest struct {
		TBS tbsRequest
	}
	req := ocspRequest{TBS: tbsRequest{List: []request{{CertID: certIDASN1{
		HashAlg:        pkix.AlgorithmIdentifier{Algorithm: oid, Parameters: asn1.RawValue{FullBytes: asn1.NullBytes}},
		IssuerNameHash: nh, IssuerKeyHash: kh, Serial: cert.SerialNumber,
	}}}}}
	return asn1.Marshal(req)
}
