package sigtest

import (
	"bytes"
	"crypto"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/base64"
	"io"
	"math/big"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// OCSPMode switches how a CA's OCSP responder (RFC 6960) answers.
type OCSPMode int

const (
	// OCSPDelegated: signed by the CA's delegated responder (default).
	OCSPDelegated OCSPMode = iota
	// OCSPByCA: signed by the CA itself.
	OCSPByCA
	// OCSPUnauthorised: signed by the Rogue CA's responder, which has
	// id-kp-OCSPSigning but was not issued by this CA.
	OCSPUnauthorised
	// OCSPTryLater: responseStatus tryLater (3), no responseBytes.
	OCSPTryLater
	// OCSPHang: never answers (until the client gives up).
	OCSPHang
	// OCSPGarbage: 200 OK with bytes that are not ASN.1.
	OCSPGarbage
	// OCSPUnknown: every certificate is "unknown".
	OCSPUnknown
	// OCSPStale: thisUpdate 10 days and nextUpdate 3 days before the clock.
	OCSPStale
	// OCSPBadSignature: a byte of the signature value is flipped.
	OCSPBadSignature
	// OCSPResponderWithoutEKU: signed by a certificate this CA issued that
	// lacks id-kp-OCSPSigning (RFC 6960 §4.2.2.2 says: not authorised).
	OCSPResponderWithoutEKU
)

// SetOCSPMode switches the CA's OCSP responder.
func (i *Issuer) SetOCSPMode(m OCSPMode) {
	i.mu.Lock()
	i.ocspMode = m
	i.mu.Unlock()
}

func (i *Issuer) getOCSPMode() OCSPMode {
	i.mu.Lock()
	defer i.mu.Unlock()
	return i.ocspMode
}

var (
	oidOCSPBasic = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 48, 1, 1}
	oidOCSPNonce = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 48, 1, 2}
)

// OCSPTryLaterResponse is the DER of an OCSPResponse with status tryLater.
var OCSPTryLaterResponse = []byte{0x30, 0x03, 0x0a, 0x01, 0x03}

type certID struct {
	HashAlgorithm  pkix.AlgorithmIdentifier
	IssuerNameHash []byte
	IssuerKeyHash  []byte
	SerialNumber   *big.Int
}

type ocspSingleRequest struct {
	Cert certID
	Ext  asn1.RawValue `asn1:"explicit,tag:0,optional"`
}

type ocspTBSRequest struct {
	Version       int           `asn1:"explicit,tag:0,default:0,optional"`
	RequestorName asn1.RawValue `asn1:"explicit,tag:1,optional"`
	RequestList   []ocspSingleRequest
	Extensions    []pkix.Extension `asn1:"explicit,tag:2,optional"`
}

type ocspRequest struct {
	TBS ocspTBSRequest
	Sig asn1.RawValue `asn1:"explicit,tag:0,optional"`
}

func (p *PKI) routes(mux *http.ServeMux) {
	mux.HandleFunc("/ocsp/", p.serveOCSP)
	mux.HandleFunc("/crl/", p.serveCRL)
	mux.HandleFunc("/tsa/", p.serveTSA)
}

func (p *PKI) serveOCSP(w http.ResponseWriter, r *http.Request) {
	p.counters.ocsp.Add(1)
	rest := strings.TrimPrefix(r.URL.Path, "/ocsp/")
	slug, b64, _ := strings.Cut(rest, "/")
	iss := p.issuer(slug)
	if iss == nil {
		http.NotFound(w, r)
		return
	}
	var req []byte
	var err error
	switch r.Method {
	case http.MethodPost:
		req, err = io.ReadAll(io.LimitReader(r.Body, 1<<16))
	case http.MethodGet: // RFC 6960 Appendix A.1
		var s string
		if s, err = url.PathUnescape(b64); err == nil {
			req, err = base64.StdEncoding.DecodeString(s)
		}
	default:
		http.Error(w, "method", http.StatusMethodNotAllowed)
		return
	}
	if err != nil {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	mode := iss.getOCSPMode()
	if mode == OCSPHang {
		p.hang(r)
		return
	}
	w.Header().Set("Content-Type", "application/ocsp-response")
	w.Write(iss.answerOCSP(req, mode))
}

// answerOCSP builds the OCSPResponse for a DER OCSPRequest.
func (i *Issuer) answerOCSP(req []byte, mode OCSPMode) []byte {
	switch mode {
	case OCSPTryLater:
		return OCSPTryLaterResponse
	case OCSPGarbage:
		return []byte("this is not an OCSP response")
	}
	var or ocspRequest
	if rest, err := asn1.Unmarshal(req, &or); err != nil || len(rest) > 0 || len(or.TBS.RequestList) == 0 {
		return []byte{0x30, 0x03, 0x0a, 0x01, 0x01} // malformedRequest
	}
	var nonce []byte
	for _, e := range or.TBS.Extensions {
		if e.Id.Equal(oidOCSPNonce) {
			nonce = e.Value
		}
	}
	var ids []certID
	for _, sr := range or.TBS.RequestList {
		ids = append(ids, sr.Cert)
	}
	return i.ocspResponse(ids, nonce, mode)
}

// OCSPResponse returns the DER OCSPResponse the CA's responder would give,
// in its current mode, for cert (a CertID with SHA-1, as most clients send).
// OCSPHang is answered as OCSPDelegated.
func (i *Issuer) OCSPResponse(cert *x509.Certificate) []byte {
	mode := i.getOCSPMode()
	switch mode {
	case OCSPTryLater:
		return OCSPTryLaterResponse
	case OCSPGarbage:
		return []byte("this is not an OCSP response")
	case OCSPHang:
		mode = OCSPDelegated
	}
	return i.ocspResponse([]certID{i.certID(crypto.SHA1, cert.SerialNumber)}, nil, mode)
}

// BasicOCSPResponse returns the BasicOCSPResponse inside OCSPResponse(cert),
// the form CAdES revocationValues embed. It is nil when the mode gives none.
func (i *Issuer) BasicOCSPResponse(cert *x509.Certificate) []byte {
	var resp struct {
		Status asn1.Enumerated
		Bytes  struct {
			Type     asn1.ObjectIdentifier
			Response []byte
		} `asn1:"explicit,tag:0,optional"`
	}
	if _, err := asn1.Unmarshal(i.OCSPResponse(cert), &resp); err != nil {
		return nil
	}
	return resp.Bytes.Response
}

func (i *Issuer) certID(h crypto.Hash, serial *big.Int) certID {
	return certID{
		HashAlgorithm:  pkix.AlgorithmIdentifier{Algorithm: hashOID(h), Parameters: asn1.NullRawValue},
		IssuerNameHash: digest(h, i.Cert.RawSubject),
		IssuerKeyHash:  digest(h, spkiBits(i.Cert)),
		SerialNumber:   serial,
	}
}

func spkiBits(c *x509.Certificate) []byte {
	var info struct {
		Algo      asn1.RawValue
		PublicKey asn1.BitString
	}
	asn1.Unmarshal(c.RawSubjectPublicKeyInfo, &info)
	return info.PublicKey.Bytes
}

func hashFromOID(o asn1.ObjectIdentifier) crypto.Hash {
	for _, h := range []crypto.Hash{crypto.SHA1, crypto.SHA256, crypto.SHA384, crypto.SHA512, crypto.SHA3_256, crypto.SHA3_384, crypto.SHA3_512} {
		if hashOID(h).Equal(o) {
			return h
		}
	}
	return 0
}

func (i *Issuer) ocspResponse(ids []certID, nonce []byte, mode OCSPMode) []byte {
	p := i.pki
	clock := p.Clock().Truncate(time.Second)
	thisUpdate, nextUpdate := clock, clock.Add(24*time.Hour)
	if mode == OCSPStale {
		thisUpdate, nextUpdate = clock.AddDate(0, 0, -10), clock.AddDate(0, 0, -3)
	}
	var singles []*node
	for _, id := range ids {
		status := &node{tag: 0x82} // unknown [2] IMPLICIT NULL
		h := hashFromOID(id.HashAlgorithm.Algorithm)
		ours := h != 0 && bytes.Equal(id.IssuerNameHash, digest(h, i.Cert.RawSubject)) &&
			bytes.Equal(id.IssuerKeyHash, digest(h, spkiBits(i.Cert)))
		if ours && mode != OCSPUnknown {
			if known, rev := p.status(i.Cert.RawSubject, id.SerialNumber); known && rev == nil {
				status = &node{tag: 0x80} // good [0] IMPLICIT NULL
			} else if known {
				status = &node{tag: 0xa1, cons: true, kids: []*node{
					genTime(rev.at.Truncate(time.Second)),
					explicit(0, marshal(asn1.Enumerated(rev.reason))),
				}}
			}
		}
		singles = append(singles, seq(marshal(id), status, genTime(thisUpdate), explicit(0, genTime(nextUpdate))))
	}

	signer := i.Responder
	switch mode {
	case OCSPByCA:
		signer = nil
	case OCSPUnauthorised:
		signer = p.Rogue.Responder
	case OCSPResponderWithoutEKU:
		signer = i.noEKUResponder
	}
	key := i.Key
	var respID *node
	var certs []*node
	if signer != nil {
		key = signer.Key
		respID = explicit(2, octets(digest(crypto.SHA1, spkiBits(signer.Cert))))
		certs = append(certs, raw(signer.DER))
	} else {
		respID = explicit(1, raw(i.Cert.RawSubject))
	}
	data := seq(respID, genTime(clock), seq(singles...))
	if nonce != nil {
		data.kids = append(data.kids, explicit(1, seq(seq(oid(oidOCSPNonce), octets(nonce)))))
	}
	tbs := data.der()
	sp := sigParams{hash: crypto.SHA256}
	sig := signData(key, tbs, sp)
	if mode == OCSPBadSignature {
		sig[len(sig)/2] ^= 0x01
	}
	basic := seq(raw(tbs), signatureAlg(key, sp), bitString(sig))
	if len(certs) > 0 {
		basic.kids = append(basic.kids, explicit(0, seq(certs...)))
	}
	return seq(
		marshal(asn1.Enumerated(0)),
		explicit(0, seq(oid(oidOCSPBasic), octets(basic.der()))),
	).der()
}
