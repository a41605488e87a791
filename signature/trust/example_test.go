package trust_test

import (
	"context"
	"encoding/pem"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/sigintake/sigintake/signature/pki"
	"github.com/sigintake/sigintake/signature/trust"
)

// Example loads the EU LOTL of September 2023 with the pivot LOTLs that
// announce its signing keys, starting from the certificates published in
// the Official Journal (OJ C 276, 2019), and the Latvian list it points
// to; then asks whether the LV eID ICA 2021 service was a qualified CA in
// 2022. Online, LoadOptions.URLs = []string{trust.DefaultLOTLURL} with
// FollowPointers and a CacheDir does the same from the EU's servers.
func Example() {
	shared := os.Getenv("SIGINTAKE_SHARED")
	if shared == "" {
		shared = "../../../shared"
	}
	tl := func(name string) string { return filepath.Join(shared, "trust/tl", name) }
	var oj []*pki.Certificate
	files, _ := filepath.Glob(filepath.Join(shared, "trust/certs/lotl-signers-oj-2019-C276/*.cer"))
	for _, f := range files {
		b, _ := os.ReadFile(f)
		if blk, _ := pem.Decode(b); blk != nil {
			if c, err := pki.ParseCertificate(blk.Bytes); err == nil {
				oj = append(oj, c)
			}
		}
	}
	lists, err := trust.Load(context.Background(), trust.LoadOptions{
		LOTLFiles: []string{tl("EU-LOTL-pivot-282.xml"), tl("EU-LOTL-pivot-300.xml"), tl("EU-LOTL-seq332-2023-09-27.xml")},
		Files:     []string{tl("LV-TL-seq41-2023-09-12.xml")},
		Signers:   oj,
		At:        time.Date(2023, 10, 10, 0, 0, 0, 0, time.UTC), // when these lists were current
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, s := range lists.Summaries() {
		if s.LOTL && s.SequenceNumber != 332 {
			continue // pivots: only used to follow the key changes
		}
		fmt.Printf("%s #%d: %s, signature %s, %d entries\n", s.Territory, s.SequenceNumber, s.Status, s.SignatureStatus, s.Services)
	}
	b, _ := os.ReadFile(filepath.Join(shared, "trust/certs/lv-from-tl-seq41/CA-QC__LV_eID_ICA_2021.pem"))
	blk, _ := pem.Decode(b)
	ica, _ := pki.ParseCertificate(blk.Bytes)
	for _, a := range lists.Anchors() {
		if a.Equal(ica) {
			fmt.Println("LV eID ICA 2021 is a trust anchor")
		}
	}
	// Output:
	// EU #332: ok, signature valid, 43 entries
	// LV #41: ok, signature valid, 29 entries
	// LV eID ICA 2021 is a trust anchor
}
