package pades_test

import (
	"bytes"
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/sigintake/sigintake/signature"
	"github.com/sigintake/sigintake/signature/pades"
	"github.com/sigintake/sigintake/signature/pades/padestest"
	"github.com/sigintake/sigintake/signature/sigtest"
)

// TestHostileDocuments: documents shaped to make the signature search and
// the change analysis do quadratic work finish in bounded time.
func TestHostileDocuments(t *testing.T) {
	e := newEnv(t)
	signed := e.sign(padestest.New(padestest.Options{}), padestest.SignOptions{})

	// 20,000 pages sharing one /Annots array of 2,000 widgets whose shared
	// appearance reaches a long chain, added after the signature.
	objs := map[int]string{}
	const first = 1000
	var kids, annots bytes.Buffer
	for i := 0; i < 2000; i++ {
		fmt.Fprintf(&annots, "%d 0 R ", first+i)
		objs[first+i] = fmt.Sprintf("<< /Type /Annot /Subtype /Widget /FT /Sig /AP << /N %d 0 R >> >>", first+5000)
	}
	for i := 0; i < 2000; i++ {
		objs[first+5000+i] = fmt.Sprintf("<< /Next %d 0 R /Prev %d 0 R >>", first+5001+i, first+5000+i)
	}
	objs[first+4000] = "[" + annots.String() + "]"
	for i := 0; i < 20000; i++ {
		n := first + 10000 + i
		fmt.Fprintf(&kids, "%d 0 R ", n)
		objs[n] = fmt.Sprintf("<< /Type /Page /Parent 2 0 R /Annots %d 0 R >>", first+4000)
	}
	objs[2] = fmt.Sprintf("<< /Type /Pages /Kids [%s] /Count 20000 >>", kids.String())
	data := signed.Update(objs).Data

	// Many unreferenced signature-like dictionaries with distinct ranges.
	many := map[int]string{}
	for i := 0; i < 3000; i++ {
		many[first+i] = fmt.Sprintf("<< /Type /Sig /ByteRange [0 10 20 %d] /Contents <00> >>", i)
	}
	data2 := signed.Update(many).Data

	for name, d := range map[string][]byte{"shared-annots": data, "many-signature-dictionaries": data2} {
		t.Run(name, func(t *testing.T) {
			start := time.Now()
			res, err := pades.Validate(context.Background(), d, pades.Limits{}, signature.Options{Time: sigtest.Now})
			if el := time.Since(start); el > 3*time.Second {
				t.Errorf("took %v", el)
			}
			if err != nil {
				t.Fatal(err)
			}
			for _, s := range res.Signatures {
				if s.Indication == signature.TotalPassed {
					t.Errorf("%s passed", s.ID)
				}
			}
			switch name {
			case "shared-annots":
				// The page tree was replaced: the signature fails.
				if res.Signatures[0].Indication != signature.TotalFailed {
					t.Errorf("the signature before the hostile update: %s %q", res.Signatures[0].Indication, res.Signatures[0].Errors)
				}
			case "many-signature-dictionaries":
				// Every dictionary is reported, none validated as a signature.
				if len(res.Signatures) != 3001 {
					t.Errorf("%d reports", len(res.Signatures))
				}
			}
		})
	}
}
