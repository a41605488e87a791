package revocation

import (
	"bytes"
	"crypto/x509/pkix"
	"encoding/asn1"
	"fmt"
	"time"

	"github.com/sigintake/sigintake/signature/pki"
)

// MaxCRLSize bounds a CRL (national CAs publish CRLs of tens of MiB).
const MaxCRLSize = 64 << 20

var (
	oidExtIDP           = asn1.ObjectIdentifier{2, 5, 29, 28}
	oidExtDeltaCRL      = asn1.ObjectIdentifier{2, 5, 29, 27}
	oidExtFreshestCRL   = asn1.ObjectIdentifier{2, 5, 29, 46}
	oidExtCRLNumber     = asn1.ObjectIdentifier{2, 5, 29, 20}
	oidExtAKI           = asn1.ObjectIdentifier{2, 5, 29, 35}
	oidExtAuthorityInfo = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 1, 1}
	oidExtExpiredOnCRL  = asn1.ObjectIdentifier{2, 5, 29, 60}
	oidEntryCertIssuer  = asn1.ObjectIdentifier{2, 5, 29, 29}
	oidEntryReason      = asn1.ObjectIdentifier{2, 5, 29, 21}
	oidEntryInvalidity  = asn1.ObjectIdentifier{2, 5, 29, 24}
	knownCRLExtensions  = []asn1.ObjectIdentifier{oidExtIDP, oidExtDeltaCRL, oidExtFreshestCRL, oidExtCRLNumber, oidExtAKI, oidExtAuthorityInfo, oidExtExpiredOnCRL}
)

type crlASN1 struct {
	TBS       asn1.RawValue
	SigAlg    pkix.AlgorithmIdentifier
	Signature asn1.BitString
}

type idpASN1 struct {
	DistributionPoint  asn1.RawValue  `asn1:"optional,tag:0"`
	OnlyUser           bool           `asn1:"optional,tag:1"`
	OnlyCA             bool           `asn1:"optional,tag:2"`
	OnlySomeReasons    asn1.BitString `asn1:"optional,tag:3"`
	Indirect           bool           `asn1:"optional,tag:4"`
	OnlyAttributeCerts bool           `asn1:"optional,tag:5"`
}

func oidIn(list []asn1.ObjectIdentifier, o asn1.ObjectIdentifier) bool {
	for _, x := range list {
		if x.Equal(o) {
			return true
		}
	}
	return false
}

// CheckCRL verifies a CRL about cert (issued by issuer) and returns its
// status (RFC 5280 §5, §6.3):
//   - the CRL's issuer name is cert's issuer and the signature verifies
//     with issuer's key (signature/algo), whose keyUsage, when present,
//     allows cRLSign; the CRL's signatureAlgorithm matches the TBS one;
//   - scope (issuingDistributionPoint): onlyContainsUserCerts /
//     onlyContainsCACerts / onlyContainsAttributeCerts exclude the
//     certificate (ErrScope); indirect CRLs, onlySomeReasons partitions and
//     delta CRLs are ErrUnsupported; unknown critical CRL or entry
//     extensions are ErrUnsupported;
//   - the entry for cert's serial (negative serials compare as such), its
//     revocationDate and reasonCode. removeFromCRL (8) on a base CRL is
//     ErrMalformed.
//
// ProducedAt and ThisUpdate are the CRL's thisUpdate. Freshness is the
// caller's decision (Result.FreshAt).
func CheckCRL(der []byte, cert, issuer *pki.Certificate) (*Result, error) {
	if cert == nil || issuer == nil || cert.SerialNumber == nil {
		return nil, errNoCert
	}
	if len(der) == 0 || len(der) > MaxCRLSize {
		return nil, fmt.Errorf("%w: CRL size %d out of bounds", ErrMalformed, len(der))
	}
	var outer crlASN1
	if rest, err := asn1.Unmarshal(der, &outer); err != nil || len(rest) != 0 {
		return nil, fmt.Errorf("%w: CertificateList: %v", ErrMalformed, err)
	}
	crl, err := parseCRLTBS(outer.TBS.FullBytes)
	if err != nil {
		return nil, err
	}
	if !crl.alg.Algorithm.Equal(outer.SigAlg.Algorithm) || !bytes.Equal(crl.alg.Parameters.FullBytes, outer.SigAlg.Parameters.FullBytes) {
		return nil, fmt.Errorf("%w: CRL signatureAlgorithm differs from TBSCertList.signature (RFC 5280 §5.1.1.2)", ErrMalformed)
	}
	if !pki.NamesEqual(crl.rawIssuer, cert.RawIssuer) {
		return nil, fmt.Errorf("%w: CRL issuer is not the certificate's issuer %q (indirect CRLs are not supported)", ErrUnauthorized, cert.IssuerString())
	}
	if !pki.NamesEqual(crl.rawIssuer, issuer.RawSubject) {
		return nil, fmt.Errorf("%w: CRL issuer is not %q", ErrUnauthorized, issuer.SubjectString())
	}
	if err := pki.VerifySignature(issuer.Key, outer.SigAlg, outer.TBS.FullBytes, outer.Signature.RightAlign()); err != nil {
		return nil, fmt.Errorf("%w: CRL of %q: %w", ErrSignature, issuer.SubjectString(), err)
	}
	if err := pki.CheckCRLSigningUsage(issuer); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrUnauthorized, err)
	}
	for _, e := range crl.extensions {
		switch {
		case e.Id.Equal(oidExtDeltaCRL):
			return nil, fmt.Errorf("%w: delta CRL", ErrUnsupported)
		case e.Id.Equal(oidExtIDP):
			var idp idpASN1
			if rest, err := asn1.Unmarshal(e.Value, &idp); err != nil || len(rest) != 0 {
				return nil, fmt.Errorf("%w: issuingDistributionPoint: %v", ErrMalformed, err)
			}
			if idp.Indirect {
				return nil, fmt.Errorf("%w: indirect CRL", ErrUnsupported)
			}
			if idp.OnlySomeReasons.BitLength > 0 {
				return nil, fmt.Errorf("%w: CRL covers only some reasons", ErrUnsupported)
			}
			if err := idpCovers(idp.DistributionPoint, cert); err != nil {
				return nil, err
			}
			if idp.OnlyAttributeCerts {
				return nil, fmt.Errorf("%w: CRL covers attribute certificates only", ErrScope)
			}
			isCA := cert.BasicConstraintsValid && cert.IsCA
			if idp.OnlyUser && isCA {
				return nil, fmt.Errorf("%w: CRL covers end-entity certificates only", ErrScope)
			}
			if idp.OnlyCA && !isCA {
				return nil, fmt.Errorf("%w: CRL covers CA certificates only", ErrScope)
			}
		default:
			if e.Critical && !oidIn(knownCRLExtensions, e.Id) {
				return nil, fmt.Errorf("%w: unknown critical CRL extension %v", ErrUnsupported, e.Id)
			}
		}
	}
	if !crl.nextUpdate.IsZero() && crl.nextUpdate.Before(crl.thisUpdate) {
		return nil, fmt.Errorf("%w: CRL nextUpdate %s before thisUpdate %s", ErrMalformed, crl.nextUpdate.UTC().Format(time.RFC3339), crl.thisUpdate.UTC().Format(time.RFC3339))
	}
	res := &Result{
		Source: "crl", Status: Good, ProducedAt: crl.thisUpdate, ThisUpdate: crl.thisUpdate,
		NextUpdate: crl.nextUpdate, Reason: -1, Signer: issuer, Raw: der,
	}
	entry, err := findEntry(crl.revoked, cert.SerialNumber)
	if err != nil {
		return nil, err
	}
	if entry != nil {
		if entry.reason == 8 {
			// removeFromCRL belongs in delta CRLs only (RFC 5280
			// §5.3.1); on a base CRL it is an error, never a "good".
			return nil, fmt.Errorf("%w: removeFromCRL entry for serial %s in a base CRL", ErrMalformed, cert.SerialNumber)
		}
		res.Status, res.RevokedAt, res.Reason = Revoked, entry.revokedAt, entry.reason
	}
	return res, nil
}

// idpCovers applies RFC 5280 §6.3.3 (b)(2)(i) for a CRL whose
// issuingDistributionPoint names a distribution point (a partitioned CRL):
// one of its URIs must be one of cert's CRL distribution points. Names
// other than URIs (directoryName, nameRelativeToCRLIssuer) are not
// matched: such a CRL is ErrUnsupported rather than silently accepted.
func idpCovers(dp asn1.RawValue, cert *pki.Certificate) error {
	if len(dp.FullBytes) == 0 {
		return nil // no distributionPoint: the CRL covers all the issuer's certificates
	}
	var name asn1.RawValue // DistributionPointName CHOICE
	if rest, err := asn1.Unmarshal(dp.Bytes, &name); err != nil || len(rest) != 0 {
		return fmt.Errorf("%w: issuingDistributionPoint name: %v", ErrMalformed, err)
	}
	if name.Class != asn1.ClassContextSpecific || name.Tag != 0 {
		return fmt.Errorf("%w: issuingDistributionPoint nameRelativeToCRLIssuer", ErrUnsupported)
	}
	var uris []string
	for b := name.Bytes; len(b) > 0; {
		var gn asn1.RawValue
		rest, err := asn1.Unmarshal(b, &gn)
		if err != nil {
			return fmt.Errorf("%w: issuingDistributionPoint fullName: %v", ErrMalformed, err)
		}
		b = rest
		if gn.Class == asn1.ClassContextSpecific && gn.Tag == 6 { // uniformResourceIdentifier
			uris = append(uris, string(gn.Bytes))
		}
	}
	if len(uris) == 0 {
		return fmt.Errorf("%w: issuingDistributionPoint without a URI", ErrUnsupported)
	}
	for _, u := range uris {
		for _, c := range cert.CRLDistributionPoints {
			if u == c {
				return nil
			}
		}
	}
	return fmt.Errorf("%w: CRL partition %q is not among the certificate's distribution points %q", ErrScope, uris, cert.CRLDistributionPoints)
}

// crlNextUpdate returns a CRL's nextUpdate without verifying it (for the
// fetch cache).
func crlNextUpdate(der []byte) time.Time {
	var outer crlASN1
	if rest, err := asn1.Unmarshal(der, &outer); err != nil || len(rest) != 0 {
		return time.Time{}
	}
	t, err := parseCRLTBS(outer.TBS.FullBytes)
	if err != nil {
		return time.Time{}
	}
	return t.nextUpdate
}
