package cms

import (
	"crypto/x509/pkix"
	"encoding/asn1"
	"fmt"
)

// Content types.
var (
	OIDData       = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 1}
	OIDSignedData = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 2}
	OIDTSTInfo    = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 16, 1, 4}
	// OIDOCSPResponse is id-ri-ocsp-response (RFC 5940 §4.1).
	OIDOCSPResponse = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 16, 2}
)

// OtherRevInfo is an OtherRevocationInfoFormat (RFC 5652 §10.2.1).
type OtherRevInfo struct {
	Format asn1.ObjectIdentifier
	Raw    []byte // the otherRevInfo element as received
}

// SignedData is a parsed RFC 5652 §5.1 SignedData. Byte slices point into
// the input.
type SignedData struct {
	Version          int
	DigestAlgorithms []pkix.AlgorithmIdentifier
	EContentType     asn1.ObjectIdentifier
	// Content is the eContent octets, nil when detached.
	Content []byte
	// Certificates holds the raw DER of each CertificateChoices
	// certificate; other choices are counted in SkippedCertificates.
	Certificates        [][]byte
	SkippedCertificates int
	CRLs                [][]byte
	OtherRevocationInfo []OtherRevInfo
	SignerInfos         []*SignerInfo
	// Raw is the whole ContentInfo as received.
	Raw []byte
}

// Parse parses a DER or BER ContentInfo holding SignedData with
// DefaultLimits. Use Decode first for PEM or base64 input.
func Parse(data []byte) (*SignedData, error) { return ParseWithLimits(data, DefaultLimits) }

// ParseWithLimits is Parse with explicit limits.
func ParseWithLimits(data []byte, lim Limits) (*SignedData, error) {
	root, err := parseBER(data, lim)
	if err != nil {
		return nil, err
	}
	// ContentInfo ::= SEQUENCE { contentType, [0] EXPLICIT content }
	if err := expectSeq(root, "ContentInfo"); err != nil {
		return nil, err
	}
	if len(root.kids) < 1 {
		return nil, fmt.Errorf("%w: empty ContentInfo", ErrMalformed)
	}
	ct, err := parseOID(root.kids[0], "ContentInfo.contentType")
	if err != nil {
		return nil, err
	}
	if !ct.Equal(OIDSignedData) {
		return nil, fmt.Errorf("%w: content type %s", ErrNotSignedData, ct)
	}
	if len(root.kids) != 2 || !root.kids[1].context(0) || !root.kids[1].constructed || len(root.kids[1].kids) != 1 {
		return nil, fmt.Errorf("%w: ContentInfo.content must be one [0] EXPLICIT element", ErrMalformed)
	}
	sd, err := parseSignedData(root.kids[1].kids[0])
	if err != nil {
		return nil, err
	}
	sd.Raw = root.full
	return sd, nil
}

func parseSignedData(n *node) (*SignedData, error) {
	if err := expectSeq(n, "SignedData"); err != nil {
		return nil, err
	}
	k := n.kids
	if len(k) < 4 {
		return nil, fmt.Errorf("%w: SignedData has %d fields", ErrMalformed, len(k))
	}
	sd := &SignedData{}
	var err error
	if sd.Version, err = parseSmallInt(k[0], "SignedData.version"); err != nil {
		return nil, err
	}
	if err := expect(k[1], classUniversal, tagSet, "SignedData.digestAlgorithms"); err != nil {
		return nil, err
	}
	for _, a := range k[1].kids {
		alg, err := parseAlgID(a, "SignedData.digestAlgorithms")
		if err != nil {
			return nil, err
		}
		sd.DigestAlgorithms = append(sd.DigestAlgorithms, alg)
	}
	if err := sd.parseEncap(k[2]); err != nil {
		return nil, err
	}
	i := 3
	if i < len(k) && k[i].context(0) && k[i].constructed {
		for _, c := range k[i].kids {
			if c.universal(tagSequence) {
				sd.Certificates = append(sd.Certificates, c.full)
			} else {
				sd.SkippedCertificates++ // extended, attribute or other certificate
			}
		}
		i++
	}
	if i < len(k) && k[i].context(1) && k[i].constructed {
		for _, c := range k[i].kids {
			switch {
			case c.universal(tagSequence):
				sd.CRLs = append(sd.CRLs, c.full)
			case c.context(1) && c.constructed && len(c.kids) == 2:
				f, err := parseOID(c.kids[0], "OtherRevocationInfoFormat")
				if err != nil {
					return nil, err
				}
				sd.OtherRevocationInfo = append(sd.OtherRevocationInfo, OtherRevInfo{Format: f, Raw: c.kids[1].full})
			default:
				return nil, fmt.Errorf("%w: RevocationInfoChoice %s", ErrMalformed, c.describe())
			}
		}
		i++
	}
	if i >= len(k) {
		return nil, fmt.Errorf("%w: SignedData has no signerInfos", ErrMalformed)
	}
	if i != len(k)-1 {
		return nil, fmt.Errorf("%w: unexpected %s in SignedData", ErrMalformed, k[i].describe())
	}
	if err := expect(k[i], classUniversal, tagSet, "SignedData.signerInfos"); err != nil {
		return nil, err
	}
	for _, s := range k[i].kids {
		si, err := parseSignerInfo(s)
		if err != nil {
			return nil, err
		}
		sd.SignerInfos = append(sd.SignerInfos, si)
	}
	return sd, nil
}

func (sd *SignedData) parseEncap(n *node) error {
	if err := expectSeq(n, "EncapsulatedContentInfo"); err != nil {
		return err
	}
	if len(n.kids) < 1 || len(n.kids) > 2 {
		return fmt.Errorf("%w: EncapsulatedContentInfo has %d fields", ErrMalformed, len(n.kids))
	}
	var err error
	if sd.EContentType, err = parseOID(n.kids[0], "eContentType"); err != nil {
		return err
	}
	if len(n.kids) == 2 {
		c := n.kids[1]
		if !c.context(0) || !c.constructed || len(c.kids) != 1 {
			return fmt.Errorf("%w: eContent must be [0] EXPLICIT", ErrMalformed)
		}
		v := c.kids[0]
		if v.universal(tagOctetString) {
			if sd.Content, err = v.octets(); err != nil {
				return err
			}
		} else {
			// PKCS #7 v1.5 (RFC 2315 §9.3) allowed any type: the digest
			// covers the contents octets of the value.
			sd.Content = v.content
		}
	}
	return nil
}
