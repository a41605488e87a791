package sigtest

import (
	"crypto/rand"
	"crypto/x509"
	"math/big"
	"net/http"
	"strings"
	"time"
)

// CRLMode switches how a CA's CRL (RFC 5280 §5) is served.
type CRLMode int

const (
	// CRLGood: a fresh CRL, thisUpdate = clock, nextUpdate = clock+7d.
	CRLGood CRLMode = iota
	// CRLStale: thisUpdate 30 days and nextUpdate 1 day before the clock.
	CRLStale
	// CRLWrongSigner: names this CA as issuer but is signed by the Rogue CA's key.
	CRLWrongSigner
	// CRLHang: never answers (until the client gives up).
	CRLHang
	// CRLGarbage: 200 OK with bytes that are not a CRL.
	CRLGarbage
	// CRLNotFound: HTTP 404.
	CRLNotFound
)

// SetCRLMode switches the CA's CRL service.
func (i *Issuer) SetCRLMode(m CRLMode) {
	i.mu.Lock()
	i.crlMode = m
	i.mu.Unlock()
}

func (i *Issuer) getCRLMode() CRLMode {
	i.mu.Lock()
	defer i.mu.Unlock()
	return i.crlMode
}

func (p *PKI) serveCRL(w http.ResponseWriter, r *http.Request) {
	p.counters.crl.Add(1)
	iss := p.issuer(strings.TrimSuffix(strings.TrimPrefix(r.URL.Path, "/crl/"), ".crl"))
	if iss == nil {
		http.NotFound(w, r)
		return
	}
	switch iss.getCRLMode() {
	case CRLHang:
		p.hang(r)
		return
	case CRLNotFound:
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", "application/pkix-crl")
	w.Write(iss.CRL())
}

// CRL returns the CA's current DER CRL in its current mode (CRLHang and
// CRLNotFound give the good CRL). Revocations dated after the PKI's clock
// are not listed.
func (i *Issuer) CRL() []byte {
	p := i.pki
	mode := i.getCRLMode()
	if mode == CRLGarbage {
		return []byte("this is not a CRL")
	}
	clock := p.Clock().Truncate(time.Second)
	tmpl := &x509.RevocationList{
		Number:                    big.NewInt(clock.Unix()),
		ThisUpdate:                clock,
		NextUpdate:                clock.AddDate(0, 0, 7),
		RevokedCertificateEntries: p.revokedAt(i.Cert.RawSubject),
	}
	if mode == CRLStale {
		tmpl.ThisUpdate, tmpl.NextUpdate = clock.AddDate(0, 0, -30), clock.AddDate(0, 0, -1)
	}
	issuer, key := i.asParent(), i.Key
	if mode == CRLWrongSigner {
		key = p.Rogue.Key
		issuer.PublicKey = nil
	}
	der, err := x509.CreateRevocationList(rand.Reader, tmpl, issuer, key)
	if err != nil {
		p.tb.Errorf("sigtest: CRL for %s: %v", i.Cert.Subject.CommonName, err)
		return nil
	}
	return der
}
