package asic

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/sigintake/sigintake/signature"
	"github.com/sigintake/sigintake/signature/cades"
	"github.com/sigintake/sigintake/signature/xades"
	"github.com/sigintake/sigintake/signature/xmldsig"
)

// Result is the validation of one container.
type Result struct {
	// Format names the container and the signature form, e.g.
	// "ASiC-E/XAdES" or "ASiC-S/CAdES".
	Format signature.Format
	Kind   Kind
	// Signatures are the reports of every signature in every signature
	// file, in archive order.
	Signatures []signature.Report
	// Files are the data files of the container.
	Files []string
	// Uncovered are the data files no valid signature reference covers.
	Uncovered []string
	// Problems are container-level findings (EN 319 162-1) that keep the
	// file from being accepted: uncovered files, manifest mismatches, a
	// missing or misplaced mimetype, unreadable signature files.
	Problems []string
	// Notes are deviations that do not block acceptance (EN 319 162-1
	// §A.1 mimetype placement, which DSS reports as a warning).
	Notes []string
}

// Validate opens data as an ASiC container and validates every signature
// in it. An error means the bytes are not a container this package will
// read (not a ZIP, a zip bomb, unsafe names, no signature file).
func Validate(ctx context.Context, data []byte, l Limits, o signature.Options) (*Result, error) {
	c, err := Open(data, l)
	if err != nil {
		return nil, err
	}
	res := &Result{Kind: c.Kind, Problems: append([]string{}, c.Problems...), Notes: c.Notes, Signatures: []signature.Report{}}
	for _, f := range c.Files {
		res.Files = append(res.Files, f.Name)
	}
	covered := map[string]bool{}
	forms := map[string]bool{}
	for _, sf := range c.Signatures {
		if sf.CAdES {
			forms["CAdES"] = true
			c.validateCAdES(ctx, sf, o, res, covered)
			continue
		}
		forms["XAdES"] = true
		c.validateXAdES(ctx, sf, o, res, covered)
	}
	for _, f := range c.Files {
		if !covered[f.Name] {
			res.Uncovered = append(res.Uncovered, f.Name)
			res.Problems = append(res.Problems, fmt.Sprintf("the data file %q is not covered by any signature", f.Name))
		}
	}
	var fs []string
	for f := range forms {
		fs = append(fs, f)
	}
	sort.Strings(fs)
	res.Format = signature.Format(string(c.Kind) + "/" + strings.Join(fs, "+"))
	return res, nil
}

// resolver resolves the references of a signature file to container
// entries (EN 319 162-1 §4.4.3): data files and, for completeness, other
// META-INF files; never the mimetype or anything outside the archive.
func (c *Container) resolver() xmldsig.Resolver {
	return xmldsig.ResolverFunc(func(uri string) ([]byte, error) {
		name, err := ResolveURI(uri)
		if err != nil {
			return nil, fmt.Errorf("%w: %v", xmldsig.ErrNotFound, err)
		}
		e, ok := c.archive.Lookup(name)
		if !ok {
			if e2, ok2 := c.archive.Lookup(uri); ok2 && checkName(uri) == nil {
				e, ok = e2, true
			}
		}
		if !ok || e.Dir || e.Name == "mimetype" {
			return nil, fmt.Errorf("%w: no entry %q in the container", xmldsig.ErrNotFound, name)
		}
		return e.Data, nil
	})
}

func (c *Container) entryFor(uri string) (string, bool) {
	if name, err := ResolveURI(uri); err == nil {
		if _, ok := c.File(name); ok {
			return name, true
		}
	}
	if _, ok := c.File(uri); ok {
		return uri, true
	}
	return "", false
}

func (c *Container) validateXAdES(ctx context.Context, sf SigFile, o signature.Options, res *Result, covered map[string]bool) {
	doc, err := xmldsig.Parse(sf.Data, xmldsig.Limits{MaxBytes: 16 << 20})
	if err != nil {
		res.Problems = append(res.Problems, fmt.Sprintf("the signature file %s is unreadable: %v", sf.Name, err))
		res.Signatures = append(res.Signatures, failed(sf.Name, err))
		return
	}
	sigs := xades.FindSignatures(doc)
	if len(sigs) == 0 {
		res.Problems = append(res.Problems, fmt.Sprintf("the signature file %s holds no signature", sf.Name))
		res.Signatures = append(res.Signatures, failed(sf.Name, xades.ErrNoSignature))
		return
	}
	mediaTypes := map[string]string{}
	for _, f := range c.Files {
		mediaTypes[f.Name] = f.MediaType
	}
	for i, s := range sigs {
		// MediaTypes is keyed by URI as written; fill it lazily from the
		// references once they are known.
		uriTypes := map[string]string{}
		for _, ref := range s.FindElements("./SignedInfo/Reference") {
			uri := ref.SelectAttrValue("URI", "")
			if name, ok := c.entryFor(uri); ok && mediaTypes[name] != "" {
				uriTypes[uri] = mediaTypes[name]
			}
		}
		ev, d := xades.Evidence(doc, s, xades.Options{Resolver: c.resolver(), MediaTypes: uriTypes})
		ev.ID = d.SignatureID
		if ev.ID == "" {
			ev.ID = fmt.Sprintf("%s#%d", sf.Name, i+1)
		}
		nData := 0
		for _, e := range d.External {
			name, isData := c.entryFor(e.URI)
			if !isData {
				if e.OK {
					ev.Covered = append(ev.Covered, e.URI)
				}
				continue
			}
			nData++
			if e.OK {
				ev.Covered = append(ev.Covered, name)
			}
		}
		if nData == 0 && ev.FormatErr == nil && ev.SignedDataErr == nil {
			ev.FormatErr = fmt.Errorf("%w: the signature references no data file of the container", ErrContainer)
		}
		rep := signature.Validate(ctx, ev, o)
		if rep.Passed() || rep.Indication == signature.Indeterminate && ev.DigestErr == nil && ev.SignatureErr == nil && ev.FormatErr == nil && ev.SignedDataErr == nil {
			// The digests of these files matched under a verified
			// signature value: they are covered (the indication says
			// how far the signature itself is trusted).
			for _, e := range d.External {
				if name, ok := c.entryFor(e.URI); ok && e.OK {
					covered[name] = true
				}
			}
		}
		for _, u := range d.MediaTypeMismatch {
			res.Problems = append(res.Problems, fmt.Sprintf("signature %s: the signed media type of %q differs from the manifest", rep.ID, u))
		}
		res.Signatures = append(res.Signatures, rep)
	}
}

// failed is the report of a signature file that could not be read.
func failed(name string, err error) signature.Report {
	return signature.Report{ID: name, Format: signature.FormatXAdES, Indication: signature.TotalFailed,
		SubIndication: signature.FormatFailure, Qualification: signature.QualNA,
		Errors: []string{"The signature file could not be read: " + err.Error()}, Covered: []string{}}
}

// validateCAdES validates a CAdES signature of an ASiC container: in
// ASiC-S it signs the one data file (EN 319 162-1 §4.3.3.2); in ASiC-E it
// signs an ASiCManifest whose DataObjectReferences carry the digests of
// the data files (§4.4.3.2).
func (c *Container) validateCAdES(ctx context.Context, sf SigFile, o signature.Options, res *Result, covered map[string]bool) {
	var content *cades.Content
	var manifestFiles []string
	var manifestErr error
	if c.Kind == KindASiCS {
		if len(c.Files) == 1 {
			content = &cades.Content{Name: c.Files[0].Name, Data: c.Files[0].Data}
			manifestFiles = []string{c.Files[0].Name}
		}
	} else {
		name, data, files, err := c.asicManifestFor(sf.Name)
		if err != nil {
			manifestErr = err
		} else {
			content = &cades.Content{Name: name, Data: data}
			manifestFiles = files
		}
	}
	r, err := cades.Validate(ctx, sf.Data, content, o)
	if err != nil {
		res.Problems = append(res.Problems, fmt.Sprintf("the signature file %s is unreadable: %v", sf.Name, err))
		res.Signatures = append(res.Signatures, failed(sf.Name, err))
		return
	}
	for _, rep := range r.Signatures {
		rep.ID = sf.Name + "/" + rep.ID
		switch {
		case errors.Is(manifestErr, errDigest):
			rep.Indication, rep.SubIndication = signature.TotalFailed, signature.HashFailure
			rep.Errors = append([]string{"A data file does not match its digest in the signed ASiCManifest: " + manifestErr.Error()}, rep.Errors...)
		case manifestErr != nil:
			rep.Indication, rep.SubIndication = signature.Indeterminate, signature.SignedDataNotFound
			rep.Errors = append([]string{"The signed data was not found: " + manifestErr.Error()}, rep.Errors...)
		}
		if rep.Passed() || rep.Indication == signature.Indeterminate && rep.SubIndication != signature.SignedDataNotFound && rep.SubIndication != signature.HashFailure && rep.SubIndication != signature.SigCryptoFailure {
			for _, f := range manifestFiles {
				covered[f] = true
			}
			rep.Covered = append(rep.Covered, manifestFiles...)
		}
		res.Signatures = append(res.Signatures, rep)
	}
}

var errManifest = errors.New("asic: ASiCManifest")

// asicManifestFor finds the ASiCManifest whose SigReference names sig and
// checks the digests of its DataObjectReferences (EN 319 162-1 §A.4).
func (c *Container) asicManifestFor(sig string) (string, []byte, []string, error) {
	for name, data := range c.ASiCManifests {
		doc, err := xmldsig.Parse(data, xmldsig.Limits{MaxBytes: 4 << 20, MaxDepth: 16, MaxElements: 100000})
		if err != nil || doc.Root() == nil {
			continue
		}
		sr := doc.Root().FindElement("./SigReference")
		if sr == nil {
			continue
		}
		if n, err := ResolveURI(sr.SelectAttrValue("URI", "")); err != nil || n != sig {
			continue
		}
		var files []string
		for _, dor := range doc.Root().FindElements("./DataObjectReference") {
			uri := dor.SelectAttrValue("URI", "")
			fname, ok := c.entryFor(uri)
			if !ok {
				return "", nil, nil, fmt.Errorf("%w %s: data object %q not in the container", errManifest, name, uri)
			}
			dm := dor.FindElement("./DigestMethod")
			dv := dor.FindElement("./DigestValue")
			if dm == nil || dv == nil {
				return "", nil, nil, fmt.Errorf("%w %s: DataObjectReference without digest", errManifest, name)
			}
			if err := checkDigest(dm.SelectAttrValue("Algorithm", ""), dv.Text(), c.mustFile(fname)); err != nil {
				return "", nil, nil, fmt.Errorf("%w %s: %q: %w", errManifest, name, uri, err)
			}
			files = append(files, fname)
		}
		return name, data, files, nil
	}
	return "", nil, nil, fmt.Errorf("%w: no ASiCManifest references %s", errManifest, sig)
}

func (c *Container) mustFile(name string) []byte {
	f, _ := c.File(name)
	return f.Data
}
