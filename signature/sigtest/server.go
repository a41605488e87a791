package sigtest

import (
	"net/http"
	"strings"
	"sync/atomic"
)

// Counts are the requests the PKI's HTTP server has answered, by service.
type Counts struct {
	OCSP, CRL, CAIssuers, TSA int64
}

// Total is the sum of all counts.
func (c Counts) Total() int64 { return c.OCSP + c.CRL + c.CAIssuers + c.TSA }

type counters struct {
	ocsp, crl, caIssuers, tsa atomic.Int64
}

// Requests returns how many requests each service has received so far, so
// tests can assert that an offline validation used no network.
func (p *PKI) Requests() Counts {
	return Counts{
		OCSP:      p.counters.ocsp.Load(),
		CRL:       p.counters.crl.Load(),
		CAIssuers: p.counters.caIssuers.Load(),
		TSA:       p.counters.tsa.Load(),
	}
}

func (p *PKI) handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/ca/", func(w http.ResponseWriter, r *http.Request) {
		p.counters.caIssuers.Add(1)
		iss := p.issuer(strings.TrimSuffix(strings.TrimPrefix(r.URL.Path, "/ca/"), ".cer"))
		if iss == nil {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/pkix-cert")
		w.Write(iss.DER)
	})
	p.routes(mux)
	return mux
}

func (p *PKI) issuer(slug string) *Issuer {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.issuers[slug]
}

// hang blocks until the client gives up or the PKI is torn down.
func (p *PKI) hang(r *http.Request) {
	select {
	case <-r.Context().Done():
	case <-p.closing:
	}
}
