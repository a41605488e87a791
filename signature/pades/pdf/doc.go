// Package pdf is the bounded PDF reader behind signature/pades: it reads
// what signature validation needs of ISO 32000-1 and nothing more.
//
// What it does: the lexical conventions and objects of §7.2-7.3 (names with
// #xx escapes, literal and hexadecimal strings with their file offsets,
// numbers, arrays, dictionaries, streams, indirect references); the file
// structure of §7.5: the last startxref, cross-reference tables (§7.5.4)
// and streams (§7.5.8, PNG/TIFF predictors), hybrid files (/XRefStm),
// trailers and /Prev chains of incremental updates (§7.5.6), object streams
// (§7.5.7); the page tree (§7.7.3); FlateDecode and ASCIIHexDecode. Each
// cross-reference section is kept (Sections) so that revisions can be
// compared. Damage is tolerated the way readers tolerate it: a wrong
// object offset is looked up by scanning for "N G obj" (and the object is
// marked Misplaced), a wrong stream /Length is replaced by the position of
// "endstream", and a broken cross-reference chain or one that does not
// reach the catalog is rebuilt by scanning the file (Repaired, Problems).
//
// Bounds (Limits): input size, object numbers and entries, nesting of
// arrays and dictionaries, elements per object, chains of objects read to
// read one (a /Length that refers to another stream ...), decoded size per
// stream and per document (deflate bombs), cross-reference sections;
// /Prev and page-tree loops are errors; each offset is parsed once.
//
// What it does not do: no decryption (§7.6), no content-stream
// interpretation or rendering, no filters beyond the two above (images
// and fonts are never decoded), no writing.
package pdf
