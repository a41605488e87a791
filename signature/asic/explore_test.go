package asic

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sigintake/sigintake/signature"
)

func TestExplore(t *testing.T) {
	if os.Getenv("EXPLORE") == "" {
		t.Skip()
	}
	dir := filepath.Join(sharedDir(t), os.Getenv("EXPLORE"))
	files, _ := filepath.Glob(dir + "/*")
	for _, f := range files {
		data, _ := os.ReadFile(f)
		res, err := Validate(context.Background(), data, Limits{}, signature.Options{Time: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)})
		if err != nil {
			t.Logf("%s: ERROR %v", filepath.Base(f), err)
			continue
		}
		t.Logf("%s: %s problems=%v", filepath.Base(f), res.Format, res.Problems)
		for _, s := range res.Signatures {
			t.Logf("   %s %s %s %s", s.ID, s.Indication, s.SubIndication, s.Level)
			for _, ts := range s.Timestamps {
				t.Logf("      ts %s %s %s %v", ts.Type, ts.Indication, ts.SubIndication, strings.Join(ts.Errors, "|")[:min(150, len(strings.Join(ts.Errors, "|")))])
			}
		}
	}
}
