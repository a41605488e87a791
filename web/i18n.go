package web

import (
	"fmt"
	"net/http"
)

// Lang is a user interface language. Latvian is the default.
type Lang string

const (
	LV Lang = "lv"
	EN Lang = "en"
)

// langOf picks the language: ?lang= (which also sets the cookie), then the
// cookie, then Latvian.
func langOf(r *http.Request) Lang {
	switch Lang(r.URL.Query().Get("lang")) {
	case EN:
		return EN
	case LV:
		return LV
	}
	if c, err := r.Cookie(langCookie); err == nil && Lang(c.Value) == EN {
		return EN
	}
	return LV
}

// T translates key. Unknown keys come back as the key itself so that a
// missing translation is visible, never an empty label.
func (l Lang) T(key string, args ...any) string {
	m, ok := catalogue[key]
	if !ok {
		return key
	}
	s := m[0]
	if l == EN {
		s = m[1]
	}
	if len(args) > 0 {
		return fmt.Sprintf(s, args...)
	}
	return s
}

// catalogue holds UI texts as {Latvian, English}.
var catalogue = map[string][2]string{
	"app.name":              {"Parakstīto vēstuļu pieņemšana", "Signed letter intake"},
	"app.org":               {"Valsts kase", "State Treasury of Latvia"},
	"nav.queue":             {"Pārbaudes rinda", "Review queue"},
	"nav.cases":             {"Lietas", "Cases"},
	"nav.search":            {"Parakstu meklēšana", "Signature search"},
	"nav.audit":             {"Audita žurnāls", "Audit log"},
	"nav.users":             {"Lietotāji", "Users"},
	"nav.logout":            {"Iziet", "Log out"},
	"nav.skip":              {"Pāriet uz saturu", "Skip to content"},
	"nav.main":              {"Galvenā navigācija", "Main navigation"},
	"lang.switch":           {"English", "Latviski"},
	"login.title":           {"Pieteikšanās", "Log in"},
	"login.name":            {"Lietotājvārds", "User name"},
	"login.password":        {"Parole", "Password"},
	"login.submit":          {"Pieteikties", "Log in"},
	"login.failed":          {"Nepareizs lietotājvārds vai parole.", "Wrong user name or password."},
	"login.throttled":       {"Pārāk daudz neveiksmīgu mēģinājumu. Mēģiniet vēlreiz pēc %d minūtēm.", "Too many failed attempts. Try again in %d minutes."},
	"login.as":              {"Pieteicies: %s (%s)", "Logged in: %s (%s)"},
	"role.clerk":            {"lietvedis", "clerk"},
	"role.auditor":          {"auditors", "auditor"},
	"role.admin":            {"administrators", "admin"},
	"err.title":             {"Kļūda", "Error"},
	"err.400":               {"Pieprasījums nav pareizs.", "The request is not valid."},
	"err.403":               {"Jums nav piekļuves šai lapai.", "You may not open this page."},
	"err.403csrf":           {"Veidlapa ir novecojusi vai viltota (CSRF). Atveriet lapu no jauna.", "The form is stale or forged (CSRF). Open the page again."},
	"err.404":               {"Nav atrasts.", "Not found."},
	"err.409":               {"Šo vēstuli jau apstrādā cits lietvedis vai tā jau ir izlemta.", "Another clerk holds this letter or it has been decided."},
	"err.413":               {"Pieprasījums ir pārāk liels.", "The request is too large."},
	"err.429":               {"Pārāk daudz mēģinājumu.", "Too many attempts."},
	"err.500":               {"Iekšēja kļūda. Tā ir reģistrēta žurnālā.", "Internal error. It has been logged."},
	"err.back":              {"Atpakaļ uz sākumu", "Back to the start"},
	"queue.title":           {"Pārbaudes rinda", "Review queue"},
	"queue.intro":           {"Vēstules, par kurām sistēma nevarēja izlemt pati. Vecākās vispirms.", "Letters the system could not decide alone. Oldest first."},
	"queue.empty":           {"Rinda ir tukša.", "The queue is empty."},
	"queue.count":           {"Kopā: %d", "Total: %d"},
	"filter.mailbox":        {"Pastkaste", "Mailbox"},
	"filter.reason":         {"Iemesls", "Reason"},
	"filter.all":            {"visas", "all"},
	"filter.apply":          {"Atlasīt", "Filter"},
	"col.received":          {"Saņemta", "Received"},
	"col.from":              {"Sūtītājs", "From"},
	"col.subject":           {"Temats", "Subject"},
	"col.reason":            {"Iemesls", "Reason"},
	"col.claimed":           {"Apstrādā", "Claimed by"},
	"col.mailbox":           {"Pastkaste", "Mailbox"},
	"col.case":              {"Lieta", "Case"},
	"col.status":            {"Statuss", "Status"},
	"col.opened":            {"Atvērta", "Opened"},
	"col.client":            {"Klients", "Client"},
	"col.file":              {"Datne", "File"},
	"col.signer":            {"Parakstītājs", "Signer"},
	"col.serial":            {"Personas kods / sērijas nr.", "Serial number"},
	"col.issuer":            {"Izdevējs", "Issuer"},
	"col.format":            {"Formāts", "Format"},
	"col.indication":        {"Indikācija", "Indication"},
	"col.subindication":     {"Apakšindikācija", "Sub-indication"},
	"col.qualification":     {"Kvalifikācija", "Qualification"},
	"col.verdict":           {"Lēmums", "Verdict"},
	"col.validated":         {"Pārbaudīts", "Validated"},
	"col.signingtime":       {"Parakstīšanas laiks", "Signing time"},
	"col.letter":            {"Vēstule", "Letter"},
	"col.size":              {"Izmērs", "Size"},
	"col.type":              {"Tips", "Type"},
	"col.at":                {"Laiks", "Time"},
	"col.actor":             {"Darītājs", "Actor"},
	"col.action":            {"Darbība", "Action"},
	"col.object":            {"Objekts", "Object"},
	"col.details":           {"Sīkāk", "Details"},
	"col.hash":              {"Jaucējvērtība", "Hash"},
	"col.name":              {"Vārds", "Name"},
	"col.role":              {"Loma", "Role"},
	"col.disabled":          {"Bloķēts", "Disabled"},
	"col.kind":              {"Veids", "Kind"},
	"col.recipient":         {"Saņēmējs", "Recipient"},
	"nobody":                {"neviens", "nobody"},
	"yes":                   {"jā", "yes"},
	"no":                    {"nē", "no"},
	"letter.title":          {"Vēstule Nr. %d", "Letter %d"},
	"letter.headers":        {"Galvene", "Headers"},
	"letter.to":             {"Kam", "To"},
	"letter.cc":             {"Kopija", "Cc"},
	"letter.date":           {"Datums", "Date"},
	"letter.messageid":      {"Message-ID", "Message-ID"},
	"letter.outcome":        {"Rezultāts", "Outcome"},
	"letter.body":           {"Vēstules teksts", "Body"},
	"letter.nobody":         {"Vēstulei nav teksta daļas.", "The letter has no text part."},
	"letter.html":           {"HTML daļa (parādīta kā teksts, netiek izpildīta)", "HTML part (shown as text, never run)"},
	"letter.attachments":    {"Pielikumi", "Attachments"},
	"letter.noatt":          {"Pielikumu nav.", "No attachments."},
	"letter.download":       {"Lejupielādēt", "Download"},
	"letter.signatures":     {"Paraksti", "Signatures"},
	"letter.nosig":          {"Parakstu nav.", "No signatures."},
	"letter.reasons":        {"Sistēmas iemesli", "The system's reasons"},
	"letter.replies":        {"Atbildes", "Replies"},
	"letter.noreplies":      {"Atbilžu nav.", "No replies."},
	"letter.review":         {"Pārbaude", "Review"},
	"letter.claimedby":      {"Apstrādā: %s", "Claimed by: %s"},
	"letter.unclaimed":      {"Neviens vēl neapstrādā.", "Nobody has claimed it yet."},
	"letter.decided":        {"Izlēmis %s: %s", "Decided by %s: %s"},
	"letter.claim":          {"Paņemt apstrādē", "Claim"},
	"letter.claimfirst":     {"Lai lemtu, vispirms paņemiet vēstuli apstrādē.", "Claim the letter before deciding."},
	"letter.evidence":       {"Pierādījumi (auditoriem)", "Evidence (auditors)"},
	"letter.mainsig":        {"vēstules S/MIME paraksts", "the message's S/MIME signature"},
	"letter.inforeq":        {"Papildu informācija pieprasīta.", "More information was requested."},
	"decide.accept":         {"Pieņemt", "Accept"},
	"decide.acceptdesc":     {"Tiek atvērta lieta un nosūtīts apstiprinājums.", "A case opens and the acknowledgement is sent."},
	"decide.reject":         {"Noraidīt", "Reject"},
	"decide.rejectdesc":     {"Klientam tiek nosūtīts atteikums ar iemeslu.", "The client is sent the rejection with its reason."},
	"decide.info":           {"Pieprasīt papildu informāciju", "Ask for more information"},
	"decide.infodesc":       {"Klientam tiek nosūtīts jautājums; vēstule paliek rindā.", "The client is sent a question; the letter stays in the queue."},
	"decide.comment":        {"Komentārs (iekšējai lietošanai)", "Comment (internal)"},
	"decide.text":           {"Papildu teksts klientam (nav obligāts)", "Extra text for the client (optional)"},
	"decide.reason":         {"Iemesls", "Reason"},
	"decide.done.accept":    {"Vēstule pieņemta. Lieta %s.", "Letter accepted. Case %s."},
	"decide.done.reject":    {"Vēstule noraidīta, atteikums ievietots izsūtāmo rindā.", "Letter rejected, the rejection is queued."},
	"decide.done.info":      {"Jautājums klientam ievietots izsūtāmo rindā.", "The question to the client is queued."},
	"claim.done":            {"Vēstule ir jūsu apstrādē.", "The letter is now yours."},
	"cases.title":           {"Lietas", "Cases"},
	"cases.empty":           {"Lietu nav.", "No cases."},
	"case.title":            {"Lieta %s", "Case %s"},
	"case.timeline":         {"Notikumu hronoloģija", "Timeline"},
	"case.letters":          {"Vēstules", "Letters"},
	"status.open":           {"atvērta", "open"},
	"status.closed":         {"slēgta", "closed"},
	"status.redirected":     {"pārsūtīta", "redirected"},
	"event.opened":          {"Lieta atvērta", "Case opened"},
	"event.letter_received": {"Saņemta vēstule", "Letter received"},
	"event.reply_queued":    {"Atbilde ievietota izsūtāmo rindā", "Reply queued"},
	"event.reply_sent":      {"Atbilde nosūtīta", "Reply sent"},
	"event.clerk_action":    {"Lietveža darbība", "Clerk action"},
	"outcome.pending":       {"gaida apstrādi", "pending"},
	"outcome.accepted":      {"pieņemta", "accepted"},
	"outcome.rejected":      {"noraidīta", "rejected"},
	"outcome.review":        {"pārbaudē", "in review"},
	"outcome.ignored":       {"ignorēta", "ignored"},
	"reply.ack":             {"apstiprinājums", "acknowledgement"},
	"reply.reject":          {"atteikums", "rejection"},
	"reply.info":            {"informācijas pieprasījums", "request for information"},
	"reply.redirect":        {"pārsūtīšana", "redirection"},
	"replystatus.queued":    {"gaida nosūtīšanu", "queued"},
	"replystatus.sending":   {"tiek sūtīta", "sending"},
	"replystatus.sent":      {"nosūtīta", "sent"},
	"replystatus.failed":    {"neizdevās", "failed"},
	"search.title":          {"Parakstu pārbaudes rezultāti", "Signature validation results"},
	"search.since":          {"No (datums)", "From (date)"},
	"search.until":          {"Līdz (datums, ieskaitot)", "Until (date, inclusive)"},
	"search.signer":         {"Parakstītājs (vārds vai personas kods)", "Signer (name or serial number)"},
	"search.any":            {"jebkurš", "any"},
	"search.submit":         {"Meklēt", "Search"},
	"search.csv":            {"Eksportēt CSV", "Export CSV"},
	"search.json":           {"Eksportēt JSON", "Export JSON"},
	"search.total":          {"Atrasti %d rezultāti.", "%d results."},
	"search.empty":          {"Nekas nav atrasts.", "Nothing found."},
	"search.report":         {"Pilna atskaite (JSON)", "Full report (JSON)"},
	"page.prev":             {"Iepriekšējā lapa", "Previous page"},
	"page.next":             {"Nākamā lapa", "Next page"},
	"page.of":               {"Lapa %d no %d", "Page %d of %d"},
	"evidence.title":        {"Pierādījumi: vēstule Nr. %d", "Evidence: letter %d"},
	"evidence.sha":          {"Saglabātā SHA-256", "Stored SHA-256"},
	"evidence.ok":           {"Glabātie baiti atbilst SHA-256 (pārbaudīts tagad).", "The stored bytes match the SHA-256 (checked now)."},
	"evidence.corrupt":      {"BRĪDINĀJUMS: glabātie baiti vairs neatbilst SHA-256!", "WARNING: the stored bytes no longer match the SHA-256!"},
	"evidence.missing":      {"Oriģinālais ziņojums vairs netiek glabāts.", "The original message is no longer stored."},
	"evidence.eml":          {"Lejupielādēt oriģinālo .eml", "Download the original .eml"},
	"evidence.reports":      {"Validācijas atskaite (JSON)", "Validation report (JSON)"},
	"audit.title":           {"Audita žurnāls", "Audit log"},
	"audit.verify":          {"Pārbaudīt ķēdi", "Verify the chain"},
	"audit.chainok":         {"Ķēde ir vesela: pārbaudīti %d ieraksti.", "The chain is intact: %d entries checked."},
	"audit.chainbad":        {"Ķēde ir bojāta pie ieraksta %d: %s", "The chain is broken at entry %d: %s"},
	"audit.object":          {"Objekts (piem., letter:12)", "Object (e.g. letter:12)"},
	"audit.more":            {"Nākamie ieraksti", "Next entries"},
	"audit.empty":           {"Ierakstu nav.", "No entries."},
	"users.title":           {"Lietotāji", "Users"},
	"users.add":             {"Pievienot lietotāju", "Add a user"},
	"users.disable":         {"Bloķēt", "Disable"},
	"users.enable":          {"Atbloķēt", "Enable"},
	"users.added":           {"Lietotājs pievienots.", "User added."},
	"users.updated":         {"Lietotājs atjaunināts.", "User updated."},
	"users.pwhint":          {"Vismaz 12 rakstzīmes.", "At least 12 characters."},
	"sig.plain":             {"Vienkāršiem vārdiem", "In plain words"},
	"sig.etsi":              {"ETSI termini", "ETSI terms"},
	"sig.errors":            {"Kļūdas", "Errors"},
	"sig.warnings":          {"Brīdinājumi", "Warnings"},
	"sig.timestamps":        {"Laika zīmogi", "Timestamps"},
	"sig.revocation":        {"Atsaukuma pārbaude", "Revocation check"},
	"sig.level":             {"Līmenis", "Level"},
	"sig.cert":              {"Sertifikāta SHA-256", "Certificate SHA-256"},
	"sig.besttime":          {"Labākais parakstīšanas laiks", "Best signature time"},
	"sig.org":               {"Organizācija", "Organisation"},
	"sig.covered":           {"Parakstītais saturs", "Signed content"},
}

// plain explains ETSI indications, sub-indications and qualifications.
var plain = map[string][2]string{
	"TOTAL_PASSED":  {"Paraksts ir derīgs.", "The signature is valid."},
	"TOTAL_FAILED":  {"Paraksts nav derīgs.", "The signature is not valid."},
	"INDETERMINATE": {"Paraksta derīgumu nevarēja noteikt; jāizlemj cilvēkam.", "The signature's validity could not be determined; a person must decide."},

	"FORMAT_FAILURE":                    {"Paraksta datne ir bojāta vai neatbilst formātam.", "The signature file is damaged or does not follow its format."},
	"HASH_FAILURE":                      {"Parakstītais saturs pēc parakstīšanas ir mainīts.", "The signed content was changed after signing."},
	"SIG_CRYPTO_FAILURE":                {"Paraksta matemātiskā pārbaude neizdevās.", "The signature's cryptographic check failed."},
	"REVOKED":                           {"Parakstītāja sertifikāts ir atsaukts.", "The signer's certificate has been revoked."},
	"EXPIRED":                           {"Parakstītāja sertifikāta derīgums bija beidzies.", "The signer's certificate had expired."},
	"NOT_YET_VALID":                     {"Parakstītāja sertifikāts parakstīšanas brīdī vēl nebija derīgs.", "The signer's certificate was not yet valid at signing time."},
	"SIG_CONSTRAINTS_FAILURE":           {"Paraksts neatbilst pārbaudes noteikumiem.", "The signature does not meet the validation constraints."},
	"SIGNED_DATA_NOT_FOUND":             {"Nav atrasts saturs, kuru paraksts aptver.", "The content the signature covers was not found."},
	"NO_SIGNING_CERTIFICATE_FOUND":      {"Parakstītāja sertifikāts nav atrasts.", "The signer's certificate was not found."},
	"NO_CERTIFICATE_CHAIN_FOUND":        {"Sertifikātu nevar sasaistīt ar uzticamu izdevēju.", "The certificate does not chain to a trusted issuer."},
	"CHAIN_CONSTRAINTS_FAILURE":         {"Sertifikātu ķēde neatbilst noteikumiem.", "The certificate chain breaks a constraint."},
	"CERTIFICATE_CHAIN_GENERAL_FAILURE": {"Sertifikātu ķēdi nevarēja pārbaudīt.", "The certificate chain could not be checked."},
	"CRYPTO_CONSTRAINTS_FAILURE":        {"Izmantots novecojis vai vājš algoritms.", "An outdated or weak algorithm was used."},
	"CRYPTO_CONSTRAINTS_FAILURE_NO_POE": {"Algoritms ir novecojis, un nav pierādījuma, ka parakstīts agrāk.", "The algorithm is outdated and there is no proof of earlier signing."},
	"TRY_LATER":                         {"Atsaukuma informācija pašlaik nav pieejama; jāpārbauda vēlāk.", "Revocation information is not available now; check later."},
	"OUT_OF_BOUNDS_NO_POE":              {"Sertifikāts nebija derīgs, un nav pierādījuma par parakstīšanas laiku.", "The certificate was not valid and there is no proof of the signing time."},
	"OUT_OF_BOUNDS_NOT_REVOKED":         {"Sertifikāta derīgums beidzies, bet tas nav atsaukts.", "The certificate has expired but is not revoked."},
	"REVOKED_NO_POE":                    {"Sertifikāts ir atsaukts, un nav pierādījuma, ka parakstīts pirms tam.", "The certificate is revoked and there is no proof of signing before that."},
	"REVOKED_CA_NO_POE":                 {"Izdevēja sertifikāts ir atsaukts.", "The issuer's certificate is revoked."},
	"NO_POE":                            {"Nav pierādījuma par parakstīšanas laiku.", "There is no proof of the signing time."},
	"TIMESTAMP_ORDER_FAILURE":           {"Laika zīmogi ir nepareizā secībā.", "The timestamps are in the wrong order."},

	"QESig":      {"Kvalificēts elektroniskais paraksts (drošs elektroniskais paraksts).", "Qualified electronic signature."},
	"QESeal":     {"Kvalificēts elektroniskais zīmogs.", "Qualified electronic seal."},
	"AdESig-QC":  {"Paraksts ar kvalificētu sertifikātu, bet ne kvalificēts paraksts.", "Advanced signature with a qualified certificate, not a qualified signature."},
	"AdESeal-QC": {"Zīmogs ar kvalificētu sertifikātu, bet ne kvalificēts zīmogs.", "Advanced seal with a qualified certificate, not a qualified seal."},
	"AdESig":     {"Uzlabots elektroniskais paraksts bez kvalificēta sertifikāta.", "Advanced electronic signature without a qualified certificate."},
	"AdESeal":    {"Uzlabots elektroniskais zīmogs bez kvalificēta sertifikāta.", "Advanced electronic seal without a qualified certificate."},
	"NA":         {"Kvalifikāciju nevar noteikt.", "No qualification applies."},
}

// Plain explains an ETSI term in words; INDETERMINATE_ qualifications are
// explained generically.
func (l Lang) Plain(term string) string {
	if m, ok := plain[term]; ok {
		if l == EN {
			return m[1]
		}
		return m[0]
	}
	if len(term) > 14 && term[:14] == "INDETERMINATE_" {
		if l == EN {
			return "The trusted lists cannot confirm whether it is " + term[14:] + "."
		}
		return "Uzticamības saraksti nevar apstiprināt, vai tas ir " + term[14:] + "."
	}
	return ""
}

// Reason is one entry of the clerk's reason catalogue: a code stored in the
// audit log and passed to the reply composer, and its labels.
type Reason struct {
	Code string
	LV   string
	EN   string
}

// Label is the reason's label in l.
func (r Reason) Label(l Lang) string {
	if l == EN {
		return r.EN
	}
	return r.LV
}

// RejectReasons is the catalogue of reasons a clerk may reject a letter for.
var RejectReasons = []Reason{
	{"no_qualified_signature", "Nav droša (kvalificēta) elektroniskā paraksta", "No qualified electronic signature"},
	{"invalid_signature", "Paraksts nav derīgs", "The signature is not valid"},
	{"signer_not_authorised", "Parakstītājs nav pilnvarots", "The signer is not authorised"},
	{"unreadable_document", "Dokumentu nevar atvērt vai izlasīt", "The document cannot be opened or read"},
	{"not_for_treasury", "Vēstule nav adresēta Valsts kasei", "The letter is not for the Treasury"},
	{"other", "Cits iemesls (skatīt tekstu)", "Other reason (see the text)"},
}

// InfoReasons is the catalogue of reasons to ask the client for more.
var InfoReasons = []Reason{
	{"missing_document", "Trūkst dokumenta vai pielikuma", "A document or attachment is missing"},
	{"signature_unverifiable", "Parakstu nevar pārbaudīt; lūdzam atkārtoti parakstīt", "The signature cannot be verified; please sign again"},
	{"unclear_request", "Pieprasījums nav skaidrs", "The request is unclear"},
	{"other", "Cits (skatīt tekstu)", "Other (see the text)"},
}

func findReason(list []Reason, code string) (Reason, bool) {
	for _, r := range list {
		if r.Code == code {
			return r, true
		}
	}
	return Reason{}, false
}
