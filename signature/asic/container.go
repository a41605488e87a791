package asic

import (
	"fmt"
	"net/url"
	"path"
	"sort"
	"strings"

	"github.com/sigintake/sigintake/signature/xmldsig"
)

// Media types of the mimetype entry (EN 319 162-1 §4.4.4, §A.1).
const (
	MediaTypeASiCE = "application/vnd.etsi.asic-e+zip"
	MediaTypeASiCS = "application/vnd.etsi.asic-s+zip"
)

// Kind is the container type.
type Kind string

const (
	KindASiCE Kind = "ASiC-E"
	KindASiCS Kind = "ASiC-S"
)

// File is a data file of the container (outside META-INF).
type File struct {
	Name string
	Data []byte
	// MediaType is the type the manifest declares ("" when not listed).
	MediaType string
}

// SigFile is a signature file of META-INF.
type SigFile struct {
	Name string
	Data []byte
	// CAdES is true for a .p7s signature, false for XAdES.
	CAdES bool
}

// Container is an ASiC container after the structural checks.
type Container struct {
	Kind     Kind
	MimeType string
	Files    []File
	// Signatures are META-INF/*signatures*.xml (XAdES) and
	// META-INF/*signature*.p7s (CAdES) files, by name.
	Signatures []SigFile
	// ASiCManifests are META-INF/ASiCManifest*.xml files (CAdES in ASiC-E).
	ASiCManifests map[string][]byte
	// Problems are deviations from EN 319 162-1 that do not stop the
	// validation but keep the file from being accepted without a clerk.
	Problems []string
	// Notes are deviations that DSS reports as warnings only: a mimetype
	// entry that is not first, compressed or has an extra field.
	Notes []string
	// Ignored are META-INF entries that are neither signatures nor
	// manifests (e.g. container.xml, metadata.xml).
	Ignored []string
	archive *Archive
}

// Open reads data as an ASiC container within the limits.
//
// Fatal (an error): not a ZIP within the limits, unsafe names, duplicates,
// overlapping entries, no signature file at all. Reported as Problems: a
// missing, misplaced, compressed or unknown mimetype; a missing manifest
// (ASiC-E); data files the manifest does not list; manifest entries with
// no file.
func Open(data []byte, l Limits) (*Container, error) {
	a, err := ReadZip(data, l)
	if err != nil {
		return nil, err
	}
	c := &Container{archive: a, ASiCManifests: map[string][]byte{}}
	var manifest []byte
	haveManifest := false
	for i, e := range a.Entries {
		switch {
		case e.Name == "mimetype":
			c.MimeType = string(e.Data)
			if i != 0 || a.FirstLocalName != "mimetype" {
				c.Notes = append(c.Notes, "the mimetype entry is not the first entry of the archive (EN 319 162-1 §A.1)")
			}
			if e.Method != 0 {
				c.Notes = append(c.Notes, "the mimetype entry is compressed; it must be stored (EN 319 162-1 §A.1)")
			}
			if e.Extra != 0 {
				c.Notes = append(c.Notes, "the mimetype entry has an extra field (EN 319 162-1 §A.1)")
			}
		case e.Dir:
		case strings.HasPrefix(e.Name, "META-INF/"):
			base := strings.TrimPrefix(e.Name, "META-INF/")
			lower := strings.ToLower(base)
			switch {
			case e.Name == "META-INF/manifest.xml":
				manifest, haveManifest = e.Data, true
			case strings.Contains(base, "/"):
				c.Ignored = append(c.Ignored, e.Name)
			case strings.Contains(lower, "signatures") && strings.HasSuffix(lower, ".xml"):
				c.Signatures = append(c.Signatures, SigFile{Name: e.Name, Data: e.Data})
			case strings.Contains(lower, "signature") && strings.HasSuffix(lower, ".p7s"):
				c.Signatures = append(c.Signatures, SigFile{Name: e.Name, Data: e.Data, CAdES: true})
			case strings.HasPrefix(lower, "asicmanifest") && strings.HasSuffix(lower, ".xml"):
				c.ASiCManifests[e.Name] = e.Data
			default:
				c.Ignored = append(c.Ignored, e.Name)
			}
		default:
			c.Files = append(c.Files, File{Name: e.Name, Data: e.Data})
		}
	}
	switch strings.TrimSpace(c.MimeType) {
	case MediaTypeASiCE:
		c.Kind = KindASiCE
	case MediaTypeASiCS:
		c.Kind = KindASiCS
	case "":
		c.problem("the container has no mimetype entry (EN 319 162-1 §A.1)")
	default:
		c.problem(fmt.Sprintf("the mimetype %q is not an ASiC media type", c.MimeType))
	}
	if c.Kind == "" {
		c.Kind = KindASiCE
		if len(c.Files) == 1 && !haveManifest {
			c.Kind = KindASiCS
		}
	}
	if len(c.Signatures) == 0 {
		return nil, fmt.Errorf("%w: no signature file in META-INF", ErrContainer)
	}
	if c.Kind == KindASiCS && len(c.Files) != 1 {
		c.problem(fmt.Sprintf("an ASiC-S container must hold exactly one data file, this one holds %d (EN 319 162-1 §4.3)", len(c.Files)))
	}
	if haveManifest {
		if err := c.readManifest(manifest); err != nil {
			c.problem(err.Error())
		}
	} else if c.Kind == KindASiCE && len(c.ASiCManifests) == 0 {
		c.problem("the container has no META-INF/manifest.xml")
	}
	return c, nil
}

func (c *Container) problem(s string) { c.Problems = append(c.Problems, s) }

// readManifest reads the OpenDocument manifest (EN 319 162-1 §A.2.2) and
// checks it against the data files.
func (c *Container) readManifest(data []byte) error {
	doc, err := xmldsig.Parse(data, xmldsig.Limits{MaxBytes: 4 << 20, MaxDepth: 16, MaxElements: 100000})
	if err != nil {
		return fmt.Errorf("META-INF/manifest.xml is unreadable: %v", err)
	}
	root := doc.Root()
	if root == nil || root.Tag != "manifest" {
		return fmt.Errorf("META-INF/manifest.xml has no manifest root element")
	}
	listed := map[string]string{}
	for _, fe := range root.ChildElements() {
		if fe.Tag != "file-entry" {
			continue
		}
		p := fe.SelectAttrValue("manifest:full-path", fe.SelectAttrValue("full-path", ""))
		mt := fe.SelectAttrValue("manifest:media-type", fe.SelectAttrValue("media-type", ""))
		if p == "/" || p == "" || strings.HasSuffix(p, "/") {
			continue
		}
		if _, dup := listed[p]; dup {
			c.problem(fmt.Sprintf("the manifest lists %q twice", p))
		}
		listed[p] = mt
	}
	have := map[string]bool{}
	for i := range c.Files {
		f := &c.Files[i]
		have[f.Name] = true
		mt, ok := listed[f.Name]
		if !ok {
			c.problem(fmt.Sprintf("the data file %q is not listed in the manifest", f.Name))
			continue
		}
		f.MediaType = mt
	}
	var missing []string
	for p := range listed {
		if !have[p] && !strings.HasPrefix(p, "META-INF/") {
			missing = append(missing, p)
		}
	}
	sort.Strings(missing)
	for _, p := range missing {
		c.problem(fmt.Sprintf("the manifest lists %q, which is not in the container", p))
	}
	return nil
}

// File returns the data file named name.
func (c *Container) File(name string) (*File, bool) {
	for i := range c.Files {
		if c.Files[i].Name == name {
			return &c.Files[i], true
		}
	}
	return nil, false
}

// ResolveURI maps a reference URI of a signature in META-INF to an entry
// name: a relative URI reference (RFC 3986 §4.2) percent-decoded, relative
// to the container root (or "../x" relative to META-INF). Schemes,
// queries, fragments and paths leaving the container are refused.
func ResolveURI(uri string) (string, error) {
	if uri == "" || strings.HasPrefix(uri, "#") {
		return "", fmt.Errorf("%w: %q is not a file reference", ErrPath, uri)
	}
	u, err := url.Parse(uri)
	if err != nil || u.Scheme != "" || u.Host != "" || u.RawQuery != "" || u.Fragment != "" || u.Opaque != "" {
		return "", fmt.Errorf("%w: reference %q is not a relative file name", ErrPath, uri)
	}
	name := u.Path
	if strings.HasPrefix(name, "../") {
		// Relative to META-INF/ (some producers write "../file.txt").
		name = strings.TrimPrefix(name, "../")
	}
	name = strings.TrimPrefix(name, "./")
	if err := checkName(name); err != nil {
		return "", err
	}
	if path.Clean(name) != name {
		return "", fmt.Errorf("%w: %q", ErrPath, uri)
	}
	return name, nil
}
