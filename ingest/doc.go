// Package ingest reads and writes interactions and customers in the forms
// cxm accepts from outside: JSON and NDJSON for the HTTP API, and CSV and
// NDJSON files for the command line's import and export.
//
// The package holds pure codecs. It touches no database and serves no
// HTTP; it only decodes bytes into cxm records, reporting every bad record
// with its position, field and reason, and encodes records back so that an
// export imports again unchanged.
//
// Decoding never validates business rules: the caller runs ValidateAll (or
// the records' own Validate) with its clock.
package ingest
