package sigtest_test

import (
	"crypto/x509"
	"fmt"
	"testing"

	"github.com/sigintake/sigintake/signature/sigtest"
)

// A test builds a PKI, issues a qualified certificate and signs a letter
// with a CAdES-BASELINE-LT signature: signature timestamp, certificate and
// revocation values. Validation tests then pin their time to sigtest.Now.
func Example() {
	t := &testing.T{} // in a real test: the *testing.T given to it
	p := sigtest.New(t)
	signer := p.Issue(sigtest.LeafOptions{
		GivenName: "Anna", Surname: "Kalniņa", SerialNumber: "PNOLV-020202-22222",
		QC: sigtest.Qualified(),
	})
	p.Revoke(p.Issue(sigtest.LeafOptions{}).Cert, sigtest.Now.AddDate(0, -1, 0), sigtest.ReasonKeyCompromise)

	sig := sigtest.SignCMS([]byte("Iesniegums"), signer, sigtest.CMSOptions{
		SignatureTimestamp: true,
		CertValues:         signer.Chain(),
		RevocationValues:   signer.RevocationValues(),
	})

	_, err := signer.Cert.Verify(x509.VerifyOptions{
		Roots:         p.RootPool(),
		Intermediates: p.IntermediatePool(),
		CurrentTime:   sigtest.Now,
	})
	fmt.Println(signer.Cert.Subject.CommonName, signer.Cert.Subject.SerialNumber, err, len(sig) > 0)
	fmt.Println("network requests:", p.Requests().Total())
	// Output:
	// Anna Kalniņa PNOLV-020202-22222 <nil> true
	// network requests: 0
}
