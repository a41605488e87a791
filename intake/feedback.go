package intake

import (
	"sort"
	"strings"
	"unicode"

	"github.com/sigintake/sigintake/mailbox"
	"github.com/sigintake/sigintake/store"
)

// Feedback tag suggestion (issue 9). A clerk tags feedback letters as
// praise, complaint or suggestion; SuggestFeedbackTag offers a tag from
// simple rules over the subject and text, shown beside the form and never
// applied without a clerk.
//
// The rules:
//  1. Lines quoted from an earlier message (starting with ">") are dropped.
//  2. Text and keywords are folded: lower case, Latvian diacritics removed
//     (ā→a, č→c, ē→e, ģ→g, ī→i, ķ→k, ļ→l, ņ→n, š→s, ū→u, ž→z), so letters
//     written without diacritics match too.
//  3. A one-word keyword is a stem: it matches a word that starts with it
//     (Latvian inflects: "sūdzīb" matches sūdzība, sūdzību, sūdzības). A
//     keyword with a space is a phrase starting at a word boundary, its last
//     word a stem ("nav atbild" matches "nav atbildēts").
//  4. Each tag scores the number of its distinct keywords found. The tag
//     with the highest score is suggested; a tie, or no keyword at all,
//     suggests nothing (the clerk decides).
//
// The keyword lists are FeedbackKeywords, Latvian first then English.

// FeedbackKeywords are the stems and phrases per tag.
var FeedbackKeywords = map[store.FeedbackTag][]string{
	store.FeedbackPraise: {
		"paldies", "pateic", "liels paldies", "apmierinat", "lielisk", "izcil", "laipn", "atsaucig", "profesional",
		"operativ", "izpalidz", "uzslav",
		"thank", "grateful", "great", "excellent", "helpful", "appreciat", "praise", "well done", "satisfied",
	},
	store.FeedbackComplaint: {
		"sudz", "neapmierin", "slikt", "nepienemam", "rupj", "nelaipn", "kavej", "nav atbild", "joprojam nav",
		"nekompetent", "vilsan", "neprofesional", "kluda", "pretenzij",
		"complain", "dissatisf", "disappoint", "unacceptable", "rude", "poor", "delay", "still no", "terrible",
		"unhelpful", "no answer", "no reply",
	},
	store.FeedbackSuggestion: {
		"ierosin", "priekslik", "ieteik", "iesak", "butu labi", "vajadzetu", "varetu", "uzlabo", "ludzu padomajiet",
		"suggest", "propos", "would be nice", "would be better", "could you", "should", "improve", "recommend", "idea",
	},
}

// FeedbackSuggestion is what the rules found.
type FeedbackSuggestion struct {
	Tag     store.FeedbackTag              `json:"tag,omitempty"` // "" when nothing or a tie
	Matched map[store.FeedbackTag][]string `json:"matched"`       // keywords found per tag
}

var foldMap = map[rune]rune{'ā': 'a', 'č': 'c', 'ē': 'e', 'ģ': 'g', 'ī': 'i', 'ķ': 'k', 'ļ': 'l', 'ņ': 'n', 'š': 's',
	'ū': 'u', 'ž': 'z', 'ō': 'o', 'ŗ': 'r'}

// foldWords lower-cases, removes Latvian diacritics and splits into words.
func foldWords(s string) []string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		if f, ok := foldMap[r]; ok {
			r = f
		}
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(r)
		} else {
			b.WriteByte(' ')
		}
	}
	return strings.Fields(b.String())
}

// SuggestFeedbackTag applies the rules above to a letter's subject and text.
func SuggestFeedbackTag(subject, text string) FeedbackSuggestion {
	var kept []string
	for _, line := range strings.Split(text, "\n") {
		if !strings.HasPrefix(strings.TrimSpace(line), ">") {
			kept = append(kept, line)
		}
	}
	words := foldWords(subject + "\n" + strings.Join(kept, "\n"))
	joined := " " + strings.Join(words, " ") + " "
	res := FeedbackSuggestion{Matched: map[store.FeedbackTag][]string{}}
	best, bestN, tie := store.FeedbackTag(""), 0, false
	for _, tag := range store.FeedbackTags {
		for _, kw := range FeedbackKeywords[tag] {
			k := strings.Join(foldWords(kw), " ")
			found := false
			if strings.Contains(k, " ") {
				found = strings.Contains(joined, " "+k) // its last word is a stem too
			} else {
				for _, w := range words {
					if strings.HasPrefix(w, k) {
						found = true
						break
					}
				}
			}
			if found {
				res.Matched[tag] = append(res.Matched[tag], kw)
			}
		}
		sort.Strings(res.Matched[tag])
		switch n := len(res.Matched[tag]); {
		case n > bestN:
			best, bestN, tie = tag, n, false
		case n == bestN && n > 0:
			tie = true
		}
	}
	if !tie {
		res.Tag = best
	}
	return res
}

// SuggestFeedbackForLetter parses a raw letter and applies
// SuggestFeedbackTag to its decoded subject and text/plain body (the HTML
// part only when there is no text part, with its tags left in: they hold
// no keywords).
func SuggestFeedbackForLetter(raw []byte) FeedbackSuggestion {
	l := mailbox.Parse(raw, mailbox.Limits{})
	text := l.Text
	if strings.TrimSpace(text) == "" {
		text = l.HTML
	}
	return SuggestFeedbackTag(l.Subject, text)
}
