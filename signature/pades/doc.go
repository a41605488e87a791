// Package pades validates the signatures of PDF documents: PAdES (ETSI EN
// 319 142-1) and the ISO 32000-1 §12.8 signatures they build on, their
// document timestamps, and what changed in the document after each
// signature.
//
// What it does, for every signature dictionary of the file (ISO 32000-1
// §12.8.1: /Type /Sig and /DocTimeStamp, from the signature fields of the
// interactive form, §12.7.4.5; a signature-like dictionary outside any
// field is reported as FORMAT_FAILURE, never skipped):
//
//   - /ByteRange: four non-negative integers, starting at 0, in order, no
//     overlap, within the file; the gap is exactly the /Contents hexadecimal
//     string of this dictionary with its delimiters; the signed bytes end
//     with an %%EOF marker (a whole revision, §7.5.5, §7.5.6); a dictionary
//     replaced in a later update is named as such. A failure is
//     TOTAL_FAILED FORMAT_FAILURE.
//   - /Contents: one DER/BER CMS SignedData, zero padding after it, exactly
//     one SignerInfo (EN 319 142-1 §6.3); validated by the CAdES code of
//     signature/cades over the digest of the two byte ranges for
//     adbe.pkcs7.detached and ETSI.CAdES.detached (which must not
//     encapsulate content), and over the encapsulated SHA-1 digest for
//     adbe.pkcs7.sha1; other sub-filters are FORMAT_FAILURE.
//   - Document timestamps (ETSI.RFC3161, EN 319 142-1 §5.4.3): the token's
//     imprint must be the digest of its own byte range; each one after a
//     signature is given to the signature as a "document" timestamp (POE
//     and the T level); one that follows no signature is reported on its
//     own.
//   - Validation data: certificates, OCSP responses and CRLs of the /DSS
//     (§5.4.2; /VRI noted) and of the adbe-revocationInfoArchival
//     attribute (ISO 32000-1 §12.8.3.3.2) are given to the core as
//     embedded material.
//   - Level (EN 319 142-1 §6): B; T with a signature timestamp or a
//     later document timestamp; LT with revocation data in the /DSS or the
//     CMS; LTA when a document timestamp covers a revision holding the
//     /DSS. Signatures with an adbe.* sub-filter are named PKCS7-B ...
//     PKCS7-LTA, as DSS names them.
//   - Changes after signing: the signed revision (the first br[2]+br[3]
//     bytes, opened as a PDF of its own) is compared object by object with
//     the final document. Allowed, as warnings: new signatures and
//     document timestamps, the /DSS, form filling (field values and
//     appearances), annotations, metadata and document structure (tags).
//     A certification signature (/Reference /TransformMethod /DocMDP,
//     ISO 32000-1 §12.8.2.2) limits them: P=1 nothing but /DSS and
//     document timestamps, P=2 form filling and signing, P=3 also
//     annotations; FieldMDP locks (§12.8.2.4, /Lock) forbid changing the
//     locked fields. Never allowed (TOTAL_FAILED FORMAT_FAILURE naming the
//     change): pages added, removed or reordered, the page tree or a page
//     dictionary changed (other than /Annots, or /Resources only extended
//     with new names), any object used by a page's content or resources
//     changed or deleted, the catalog changed other than /AcroForm, /DSS,
//     /Extensions, /Metadata, tags and harmless name trees, an earlier
//     signature dictionary changed, an appearance reached through an
//     indirect (shareable) /AP changed, a cross-reference entry pointing
//     to another object's bytes (shadow attacks), trailer changes, any
//     other object of the signed revision overridden, data after the
//     signed revision that is not an incremental update chained to it by
//     /Prev, broken cross-reference data after it, and signed bytes that
//     begin with another, unlinked PDF.
//
// The PDF reader (package pdf) is bounded: file size, object numbers,
// nesting, decoded stream size per stream and per document (deflate
// bombs), cross-reference sections, chains of objects read to read one;
// reference loops end, and each file offset is parsed once. The
// validation bounds the objects visited for page content and
// appearances, visits a shared /Annots array once, and validates at most
// 100 signatures per file (the rest are reported, not validated). A panic
// of the CMS or time-stamp parser on malformed input is reported as a
// format failure of that signature.
//
// What it does not do: it does not render pages, so it cannot judge
// whether an allowed change (an annotation, a form value) covers content
// visually, nor see hidden content that was already in the signed
// revision (the "hide" stage of shadow attacks before any update); it does
// not decrypt encrypted PDFs; it does not validate usage-rights (UR3)
// signatures (they are noted); it ignores /Prop_Build; XFA forms are not
// interpreted (an XFA change is a forbidden change of the form). Trust,
// revocation, timestamps and qualification are the core's (package
// signature).
package pades
