package demo

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"mime"
	"strings"
	"sync/atomic"
	"time"

	"golang.org/x/text/encoding/charmap"

	"github.com/sigintake/sigintake/signature/sigtest"
)

// Letter is one seeded demo letter.
type Letter struct {
	Mailbox string // "ekase" or "pasts"
	Label   string // what it shows
	Raw     []byte
	// Want is the outcome the demo expects (checked by the tests); "a|b"
	// when it depends on which formats this build validates.
	Want string
}

// SignerSet are the demo's signers.
type SignerSet struct {
	qes, seal, advanced *sigtest.Leaf
}

// Signers issues the demo's three signers on p: a qualified natural person
// (QESig), a qualified organisation seal (QESeal) and an advanced-only
// signer without QCStatements.
func Signers(p *sigtest.PKI) SignerSet {
	return SignerSet{
		qes:      p.Issue(sigtest.LeafOptions{GivenName: "Anna", Surname: "Kalniņa", CommonName: "Anna Kalniņa", SerialNumber: "PNOLV-020202-22222", QC: sigtest.Qualified()}),
		seal:     p.Issue(sigtest.LeafOptions{Kind: sigtest.LegalPerson, CommonName: "SIA Ozolkalni", Organization: "SIA Ozolkalni", OrganizationIdentifier: "NTRLV-40000000001", QC: sigtest.Qualified()}),
		advanced: p.Issue(sigtest.LeafOptions{GivenName: "Ilze", Surname: "Ozola", CommonName: "Ilze Ozola", SerialNumber: "PNOLV-030303-33333"}),
	}
}

// Letters returns the demo's seeded letters, signed by s (see Signers),
// each with the outcome the demo expects.
func Letters(s SignerSet) []Letter { return firstBatch(s) }

// FollowUp is a client's answer to our acknowledgement of case caseNumber,
// whose Message-ID was replyID.
func FollowUp(caseNumber, replyID string) Letter { return followUp(caseNumber, replyID) }

type part struct {
	ctype, name string
	data        []byte
	nameHeader  string // a raw Content-Disposition value, overriding name
}

var seq atomic.Int64

func msgID(tag string) string {
	return fmt.Sprintf("<demo-%s-%d-%d@klients.example.lv>", tag, seq.Add(1), time.Now().UnixNano())
}

func header(from, to, subject, mid string, extra ...string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "From: %s\r\nTo: %s\r\nSubject: %s\r\nDate: %s\r\nMessage-ID: %s\r\nMIME-Version: 1.0\r\n",
		from, to, mime.QEncoding.Encode("utf-8", subject), time.Now().Format(time.RFC1123Z), mid)
	for _, e := range extra {
		b.WriteString(e)
		b.WriteString("\r\n")
	}
	return b.String()
}

func b64(data []byte) string {
	s := base64.StdEncoding.EncodeToString(data)
	var b strings.Builder
	for len(s) > 76 {
		b.WriteString(s[:76])
		b.WriteString("\r\n")
		s = s[76:]
	}
	b.WriteString(s)
	b.WriteString("\r\n")
	return b.String()
}

// multipart builds a multipart/mixed letter with a UTF-8 text and parts.
func multipart(hdr, text string, parts ...part) []byte {
	const bd = "demo-boundary-7f3a"
	var b strings.Builder
	b.WriteString(hdr)
	fmt.Fprintf(&b, "Content-Type: multipart/mixed; boundary=%q\r\n\r\n", bd)
	fmt.Fprintf(&b, "--%s\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n%s\r\n", bd, text)
	for _, p := range parts {
		disp := p.nameHeader
		if disp == "" {
			disp = fmt.Sprintf("attachment; filename=%q", mime.QEncoding.Encode("utf-8", p.name))
		}
		fmt.Fprintf(&b, "--%s\r\nContent-Type: %s\r\nContent-Disposition: %s\r\nContent-Transfer-Encoding: base64\r\n\r\n%s", bd, p.ctype, disp, b64(p.data))
	}
	fmt.Fprintf(&b, "--%s--\r\n", bd)
	return []byte(b.String())
}

func pdf(title string) []byte {
	return []byte("%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n% " + title + "\ntrailer << /Root 1 0 R >>\n%%EOF\n")
}

const (
	ekase = "Valsts kase <ekase@kase.gov.lv>"
	pasts = "Valsts kase <pasts@kase.gov.lv>"
)

// firstBatch are the letters seeded before the daemon starts.
func firstBatch(s SignerSet) []Letter {
	var out []Letter
	add := func(mb, label, want string, raw []byte) {
		out = append(out, Letter{Mailbox: mb, Label: label, Want: want, Raw: raw})
	}

	// 1. A PDF with its detached CAdES signature (.p7s), qualified.
	doc := pdf("Iesniegums par maksājuma atgriešanu")
	add("ekase", "detached .p7s with its PDF (QES)", "accepted", multipart(
		header("Anna Kalniņa <anna.kalnina@klients.example.lv>", ekase, "Iesniegums par maksājuma atgriešanu", msgID("p7s")),
		"Labdien!\r\n\r\nPielikumā parakstīts iesniegums.\r\n\r\nAr cieņu,\r\nAnna Kalniņa",
		part{ctype: "application/pdf", name: "iesniegums.pdf", data: doc},
		part{ctype: "application/pkcs7-signature", name: "iesniegums.pdf.p7s", data: sigtest.SignCMS(doc, s.qes, sigtest.CMSOptions{Detached: true})},
	))
	// 2. An attached .p7m sealed by an organisation, plus an unsigned photo.
	add("ekase", ".p7m e-seal + unsigned photo", "accepted", multipart(
		header("SIA Ozolkalni <birojs@ozolkalni.example.lv>", ekase, "Līgums Nr. 2026/17", msgID("p7m")),
		"Labdien!\r\n\r\nNosūtām ar e-zīmogu apstiprinātu līgumu un foto.\r\n",
		part{ctype: "application/pkcs7-mime", name: "ligums.docx.p7m", data: sigtest.SignCMS([]byte("PK\x03\x04 ligums.docx saturs"), s.seal, sigtest.CMSOptions{})},
		part{ctype: "image/jpeg", name: "foto.jpg", data: []byte("\xff\xd8\xff\xe0 demo jpeg")},
	))
	// 3. An S/MIME signed letter (the message itself is signed).
	add("ekase", "S/MIME signed letter (QES)", "accepted", smimeLetter(s.qes))
	// 4. A tampered file: the PDF changed after it was signed.
	orig := pdf("Pieprasījums izsniegt izziņu")
	tampered := bytes.Replace(orig, []byte("izsniegt"), []byte("IZSNIEGT"), 1)
	add("ekase", "tampered (file changed after signing)", "rejected", multipart(
		header("Pēteris Liepiņš <peteris.liepins@klients.example.lv>", ekase, "Pieprasījums izsniegt izziņu", msgID("tampered")),
		"Labdien, pielikumā pieprasījums.\r\n",
		part{ctype: "application/pdf", name: "pieprasijums.pdf", data: tampered},
		part{ctype: "application/pkcs7-signature", name: "pieprasijums.pdf.p7s", data: sigtest.SignCMS(orig, s.qes, sigtest.CMSOptions{Detached: true})},
	))
	// 5. Unsigned.
	add("ekase", "unsigned letter", "rejected", multipart(
		header("Jānis Bērziņš <janis.berzins@klients.example.lv>", ekase, "Lūdzu atmaksāt pārmaksu", msgID("unsigned")),
		"Labdien! Lūdzu atmaksāt pārmaksāto summu. Jānis",
		part{ctype: "application/vnd.openxmlformats-officedocument.wordprocessingml.document", name: "iesniegums.docx", data: []byte("PK\x03\x04 not signed")},
	))
	// 6. Advanced-only: valid signature, certificate not qualified.
	add("ekase", "advanced signature, not qualified", "review", multipart(
		header("Ilze Ozola <ilze.ozola@klients.example.lv>", ekase, "Iesniegums (parakstīts)", msgID("adv")),
		"Labdien, iesniegums pielikumā.\r\n",
		part{ctype: "application/pkcs7-mime", name: "iesniegums.txt.p7m", data: sigtest.SignCMS([]byte("Iesniegums: lūdzu ..."), s.advanced, sigtest.CMSOptions{})},
	))
	// 7. An auto-reply (out of office).
	out = append(out, Letter{Mailbox: "ekase", Label: "auto-reply (out of office)", Want: "ignored", Raw: []byte(
		header("Māris Kalns <maris.kalns@iestade.example.lv>", ekase, "Automātiska atbilde: Prombūtnē", msgID("ooo"),
			"Auto-Submitted: auto-replied", "Content-Type: text/plain; charset=utf-8", "Content-Transfer-Encoding: 8bit") +
			"\r\nEsmu prombūtnē līdz 1. decembrim.\r\n")})
	// 8. A bounce (DSN).
	out = append(out, Letter{Mailbox: "ekase", Label: "bounce (DSN)", Want: "ignored", Raw: []byte(
		"Return-Path: <>\r\n" + header("Mail Delivery System <MAILER-DAEMON@mx.example.lv>", ekase, "Undelivered Mail Returned to Sender", msgID("dsn"),
			`Content-Type: multipart/report; report-type=delivery-status; boundary="dsn"`) +
			"\r\n--dsn\r\nContent-Type: text/plain\r\n\r\nThe message could not be delivered.\r\n--dsn\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.example.lv\r\n\r\nFinal-Recipient: rfc822; nav@example.lv\r\nAction: failed\r\nStatus: 5.1.1\r\n--dsn--\r\n")})
	// 9. windows-1257 text and an RFC 2231 file name in windows-1257.
	w1257 := func(s string) []byte { b, _ := charmap.Windows1257.NewEncoder().Bytes([]byte(s)); return b }
	name := "iesniegums_Bērziņš.txt.p7m"
	var enc strings.Builder
	for _, c := range w1257(name) {
		if c >= 0x80 || c == ' ' || c == '%' || c == '\'' {
			fmt.Fprintf(&enc, "%%%02X", c)
		} else {
			enc.WriteByte(c)
		}
	}
	{
		const bd = "w1257"
		raw := header("Jānis Bērziņš <janis.berzins@klients.example.lv>", ekase, "Iesniegums (windows-1257)", msgID("w1257")) +
			"Content-Type: multipart/mixed; boundary=\"" + bd + "\"\r\n\r\n" +
			"--" + bd + "\r\nContent-Type: text/plain; charset=windows-1257\r\nContent-Transfer-Encoding: 8bit\r\n\r\n" + string(w1257("Labdien! Pielikumā parakstīts iesniegums. Jānis Bērziņš")) + "\r\n" +
			"--" + bd + "\r\nContent-Type: application/pkcs7-mime\r\nContent-Disposition: attachment; filename*=windows-1257''" + enc.String() + "\r\nContent-Transfer-Encoding: base64\r\n\r\n" +
			b64(sigtest.SignCMS([]byte("Iesniegums ar garumzīmēm: āčēģīķļņšūž"), s.qes, sigtest.CMSOptions{})) +
			"--" + bd + "--\r\n"
		add("ekase", "windows-1257 letter, RFC 2231 name", "accepted", []byte(raw))
	}
	// 10. A signed PDF (PAdES-BASELINE-B, qualified). Accepted where this
	// build validates PAdES; otherwise review "format not yet supported".
	add("ekase", "signed PDF (PAdES)", "accepted|review", multipart(
		header("Līga Kalēja <liga.kaleja@klients.example.lv>", ekase, "Parakstīts PDF", msgID("pades")),
		"Labdien, pielikumā ar eParakstu parakstīts PDF.\r\n",
		part{ctype: "application/pdf", name: "iesniegums-parakstits.pdf", data: signedPDF("Iesniegums", s.qes)},
	))
	// 11. pasts@: unsigned feedback is filed.
	add("pasts", "pasts@ unsigned feedback", "accepted", []byte(
		header("Aija Kļaviņa <aija.klavina@klients.example.lv>", pasts, "Atsauksme par apkalpošanu", msgID("feedback"),
			"Content-Type: text/plain; charset=utf-8", "Content-Transfer-Encoding: 8bit")+
			"\r\nPaldies par ātru un laipnu apkalpošanu klientu centrā!\r\n"))
	return out
}

// smimeLetter is a multipart/signed message (RFC 8551 §3.5.3) signed by l.
func smimeLetter(l *sigtest.Leaf) []byte {
	const bd = "smime-outer"
	body := "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\nLabdien!\r\n\r\nLūdzu pagarināt maksājuma termiņu līdz 31. decembrim.\r\n\r\nAr cieņu,\r\nAnna Kalniņa\r\n"
	sig := sigtest.SignCMS([]byte(body), l, sigtest.CMSOptions{Detached: true})
	return []byte(header("Anna Kalniņa <anna.kalnina@klients.example.lv>", ekase, "Lūgums pagarināt termiņu", msgID("smime")) +
		"Content-Type: multipart/signed; protocol=\"application/pkcs7-signature\"; micalg=sha-256; boundary=\"" + bd + "\"\r\n\r\n" +
		"--" + bd + "\r\n" + body + "\r\n--" + bd + "\r\n" +
		"Content-Type: application/pkcs7-signature; name=smime.p7s\r\nContent-Transfer-Encoding: base64\r\nContent-Disposition: attachment; filename=smime.p7s\r\n\r\n" +
		b64(sig) + "\r\n--" + bd + "--\r\n")
}

// followUp answers our acknowledgement of a case: In-Reply-To our reply's
// Message-ID and the case number in the subject.
func followUp(caseNumber, replyID string) Letter {
	raw := header("Anna Kalniņa <anna.kalnina@klients.example.lv>", ekase, "Re: Jūsu vēstule saņemta, lieta "+caseNumber, msgID("followup"),
		"In-Reply-To: <"+replyID+">", "References: <"+replyID+">", "Content-Type: text/plain; charset=utf-8", "Content-Transfer-Encoding: 8bit") +
		"\r\nPaldies! Papildus informācija: konta numurs LV00HABA0000000000000.\r\n"
	return Letter{Mailbox: "ekase", Label: "follow-up of a case", Want: "accepted", Raw: []byte(raw)}
}
