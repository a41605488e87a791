// Package xmldsig verifies W3C XML Signatures (XML Signature Syntax and
// Processing Version 1.1, W3C Recommendation 11 April 2013) as used by
// ETSI TS 119 612 trusted lists and by XAdES (ETSI EN 319 132-1) inside
// ASiC containers.
//
// What it does:
//   - [Parse] reads untrusted XML with limits on size, nesting depth and
//     element count, and refuses any DOCTYPE, DTD or entity declaration
//     before parsing (no entity expansion, no external fetch, no XInclude).
//   - [Verify] checks one ds:Signature element: SignedInfo is
//     canonicalised in its document context (namespaces inherited from
//     ancestors, XML-DSig 1.1 §4.4.3), the SignatureValue is checked with
//     the SignatureMethod (§6.4), and every ds:Reference is resolved
//     strictly (§4.4.3.3): URI="" is the whole enveloping document, "#id"
//     must name exactly one element with an Id/ID/id attribute (two is a
//     wrapping attack and fails), anything else goes to the caller's
//     [Resolver]. Only the enveloped-signature transform (§6.6.4), the
//     canonicalisation family (C14N 1.0 and 1.1 with and without comments,
//     exclusive C14N) and base64 (§6.6.2) are accepted; XPath, XPath Filter
//     2.0 and XSLT are refused.
//   - The [Result] lists, for each reference, the exact element or bytes
//     that were digested, so a caller can check that the content it uses is
//     the content that was signed; this is what defeats signature wrapping.
//
// Parse also refuses repeated attribute names (a document two parsers
// would read differently) and encodings other than UTF-8. An
// InclusiveNamespaces PrefixList naming #default is refused (the
// canonicaliser used cannot honour it). Inclusive C14N costs about three
// times exclusive C14N (goxmldsig copies the tree at every level).
//
// What it does not do: it does not decide whether the signing certificate
// is trusted (no path building, no revocation), it does not interpret
// XAdES qualifying properties, and it never dereferences a URI itself.
// Canonicalisation uses github.com/russellhaering/goxmldsig's
// canonicalisers over github.com/beevik/etree; goxmldsig's own Validate is
// not used.
package xmldsig
