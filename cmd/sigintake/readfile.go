package main

// mapThreshold is the size from which input files are mapped rather than
// read (where the system can): a signed file's content is hashed once, and
// mapping spares the copy and the fresh memory of a read.
const mapThreshold = 256 << 10
