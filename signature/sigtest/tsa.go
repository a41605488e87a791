package sigtest

import (
	"crypto"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"io"
	"math/big"
	"net/http"
	"strings"
	"sync"
	"time"
)

// TSA is an RFC 3161 timestamping unit of the PKI, served at URL.
type TSA struct {
	Cert   *x509.Certificate
	Key    crypto.Signer
	DER    []byte
	Issuer *Issuer
	// Policy is the TSTInfo policy OID.
	Policy asn1.ObjectIdentifier

	pki  *PKI
	leaf *Leaf
	slug string
	hash crypto.Hash

	mu     sync.Mutex
	mode   TSAMode
	serial int64
}

// TSAMode switches how a TSA answers.
type TSAMode int

const (
	// TSAGranted: status granted with a token (default).
	TSAGranted TSAMode = iota
	// TSARejection: status rejection (2), failInfo badAlg, no token.
	TSARejection
	// TSAHang: never answers over HTTP (until the client gives up).
	TSAHang
	// TSAGarbage: 200 OK with bytes that are not a TimeStampResp.
	TSAGarbage
	// TSABadSignature: the token's signature value has a flipped byte.
	TSABadSignature
	// TSAWrongImprint: the token's messageImprint is of other data.
	TSAWrongImprint
)

// TSAOptions describe a timestamping unit. The zero value is "Sigtest TSA"
// (RSA-2048) issued by Intermediate, valid Now-1y .. Now+2y, with a critical
// extKeyUsage id-kp-timeStamping, signing with SHA-256.
type TSAOptions struct {
	CommonName string
	// Issuer issues the TSA certificate (default Intermediate).
	Issuer *Issuer
	// Untrusted issues it from the Rogue CA instead (not in RootPool).
	Untrusted bool
	// Expired and NotYetValid set validity like LeafOptions.
	Expired, NotYetValid bool
	// NonCriticalEKU marks extKeyUsage non-critical (RFC 3161 §2.3 says critical).
	NonCriticalEKU bool
	// NoEKU omits extKeyUsage.
	NoEKU   bool
	KeyType KeyType
	// Hash signs the token (default SHA-256).
	Hash crypto.Hash
}

var (
	oidEKU              = asn1.ObjectIdentifier{2, 5, 29, 37}
	oidKPTimeStamp      = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 3, 8}
	OIDSigtestTSAPolicy = asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 99999, 3161, 1}
)

// NewTSA makes a timestamping unit and serves it at its URL.
func (p *PKI) NewTSA(o TSAOptions) *TSA {
	p.tb.Helper()
	iss := o.Issuer
	if iss == nil {
		iss = p.Intermediate
	}
	if o.Untrusted {
		iss = p.Rogue
	}
	if o.CommonName == "" {
		o.CommonName = "Sigtest TSA"
	}
	if o.Hash == 0 {
		o.Hash = crypto.SHA256
	}
	nb, na := Now.AddDate(-1, 0, 0), Now.AddDate(2, 0, 0)
	switch {
	case o.Expired:
		nb, na = Now.AddDate(-3, 0, 0), Now.AddDate(0, 0, -1)
	case o.NotYetValid:
		nb, na = Now.AddDate(0, 0, 1), Now.AddDate(3, 0, 0)
	}
	key := p.leafKey(o.KeyType, false)
	tmpl := &x509.Certificate{
		SerialNumber: newSerial(),
		Subject: pkix.Name{
			CommonName:   o.CommonName,
			Organization: []string{"Sigtest"},
			Country:      []string{"LV"},
		},
		NotBefore:    nb,
		NotAfter:     na,
		KeyUsage:     x509.KeyUsageDigitalSignature | x509.KeyUsageContentCommitment,
		SubjectKeyId: subjectKeyID(key.Public()),
	}
	if !o.NoEKU {
		tmpl.ExtraExtensions = []pkix.Extension{{
			Id:       oidEKU,
			Critical: !o.NonCriticalEKU,
			Value:    marshal([]asn1.ObjectIdentifier{oidKPTimeStamp}).der(),
		}}
	}
	iss.addURLs(tmpl)
	l := p.sign(tmpl, key, iss, o.KeyType)
	t := &TSA{Cert: l.Cert, Key: key, DER: l.DER, Issuer: iss, Policy: OIDSigtestTSAPolicy,
		pki: p, leaf: l, slug: p.slugFor(o.CommonName), hash: o.Hash}
	p.mu.Lock()
	p.tsas[t.slug] = t
	p.mu.Unlock()
	return t
}

// URL is where the TSA answers application/timestamp-query POSTs.
func (t *TSA) URL() string { return t.pki.srv.URL + "/tsa/" + t.slug }

// SetMode switches how the TSA answers.
func (t *TSA) SetMode(m TSAMode) {
	t.mu.Lock()
	t.mode = m
	t.mu.Unlock()
}

func (t *TSA) getMode() TSAMode {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.mode
}

// Timestamp returns the PKI's TSA's token (a DER ContentInfo) over digest,
// computed with imprintHash. See TSA.Timestamp.
func (p *PKI) Timestamp(imprintHash crypto.Hash, digest []byte) []byte {
	return p.TSA.Timestamp(imprintHash, digest)
}

// Timestamp returns a TimeStampToken (DER ContentInfo of SignedData over
// TSTInfo, RFC 3161 §2.4.2) over digest, with genTime = the PKI's clock, the
// TSA certificate included and signing-certificate-v2. TSARejection,
// TSAHang and TSAGarbage modes are ignored here.
func (t *TSA) Timestamp(imprintHash crypto.Hash, digest []byte) []byte {
	return t.token(seq(oid(hashOID(imprintHash)), null()), digest, nil, true, t.getMode())
}

func (t *TSA) token(alg *node, hashed []byte, nonce *big.Int, certReq bool, mode TSAMode) []byte {
	t.mu.Lock()
	t.serial++
	serial := t.serial
	t.mu.Unlock()
	if mode == TSAWrongImprint {
		hashed = append([]byte(nil), hashed...)
		hashed[0] ^= 0xff
	}
	gen := t.pki.Clock().Truncate(time.Second)
	tst := seq(
		integer(1),
		oid(t.Policy),
		seq(alg, octets(hashed)),
		bigInt(new(big.Int).Add(big.NewInt(serial), big.NewInt(gen.Unix()<<16))),
		genTime(gen),
		seq(integer(1)), // accuracy: 1 second
	)
	if nonce != nil {
		tst.kids = append(tst.kids, bigInt(nonce))
	}
	tst.kids = append(tst.kids, explicit(0, explicit(4, raw(t.Cert.RawSubject))))
	o := CMSOptions{
		Hash:            t.hash,
		ContentType:     OIDTSTInfo,
		OmitSigningTime: true,
		Certs:           CertsSigner,
		FlipSignature:   mode == TSABadSignature,
	}
	if !certReq {
		o.Certs = CertsNone
	}
	return SignCMS(tst.der(), t.leaf, o)
}

type tsReq struct {
	Version        int
	MessageImprint struct {
		HashAlgorithm asn1.RawValue
		HashedMessage []byte
	}
	ReqPolicy  asn1.ObjectIdentifier `asn1:"optional"`
	Nonce      *big.Int              `asn1:"optional"`
	CertReq    bool                  `asn1:"optional,default:false"`
	Extensions asn1.RawValue         `asn1:"tag:0,optional"`
}

func (p *PKI) serveTSA(w http.ResponseWriter, r *http.Request) {
	p.counters.tsa.Add(1)
	p.mu.Lock()
	t := p.tsas[strings.TrimPrefix(r.URL.Path, "/tsa/")]
	p.mu.Unlock()
	if t == nil {
		http.NotFound(w, r)
		return
	}
	if r.Method != http.MethodPost {
		http.Error(w, "POST only", http.StatusMethodNotAllowed)
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<16))
	if err != nil {
		http.Error(w, "read", http.StatusBadRequest)
		return
	}
	mode := t.getMode()
	switch mode {
	case TSAHang:
		p.hang(r)
		return
	case TSAGarbage:
		w.Header().Set("Content-Type", "application/timestamp-reply")
		w.Write([]byte("this is not a timestamp reply"))
		return
	}
	w.Header().Set("Content-Type", "application/timestamp-reply")
	var req tsReq
	if rest, err := asn1.Unmarshal(body, &req); err != nil || len(rest) > 0 || req.Version != 1 {
		w.Write(tsaReject(5)) // badDataFormat
		return
	}
	if mode == TSARejection {
		w.Write(tsaReject(0)) // badAlg
		return
	}
	tok := t.token(raw(req.MessageImprint.HashAlgorithm.FullBytes), req.MessageImprint.HashedMessage, req.Nonce, req.CertReq, mode)
	w.Write(seq(seq(integer(0)), raw(tok)).der())
}

// tsaReject is a TimeStampResp with status rejection and one failInfo bit.
func tsaReject(bit int) []byte {
	fi := asn1.BitString{Bytes: make([]byte, bit/8+1), BitLength: bit + 1}
	fi.Bytes[bit/8] |= 0x80 >> (bit % 8)
	return seq(seq(integer(2), seq(marshal("request rejected by sigtest", "utf8")), marshal(fi))).der()
}

// TimestampQuery returns a DER TimeStampReq over digest (RFC 3161 §2.4.1)
// with certReq set, for tests that post to TSA.URL themselves.
func TimestampQuery(imprintHash crypto.Hash, digest []byte, nonce *big.Int) []byte {
	q := seq(integer(1), seq(seq(oid(hashOID(imprintHash)), null()), octets(digest)))
	if nonce != nil {
		q.kids = append(q.kids, bigInt(nonce))
	}
	q.kids = append(q.kids, boolean(true))
	return q.der()
}
