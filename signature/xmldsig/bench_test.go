package xmldsig

import (
	"testing"

	"github.com/beevik/etree"
)

// BenchmarkCanonicalize canonicalises the real Latvian list (211 kB,
// about 5,000 elements) with each algorithm.
func BenchmarkCanonicalize(b *testing.B) {
	doc, err := Parse(readShared(b, "trust/tl/LV-TL-seq41-2023-09-12.xml"), Limits{})
	if err != nil {
		b.Fatal(err)
	}
	for _, alg := range []string{ExcC14N, C14N10, C14N11} {
		b.Run(alg[len(alg)-12:], func(b *testing.B) {
			for b.Loop() {
				if _, err := canonicalizeDocument(doc, nil, alg, ""); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkVerifyLOTL parses and verifies the 2023 LOTL (467 kB).
func BenchmarkVerifyLOTL(b *testing.B) {
	data := readShared(b, "trust/tl/EU-LOTL-seq332-2023-09-27.xml")
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		doc, err := Parse(data, Limits{})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := Verify(doc, FindSignatures(doc.Root())[0], Options{}); err != nil {
			b.Fatal(err)
		}
	}
}

// bigList builds a trusted list of about 5 MB from the real Latvian list
// by repeating its TrustServiceProvider elements (the shape of the
// 5.2 MB list of signature/trust's BenchmarkLoadLargeList).
func bigList(b *testing.B) (*etree.Document, int64) {
	doc, err := Parse(readShared(b, "trust/tl/LV-TL-seq41-2023-09-12.xml"), Limits{})
	if err != nil {
		b.Fatal(err)
	}
	root := doc.Root()
	tspl := root.SelectElement("TrustServiceProviderList")
	if tspl == nil {
		b.Fatal("no TrustServiceProviderList")
	}
	tsps := tspl.SelectElements("TrustServiceProvider")
	for size := len(readShared(b, "trust/tl/LV-TL-seq41-2023-09-12.xml")); size < 5<<20; {
		for _, t := range tsps {
			tspl.AddChild(t.Copy())
		}
		out, _ := doc.WriteToBytes()
		size = len(out)
	}
	out, _ := doc.WriteToBytes()
	if doc, err = Parse(out, Limits{}); err != nil {
		b.Fatal(err)
	}
	return doc, int64(len(out))
}

// BenchmarkExcC14NLargeList canonicalises the root of a 5 MB list with
// the enveloped signature left out: ours, and goxmldsig's (the previous
// implementation) for comparison.
func BenchmarkExcC14NLargeList(b *testing.B) {
	doc, size := bigList(b)
	root := doc.Root()
	sigs := FindSignatures(root)
	if len(sigs) != 1 {
		b.Fatal("no signature")
	}
	b.Run("ours", func(b *testing.B) {
		b.SetBytes(size)
		b.ReportAllocs()
		for b.Loop() {
			if _, err := excCanonicalize(root, sigs[0], false, ""); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("goxmldsig", func(b *testing.B) {
		b.SetBytes(size)
		b.ReportAllocs()
		for b.Loop() {
			if _, err := refExcC14N(root, sigs[0], false, ""); err != nil {
				b.Fatal(err)
			}
		}
	})
}
