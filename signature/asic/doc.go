// Package asic reads Associated Signature Containers (ETSI EN 319 162-1
// V1.1.1): ASiC-E (.asice, .sce, Latvian eDoc .edoc, Estonian BDOC .bdoc)
// and ASiC-S (.asics, .scs), and validates every signature in them with
// signature/xades (XAdES) or signature/cades (CAdES).
//
// Zip safety (ReadZip): archive/zip for the directory, our own reading
// for everything else. Limits on entry count, per-entry and total
// uncompressed size and compression ratio, enforced while decompressing
// as a stream with a cap (header sizes are never trusted); names must be
// clean relative UTF-8 paths (no "..", ".", empty segments, absolute paths,
// backslashes, drive letters, control characters); duplicate names, also
// ignoring case, are refused; entries whose compressed data overlap (the
// overlap zip bomb) are refused; encrypted entries and methods other than
// stored and deflate are refused; CRCs are checked by archive/zip.
//
// Container rules (Open):
//   - mimetype (§A.1): missing or not an ASiC type is a Problem; not first,
//     compressed or with an extra field is a Note (DSS warns only).
//   - META-INF/manifest.xml (§A.2.2, OpenDocument manifest): required for
//     ASiC-E; data files not listed and listed files not present are
//     Problems.
//   - Signature files: META-INF/*signatures*.xml (XAdES, including the old
//     LVRTC edoc-signatures-S1.xml) and META-INF/*signature*.p7s (CAdES).
//     No signature file is an error. CAdES in ASiC-S signs the one data
//     file (§4.3.3.2); in ASiC-E it signs the META-INF/ASiCManifest*.xml
//     whose SigReference names it, and each DataObjectReference digest is
//     checked (§4.4.3.2, §A.4).
//   - References of XAdES signatures are resolved by ResolveURI: relative
//     URI references, percent-decoded, to an entry of the archive (never
//     mimetype, never outside it); "../name" is read relative to META-INF.
//   - Coverage: a data file is covered when a signature whose value
//     verified and whose digests all matched references it (the
//     signature may still be INDETERMINATE for trust reasons). Every
//     data file not covered is listed in Uncovered and as a Problem. A
//     signature that references no data file is FORMAT_FAILURE.
//
// Result.Problems keep a file from being accepted without a clerk (the
// verify package turns an accepted verdict into review). Result.Notes do
// not.
//
// What it does not do: ZIP64 archives beyond what archive/zip reads, and
// multi-disk archives; ODF (OpenDocument) signatures are read as if they
// were ASiC and come out with problems; ASiC-S with a timestamp token
// (META-INF/timestamp.tst) only, and ASiC-E with ASiCArchiveManifest (LTA
// for CAdES), are not validated (reported as no or unreadable signature);
// evidence records (ERS) are ignored; nothing is written or repaired.
package asic
