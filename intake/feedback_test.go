package intake

import (
	"testing"

	"github.com/sigintake/sigintake/store"
)

func TestSuggestFeedbackTag(t *testing.T) {
	for _, tc := range []struct {
		name, subject, text string
		want                store.FeedbackTag
	}{
		{"ok/praise-lv", "Paldies", "Liels paldies par ātru un laipnu apkalpošanu!", store.FeedbackPraise},
		{"ok/praise-no-diacritics", "", "Paldies, darbinieks bija loti atsaucigs.", store.FeedbackPraise},
		{"ok/praise-en", "Thanks", "Thank you, your colleague was very helpful.", store.FeedbackPraise},
		{"ok/complaint-lv", "Sūdzība", "Esmu neapmierināts: uz manu iesniegumu joprojām nav atbildēts.", store.FeedbackComplaint},
		{"ok/complaint-inflected", "", "Iesniedzu sūdzību, jo apkalpošana bija slikta un rupja.", store.FeedbackComplaint},
		{"ok/complaint-en", "", "I am disappointed, still no reply after a month. Unacceptable.", store.FeedbackComplaint},
		{"ok/suggestion-lv", "Priekšlikums", "Ierosinu e-kasē pievienot iespēju lejupielādēt izrakstu; tas būtu labi.", store.FeedbackSuggestion},
		{"ok/suggestion-en", "", "I suggest you improve the search; it would be nice to filter by date.", store.FeedbackSuggestion},
		{"ok/quoted-lines-ignored", "Re: VK-2026/000001", "Paldies!\n> Jūsu sūdzība ir saņemta\n> complaint received", store.FeedbackPraise},
		{"ok/nothing", "Iesniegums", "Lūdzu pārskaitīt naudu uz kontu.", ""},
		{"ok/tie-is-no-suggestion", "", "Paldies, bet sūdzība paliek.", ""},
		{"ok/neapmierin-not-praise", "", "Neapmierināts.", store.FeedbackComplaint},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := SuggestFeedbackTag(tc.subject, tc.text)
			if got.Tag != tc.want {
				t.Fatalf("SuggestFeedbackTag = %q (matched %v), want %q", got.Tag, got.Matched, tc.want)
			}
		})
	}
}

// FuzzSuggestFeedbackTag: any text gives a valid tag or none, and the same
// text always gives the same answer.
func FuzzSuggestFeedbackTag(f *testing.F) {
	for _, s := range []string{"Paldies!", "Sūdzība: joprojām nav atbildēts", "I suggest", "> quoted\nnew", "\xff\xfe", ""} {
		f.Add("Temats", s)
	}
	f.Fuzz(func(t *testing.T, subject, text string) {
		a := SuggestFeedbackTag(subject, text)
		if a.Tag != "" && !a.Tag.Valid() {
			t.Fatalf("invalid tag %q", a.Tag)
		}
		if b := SuggestFeedbackTag(subject, text); b.Tag != a.Tag {
			t.Fatalf("not deterministic: %q then %q", a.Tag, b.Tag)
		}
	})
}
