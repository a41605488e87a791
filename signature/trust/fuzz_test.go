package trust

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sigintake/sigintake/signature/pki"
)

// FuzzParseList feeds the list parser real and generated lists and their
// mutations: it must never panic, and what it accepts must be usable by
// the qualification code.
func FuzzParseList(f *testing.F) {
	// A real list, cut down to its scheme information and first service
	// (whole real lists, 100-500 kB, make the fuzzer crawl).
	if b, err := os.ReadFile(filepath.Join(sharedDir(f), "trust/tl/status-history-EE_T/EE_T-CA-withdrawn.xml")); err == nil {
		s := string(b)
		if i := strings.Index(s, "</TSPService>"); i > 0 {
			f.Add([]byte(s[:i] + "</TSPService></TSPServices></TrustServiceProvider></TrustServiceProviderList></TrustServiceStatusList>"))
		}
	}
	cert := quickCA(f, 1)
	f.Add([]byte(genList{territory: "LV", seq: 1, issue: longAgo, nextUpdate: longAgo.AddDate(9, 0, 0),
		services: []genService{{name: "x", certDER: cert, versions: []genVersion{granted(QCWithQSCD, QCForESig), {typ: SvcTypeQTST, status: "withdrawn", start: longAgo}}}}}.xml()))
	leaf, err := pki.ParseCertificate(cert)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		l, err := ParseList(b)
		if err != nil {
			return
		}
		if l.Territory == "" {
			t.Fatal("accepted a list without territory")
		}
		for _, tsp := range l.TSPs {
			for _, s := range tsp.Services {
				if len(s.Versions) == 0 {
					t.Fatal("service without information")
				}
				s.list = &loadedList{list: l, status: StatusUnchecked}
				s.StatusAt(longAgo.AddDate(2, 0, 0))
				evaluate(s, leaf, longAgo.AddDate(3, 0, 0), func(string, ...any) {})
				for _, v := range s.Versions {
					applicable(v.Qualifications, leaf)
				}
			}
		}
	})
}
