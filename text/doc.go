// Package text analyses free-text customer feedback offline, on the CPU, in
// German and English: language detection, tokenising and stemming,
// sentiment per response, sentence and topic mention, a topic taxonomy,
// emerging-topic suggestions, PII redaction, and a small supervised model
// that learns from a company's own corrections.
//
// Everything here is a pure function of its input and of word lists embedded
// from the data folder (see data/LICENSES.md); nothing does I/O at run time.
// An Analyzer is built once and is safe for concurrent use.
package text
